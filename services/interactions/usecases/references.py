"""The partners, contact persons and deals an interaction's writes name (its subject, the partner
it is with, its participants, what was created from it): each must exist and be one the caller
may see, or the write is refused with NotFound, the same answer for "there is none" and "it is
not yours to see", so that nothing about a hidden one leaks, and nothing is written. Without
it a manager could register a call with another region's client and so move that client's
last-interaction date (take over its forgotten-clients entry), or link a hidden contact.

How it is checked, and why:

- A partner heard of from partners' events (``partner_activity``, kept for forgotten clients,
  last_interaction.follow_partners; ``partner_name`` set: the event carried the partner) is
  checked here against the caller's row access, with no call: that is the rule partners applies
  to its own rows (crm_kit.access), on the same manager, region and department.
- A partner not heard of yet (just registered, its event still on the way), or one out of the
  caller's sight as last heard (it may have just moved into it; refusals are rare, so they are
  confirmed), is asked of the partners service as the caller (``get``), which answers NotFound
  for one the caller may not see. So a client registered a moment ago can be written about at
  once.
- Contacts are not copied here: asked of partners (``get_contact``); deals are asked of the
  deals service (``get_deal``), which applies its own row access.
- When the service asked does not answer, the write is refused as Unavailable (nothing
  written; the caller retries).

The telephony path does not come through here: a call from the PBX names the partner the
number belongs to (caller_matching.py), found by the platform itself, and its batch makes no
call per event. Claims are not checked yet (there is no claims service to ask).

Without a client to ask (``partners``/``deals`` None: use-case tests) only what is heard of
counts: anything else is NotFound.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_kit.access import can_see
from crm_kit.actor import Actor
from crm_kit.errors import NotFound, ValidationError
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import PartnerActivity


class References:
    """The checks of one write, for ``actor``; ``partners`` and ``deals`` the clients asked."""

    def __init__(self, session: Session, actor: Actor, partners: Any = None, deals: Any = None):
        self.session = session
        self.actor = actor
        self.partners = partners
        self.deals = deals

    def partner(self, partner_id: str, field: str = "partner_id") -> None:
        """NotFound naming ``field`` unless the partner exists and the actor may see it."""
        row = self.session.get(PartnerActivity, partner_id)
        if row is not None and row.partner_name is not None and can_see(self.actor, row.manager_id, row.region, row.department):
            return
        self._ask(self.partners, "get", partner_id, "partner", field)

    def contact(self, contact_id: str, field: str = "contact_id", partner_id: str | None = None) -> None:
        """NotFound naming ``field`` unless the contact exists and the actor may see its partner;
        ValidationError when ``partner_id`` is given and the contact is another partner's."""
        contact = self._ask(self.partners, "get_contact", contact_id, "contact", field)
        if partner_id and str(contact.get("partner_id")) != str(partner_id):
            raise ValidationError.for_field(field, f"not a contact person of partner {partner_id}")

    def deal(self, deal_id: str, field: str = "deal_id") -> dict[str, Any]:
        """The deal (as the deals service shows it to the actor), or NotFound naming ``field``."""
        return self._ask(self.deals, "get_deal", deal_id, "deal", field)

    def subject(self, subject_kind: str, subject_id: str, field: str = "subject_id") -> None:
        """The subject of an interaction: a partner or a deal the actor may see."""
        if subject_kind == kind_rules.PARTNER:
            self.partner(subject_id, field)
        elif subject_kind == kind_rules.DEAL:
            self.deal(subject_id, field)

    def participant(self, data: dict[str, Any], prefix: str = "") -> None:
        """A participant's partner and contact (its user is a user of the platform, not a row)."""
        if data.get("partner_id"):
            self.partner(data["partner_id"], f"{prefix}partner_id")
        if data.get("contact_id"):
            self.contact(data["contact_id"], f"{prefix}contact_id", data.get("partner_id"))

    def _ask(self, client: Any, method: str, row_id: str, what: str, field: str) -> dict[str, Any]:
        try:
            if client is None:
                raise NotFound(f"{what} {row_id} not found")
            return getattr(client, method)(row_id)
        except NotFound:
            raise NotFound(f"{what} {row_id} not found", {field: row_id}) from None
