"""What deals asks of the partners service (crm_kit.remote: as the calling actor, with a deadline,
``DEALS_PARTNERS_TIMEOUT_S``, default 5 s; no answer is a typed Unavailable).

Deals never reads the partners database: whether a partner is a client (for the stages that
require it) and what an agreement says (for choosing sales terms) are asked here.
"""

from __future__ import annotations

from typing import Any

from crm_kit.remote import Remote, RemoteService


class Partners(Remote):
    def get(self, partner_id: str) -> dict[str, Any]:
        """The partner as the actor sees it (NotFound when it may not)."""
        return self.call("get", partner_id)

    def get_agreement(self, agreement_id: str) -> dict[str, Any]:
        """An agreement as the actor sees it (NotFound when it may not)."""
        return self.call("get_agreement", agreement_id)


def PartnersClient() -> RemoteService:  # noqa: N802  (reads as the dependency it declares)
    return RemoteService("partners", Partners)
