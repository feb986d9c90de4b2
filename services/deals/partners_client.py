"""What deals asks of the partners service (crm_kit.remote: as the calling actor, with a deadline,
``DEALS_PARTNERS_TIMEOUT_S``, default 5 s; no answer is a typed Unavailable).

Deals never reads the partners database: whether a partner is a client (for the stages that
require it), what an agreement says (for choosing sales terms), and whether a partner not heard
of yet or a contact person exists for the caller (usecases/references.py) are asked here.
"""

from __future__ import annotations

from typing import Any

from crm_kit.remote import Remote, RemoteService


class Partners(Remote):
    def get(self, partner_id: str) -> dict[str, Any]:
        """The partner as the actor sees it (NotFound when it may not)."""
        return self.call("get", partner_id)

    def get_contact(self, contact_id: str) -> dict[str, Any]:
        """A contact person with its ``partner_id``, as the actor sees it (NotFound when it may not)."""
        return self.call("get_contact", contact_id)

    def get_agreement(self, agreement_id: str) -> dict[str, Any]:
        """An agreement as the actor sees it (NotFound when it may not)."""
        return self.call("get_agreement", agreement_id)


def PartnersClient() -> RemoteService:  # noqa: N802  (reads as the dependency it declares)
    return RemoteService("partners", Partners)
