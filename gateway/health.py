"""The standard gRPC health service, fed by a periodic ping of each downstream service.

Statuses (``grpc.health.v1.Health/Check`` and ``Watch``):

- ``""`` (the gateway as a whole): SERVING while the broker connection is up and every
  service in ``required`` answers; a gateway that can still serve degraded client cards
  should stay in rotation, so by default no service is required.
- ``<service>`` for each monitored downstream service (``partners``, ``deals``, ...):
  SERVING when its ``health_ping`` RPC answered within ``timeout`` on the last round.
- each gRPC service the gateway serves (``crm.v1.Partners``): SERVING while the gateway runs
  (see :func:`gateway.server.build_server`).

On graceful shutdown everything turns NOT_SERVING first, so load balancers drain the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from grpc_health.v1 import health as grpc_health
from grpc_health.v1 import health_pb2

from gateway.bridge import DownstreamError, RpcBridge

log = logging.getLogger(__name__)

HealthServicer = grpc_health.aio.HealthServicer

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
OVERALL = ""
PING_METHOD = "health_ping"


def preset_serving(servicer: HealthServicer, services: Iterable[str]) -> None:
    """Report ``services`` SERVING from the start (they are served in this process).

    ``HealthServicer.set`` is a coroutine and the server is assembled synchronously; before
    anyone watches, setting a status is exactly this assignment (what ``_set`` does).
    """
    for service in services:
        servicer._server_status.setdefault(service, SERVING)


class DownstreamHealthMonitor:
    """Pings each downstream service every ``interval`` seconds and publishes the outcome."""

    def __init__(
        self,
        bridge: RpcBridge,
        servicer: HealthServicer,
        services: Iterable[str],
        *,
        required: Iterable[str] = (),
        interval: float = 5.0,
        timeout: float = 1.0,
    ):
        self.bridge = bridge
        self.servicer = servicer
        self.services = tuple(services)
        self.required = frozenset(required)
        unknown = self.required - set(self.services)
        if unknown:
            raise ValueError(f"required services are not monitored: {', '.join(sorted(unknown))}")
        self.interval = interval
        self.timeout = timeout
        self.last_seen: dict[str, bool] = {}
        self._task: asyncio.Task[None] | None = None

    async def check_once(self) -> dict[str, bool]:
        """Ping every service once (in parallel), publish the statuses, return {service: answered}."""
        answers = await asyncio.gather(*(self._answers(service) for service in self.services))
        seen = dict(zip(self.services, answers, strict=True))
        for service, answered in seen.items():
            if self.last_seen.get(service) != answered:
                log.log(
                    logging.INFO if answered else logging.WARNING,
                    "downstream service %s is %s",
                    service,
                    "answering" if answered else "NOT answering",
                )
            await self.servicer.set(service, SERVING if answered else NOT_SERVING)
        overall = self.bridge.is_connected and all(seen[service] for service in self.required)
        await self.servicer.set(OVERALL, SERVING if overall else NOT_SERVING)
        self.last_seen = seen
        return seen

    def start(self) -> None:
        """Start the periodic check in the background (the first round runs at once)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="downstream-health")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self.check_once()
            except Exception:  # the monitor must outlive any one bad round
                log.exception("health check round failed")
            await asyncio.sleep(self.interval)

    async def _answers(self, service: str) -> bool:
        try:
            return await self.bridge.call(service, PING_METHOD, timeout=self.timeout) == "pong"
        except DownstreamError:
            return False
        except Exception as exc:  # an error reply still means not healthy
            log.debug("health ping of %s failed: %r", service, exc)
            return False
