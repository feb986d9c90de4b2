"""Reading partners as the actor may: the row-level guard of partners (crm_kit.access), and
what changing one needs besides (it is still active)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crm_kit.access import RowAccess
from crm_kit.actor import Actor
from crm_kit.errors import NotFound, PreconditionFailed
from services.partners.models import ACTIVE, Contact, Partner

PARTNERS = RowAccess(Partner, "partner", owner=Partner.manager_id, region=Partner.region, department=Partner.department)


def partner_for_change(session: Session, actor: Actor, partner_id: str, *, lock: bool = True) -> Partner:
    """The partner, locked for update, that ``actor`` may change (NotFound when it may not see
    it) and that is still active (PreconditionFailed when merged or archived)."""
    partner = PARTNERS.for_change(session, actor, partner_id, lock=lock)
    if partner.status != ACTIVE:
        raise PreconditionFailed(
            f"partner {partner_id} is {partner.status}"
            + (f" into {partner.merged_into}" if partner.merged_into else ""),
            {"status": partner.status, "merged_into": partner.merged_into},
        )
    return partner


def contact_for_change(session: Session, actor: Actor, contact_id: str) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})
    partner_for_change(session, actor, contact.partner_id)
    return contact

