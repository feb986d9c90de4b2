"""The interactions section of the client card: one RPC with the partner's latest interactions,
the planned ones and the open call-back tasks, over what the actor may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_kit.actor import Actor
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.usecases.tasks import open_tasks_of_partner
from services.interactions.views import interaction_summary

LAST_SHOWN, UPCOMING_SHOWN = 5, 20


def card_section(session: Session, actor: Actor, partner_id: str) -> dict[str, Any]:
    """What the client card shows from interactions: ``last_interactions`` (the 5 latest that
    happened, newest first), ``upcoming`` (planned ones, soonest first, at most 20) and
    ``open_tasks`` (call-backs of missed calls, soonest due first). Only what the actor may see."""
    of_partner = select(Interaction).where(Interaction.partner_id == partner_id, INTERACTIONS.visible(actor))
    last = session.scalars(
        of_partner.where(Interaction.status.in_(status_rules.HAPPENED_STATUSES))
        .order_by(Interaction.created_at.desc(), Interaction.id.desc())
        .limit(LAST_SHOWN)
    ).all()
    upcoming = session.scalars(
        of_partner.where(Interaction.status == status_rules.PLANNED)
        .order_by(Interaction.planned_at, Interaction.id)
        .limit(UPCOMING_SHOWN)
    ).all()
    return {
        "partner_id": partner_id,
        "last_interactions": [interaction_summary(i) for i in last],
        "upcoming": [interaction_summary(i) for i in upcoming],
        "open_tasks": open_tasks_of_partner(session, actor, partner_id),
    }
