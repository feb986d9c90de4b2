"""What interactions asks of the partners service, over RPC, as the calling actor, with a deadline.

Interactions never reads the partners database: who is behind a participant's phone number is
asked with ``partners.find_by_phone``. The actor travels with the call (nameko
context data), so the partners service applies its own row-level access.
"""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from crm_kit.config import env_float
from crm_kit.errors import Unavailable

log = logging.getLogger(__name__)


class PartnersUnavailable(Unavailable):
    """The partners service did not answer in time (or is not running): try again later."""


class Partners:
    """One worker's view of the partners service."""

    def __init__(self, proxy, timeout: float):
        self._proxy = proxy
        self._timeout = timeout

    def _call(self, method: str, *args: Any) -> Any:
        try:
            with eventlet.Timeout(self._timeout):
                return getattr(self._proxy, method)(*args)
        except eventlet.Timeout:
            raise PartnersUnavailable(f"the partners service did not answer {method} in {self._timeout:g}s") from None
        except UnknownService:
            raise PartnersUnavailable("the partners service is not running") from None

    def find_by_phone(self, number: str) -> dict[str, Any]:
        """``{number, matches: [{partner_id, contact_id, ...}]}`` the actor may see."""
        return self._call("find_by_phone", number)


class PartnersClient(RpcProxy):
    """The partners service for a worker; calls time out after ``INTERACTIONS_PARTNERS_TIMEOUT_S``
    (default 5 s)."""

    def __init__(self):
        super().__init__("partners")
        self.timeout = 5.0

    def setup(self) -> None:
        super().setup()
        self.timeout = env_float("INTERACTIONS_PARTNERS_TIMEOUT_S", 5.0, minimum=0.1)

    def get_dependency(self, worker_ctx) -> Partners:
        return Partners(super().get_dependency(worker_ctx), self.timeout)
