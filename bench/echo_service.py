"""A bare nameko service for ``bench.rpc_overhead``: one RPC that answers its argument.

Plain ``nameko.rpc.rpc``, no dependencies (no database, no metrics, no actor), so a call costs
what nameko and the broker cost and nothing else. Run as its own process:
``python -m crm_ops.serve bench.echo_service:EchoService``.
"""

from nameko.rpc import rpc


class EchoService:
    name = "bench_echo"

    @rpc
    def echo(self, x):
        return x
