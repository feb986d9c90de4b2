"""A bare nameko service for ``bench.rpc_overhead``: one RPC that answers its argument.

Plain ``nameko.rpc.rpc``, no dependencies (no database, no metrics, no actor), so a call costs
what nameko and the broker cost and nothing else. Run as its own process:
``python -m crm_ops.serve bench.echo_service:EchoService`` (and ``:KitEchoService``, the same
through crm_kit's entrypoint).
"""

from nameko.rpc import rpc

from crm_kit.entrypoints import rpc as kit_rpc


class EchoService:
    name = "bench_echo"

    @rpc
    def echo(self, x):
        return x


class KitEchoService:
    """The same echo through the platform's own RPC entrypoint (crm_kit.entrypoints: commit
    before reply, replies published without waiting for the broker's confirm), so the part of
    ``get``'s time that is the entrypoint's and not the read's shows apart."""

    name = "bench_kit_echo"

    @kit_rpc
    def echo(self, x):
        return x
