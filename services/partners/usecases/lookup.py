"""Reading partners as the actor may: row-level access applied to loads and queries."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crm_kit import access
from crm_kit.actor import Actor
from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed
from services.partners.models import ACTIVE, Contact, Partner


def visible(query: Select, actor: Actor) -> Select:
    """Restrict a query over ``Partner`` to the rows ``actor`` may see."""
    return access.restrict(query, actor, Partner.manager_id, Partner.region, Partner.department)

def can_see(actor: Actor, partner: Partner) -> bool:
    return access.can_see(actor, partner.manager_id, partner.region, partner.department)


def partner_for_read(session: Session, actor: Actor, partner_id: str) -> Partner:
    """The partner, or NotFound, also when the actor may not see it (no existence leak)."""
    partner = session.get(Partner, partner_id)
    if partner is None or not can_see(actor, partner):
        raise NotFound(f"partner {partner_id} not found", {"partner_id": partner_id})
    return partner


def partner_for_change(session: Session, actor: Actor, partner_id: str, *, lock: bool = True) -> Partner:
    """The partner, locked for update, that ``actor`` may change and that is still active."""
    partner = session.get(Partner, partner_id, with_for_update=lock or None)
    if partner is None or not can_see(actor, partner):
        raise NotFound(f"partner {partner_id} not found", {"partner_id": partner_id})
    if not access.can_change(actor, partner.manager_id, partner.region, partner.department):
        raise PermissionDenied(f"you may not change partner {partner_id}", {"partner_id": partner_id})
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


def visible_ids(session: Session, actor: Actor, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(session.scalars(visible(select(Partner.id).where(Partner.id.in_(ids)), actor)))
