"""The partners section of the client card: one RPC, one statement, with everything the card
needs from here."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, and_, case, or_, select
from sqlalchemy.orm import Session

from crm_kit import reads
from crm_kit.actor import Actor
from services.partners.domain import agreements as rules
from services.partners.models import Agreement, Contact, ManagerAssignment, Partner, Relationship
from services.partners.usecases.agreements import STANDARD
from services.partners.usecases.lookup import PARTNERS
from services.partners.views import AGREEMENT, ASSIGNMENT, PARTNER, RELATIONSHIP_FIELDS

HISTORY_SHOWN = 5


def _card() -> Any:
    """The card's document: the partner, its relationships (as list_relationships), the
    agreements in force on the ``today`` parameter (as agreements_in_force) and the latest
    manager assignments (as manager_history)."""
    own_contacts = select(Contact.id).where(Contact.partner_id == Partner.id).correlate(Partner)
    outgoing = or_(Relationship.from_partner_id == Partner.id, reads.in_subquery(Relationship.from_contact_id, own_contacts))
    relationships = reads.rows(
        select(reads.record(**RELATIONSHIP_FIELDS, direction=case((outgoing, "outgoing"), else_="incoming"))).where(
            or_(
                Relationship.from_partner_id == Partner.id,
                Relationship.to_partner_id == Partner.id,
                reads.in_subquery(Relationship.from_contact_id, own_contacts),
                reads.in_subquery(Relationship.to_contact_id, own_contacts),
            )
        ),
        order_by=[Relationship.created_at, Relationship.id],
    )
    today = reads.parameter("today", Date)
    # rules.is_in_force, in SQL: approved, today within valid_from..valid_to (a missing bound is open).
    in_force = reads.rows(
        select(AGREEMENT).where(
            Agreement.status == rules.APPROVED,
            or_(Agreement.partner_id == Partner.id,
                and_(Agreement.kind == STANDARD, Agreement.segment == Partner.segment)),
            or_(Agreement.valid_from.is_(None), Agreement.valid_from <= today),
            or_(Agreement.valid_to.is_(None), Agreement.valid_to >= today),
        ),
        order_by=[Agreement.kind, Agreement.valid_from, Agreement.created_at, Agreement.id],
    )
    history = reads.rows(
        select(ASSIGNMENT).where(ManagerAssignment.partner_id == Partner.id),
        order_by=[ManagerAssignment.changed_at.desc(), ManagerAssignment.id.desc()],
        limit=HISTORY_SHOWN,
    )
    return reads.record(partner=PARTNER, relationships=relationships, agreements=in_force, history=history)


CARD = _card()


def client_card(session: Session, actor: Actor, partner_id: str) -> dict[str, Any]:
    """The partner, its contacts with roles and phones, relationships, agreements in force,
    responsible manager with recent history, and key figures."""
    card = PARTNERS.read(session, actor, partner_id, CARD, today=date.today())
    partner = card["partner"]
    created_at = partner["created_at"]
    return {
        "partner": partner,
        "contacts": partner["contacts"],
        "relationships": card["relationships"],
        "agreements": card["agreements"],
        "manager": {"manager_id": partner["manager_id"], "department": partner["department"], "history": card["history"]},
        "figures": {
            "contacts": len(partner["contacts"]),
            "relationships": len(card["relationships"]),
            "agreements_in_force": len(card["agreements"]),
            # The client's figures from its deals (client since, deals won, ...) are the deals
            # section's: the gateway puts them here.
            "registered_on": created_at[:10] if created_at else None,
        },
    }
