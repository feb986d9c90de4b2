"""The partners and contact persons a deal's writes name (its partner and contact, a supplier, a
competitor): each must exist and be one the caller may see, or the write is refused with
NotFound, the same answer for "there is no such partner" and "it is not yours to see", so that
nothing about a hidden partner leaks, and nothing is written.

Where each partner sits is kept here from partners' events (``partner_placements``,
reassignment.py): a partner heard of is checked against the caller's row access with no call
(the rule is the one partners applies to its own rows, crm_kit.access). A partner not heard of
yet (just registered, its event still on the way), or one that sits out of the caller's sight
as last heard (it may have just moved into it: refusals are rare, so they are confirmed), is
asked of the partners service as the caller, which answers NotFound for one the caller may not
see. Contacts are not copied here:
they are asked of the partners service (``get_contact``). When partners does not answer, the
write is refused as Unavailable (nothing written; the caller retries). Without a partners client
(``partners`` None: use-case tests) only partners heard of count: any other is NotFound.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm_kit.access import can_see
from crm_kit.actor import Actor
from crm_kit.errors import NotFound, ValidationError
from services.deals.models import PartnerPlacement


def _not_found(partner_id: str, field: str) -> NotFound:
    return NotFound(f"partner {partner_id} not found", {field: partner_id})


def visible_partner(session: Session, actor: Actor, partners: Any, partner_id: str, field: str = "partner_id") -> dict[str, Any]:
    """Where the partner sits (``{manager_id, region, department}``), when it exists and the
    actor may see it; NotFound naming ``field`` otherwise."""
    row = session.get(PartnerPlacement, partner_id)
    if row is not None and can_see(actor, row.manager_id, row.region, row.department):
        return {"manager_id": row.manager_id, "region": row.region, "department": row.department}
    if partners is None:
        raise _not_found(partner_id, field)
    try:
        partner = partners.get(partner_id)
    except NotFound:
        raise _not_found(partner_id, field) from None
    return {"manager_id": partner.get("manager_id"), "region": partner.get("region"),
            "department": partner.get("department")}


def visible_contact(partners: Any, contact_id: str, partner_id: str, field: str = "contact_id") -> dict[str, Any]:
    """The contact person, when it exists, the actor may see its partner, and it is a contact of
    ``partner_id`` (the deal's partner; ValidationError on ``field`` for another partner's)."""
    try:
        if partners is None:
            raise NotFound(f"contact {contact_id} not found")
        contact = partners.get_contact(contact_id)
    except NotFound:
        raise NotFound(f"contact {contact_id} not found", {field: contact_id}) from None
    if str(contact.get("partner_id")) != str(partner_id):
        raise ValidationError.for_field(field, "not a contact person of the deal's partner")
    return contact
