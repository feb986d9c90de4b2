"""Asking another service over RPC from inside a worker: as the calling actor, with a deadline.

nameko's ``RpcProxy`` carries the worker's context data (the actor) with every call but waits
for a reply forever. :class:`RemoteService` gives each worker a :class:`Remote` whose calls give
up after ``<SERVICE>_<TARGET>_TIMEOUT_S`` seconds (default 5) and whose failure to get an answer
is a typed :class:`crm_kit.errors.Unavailable` (UNAVAILABLE at the gateway), never a hang or an
untyped error. Errors the other service answers with (NotFound...) arrive typed as they are.

Each call is signed by this service (crm_kit.trust) for the actor the worker acts as (the caller
it serves, the event's actor, or ``SYSTEM`` in a timer), with a deadline: the sooner of this call's
timeout and the deadline the worker was given, so the other service drops work nobody awaits.
"""

from __future__ import annotations

from typing import Any

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from crm_kit import trust
from crm_kit.config import env_float
from crm_kit.errors import Unavailable


class Remote:
    """One worker's view of another service; subclasses name its methods."""

    def __init__(self, proxy, service: str, timeout: float, *, context: dict | None = None, signed_by: str = "", key: bytes | None = None):
        self._proxy = proxy
        self._service = service
        self._timeout = timeout
        # The worker's context data, which nameko sends with each call: signed afresh per call.
        self._context = context
        self._signed_by = signed_by
        self._key = key
        # Read before this worker's first call out rewrites it.
        self._given_deadline = trust.given_deadline(context) if context is not None else None

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        details = {"service": self._service, "method": method}
        if self._context is not None:
            trust.stamp(
                self._context, self._signed_by, self._timeout, f"{self._service}.{method}", self._key, self._given_deadline
            )
        try:
            with eventlet.Timeout(self._timeout):
                return getattr(self._proxy, method)(*args, **kwargs)
        except eventlet.Timeout:
            raise Unavailable(f"the {self._service} service did not answer {method} in {self._timeout:g}s", details) from None
        except UnknownService:
            raise Unavailable(f"the {self._service} service is not running", details) from None


class RemoteService(RpcProxy):
    """A dependency on ``service``, handing each worker a ``client`` (a :class:`Remote`)."""

    def __init__(self, service: str, client: type[Remote] = Remote, default_timeout: float = 5.0):
        super().__init__(service)
        self.client = client
        self.timeout = default_timeout

    def setup(self) -> None:
        super().setup()
        variable = f"{self.container.service_name}_{self.target_service}_TIMEOUT_S".upper()
        self.timeout = env_float(variable, self.timeout, minimum=0.1)
        self.key = trust.internal_key()

    def get_dependency(self, worker_ctx) -> Remote:
        return self.client(
            super().get_dependency(worker_ctx),
            self.target_service,
            self.timeout,
            context=worker_ctx.data,
            signed_by=self.container.service_name,
            key=self.key,
        )
