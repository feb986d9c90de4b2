"""The partners section of the client card: one RPC with everything the card needs from here."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from crm_kit.actor import Actor
from services.partners.usecases.agreements import agreements_in_force
from services.partners.usecases.lookup import PARTNERS
from services.partners.usecases.managers import manager_history
from services.partners.usecases.relationships import list_relationships
from services.partners.views import partner_view


def client_card(session: Session, actor: Actor, partner_id: str) -> dict[str, Any]:
    """The partner, its contacts with roles and phones, relationships, agreements in force,
    responsible manager with recent history, and key figures."""
    partner = PARTNERS.for_read(session, actor, partner_id)
    today = date.today()
    view = partner_view(partner)
    in_force = agreements_in_force(session, partner, today)
    relations = list_relationships(session, actor, partner.id)
    history = manager_history(session, actor, partner.id)[:5]
    return {
        "partner": view,
        "contacts": view["contacts"],
        "relationships": relations,
        "agreements": in_force,
        "manager": {"manager_id": partner.manager_id, "department": partner.department, "history": history},
        "figures": {
            "contacts": len(view["contacts"]),
            "relationships": len(relations),
            "agreements_in_force": len(in_force),
            "client_since": partner.created_at.date().isoformat() if partner.created_at else None,
        },
    }
