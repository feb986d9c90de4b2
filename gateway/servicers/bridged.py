"""What every servicer in front of one service shares: the RPC bridge and the call to it."""

from __future__ import annotations

from typing import Any

from gateway.interceptors import downstream_timeout, require_actor


class BridgedServicer:
    """A servicer whose methods call ``service`` over the RPC bridge, as the caller, within the
    caller's deadline (``default_timeout`` when the caller gave none)."""

    service: str

    def __init__(self, bridge, default_timeout: float = 5.0):
        self.bridge = bridge
        self.default_timeout = default_timeout

    async def _call(self, context, method: str, **kwargs: Any) -> Any:
        return await self.bridge.call(
            self.service, method, timeout=downstream_timeout(context, self.default_timeout), actor=require_actor(),
            **kwargs,
        )

    async def _create(self, context, request, method: str, **kwargs: Any) -> Any:
        """:meth:`_call` for a creating method: the request's ``request_id`` goes along, so a
        retry with the same id answers the first reply and writes nothing again
        (crm_kit.idempotency)."""
        if request.request_id:
            kwargs["request_id"] = request.request_id
        return await self._call(context, method, **kwargs)
