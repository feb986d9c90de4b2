"""A follow-up of an interaction: a planned interaction about the same subject, in the same chain
(a reply to it), ``follow_up_of_id`` linking back; registered like any other (registration.py)."""

from __future__ import annotations

from typing import Any

from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.validation import load
from services.interactions.domain import status as status_rules
from services.interactions.schemas import FollowUpIn
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.usecases.registration import create
from services.interactions.views import interaction_view


def follow_up(uow: UnitOfWork, actor: Actor, interaction_id: str, payload: Any) -> dict[str, Any]:
    """A follow-up of an interaction: same subject, partner, region and chain (a reply to it),
    responsible the same unless given; ``follow_up_of_id`` keeps the link."""
    data = load(FollowUpIn(), payload or {}, what="follow_up")
    origin = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    data.update(
        subject_kind=origin.subject_kind, subject_id=origin.subject_id, partner_id=origin.partner_id,
        reply_to_id=origin.id, region=origin.region, department=origin.department,
        responsible_id=data.get("responsible_id") or origin.responsible_id, status=status_rules.PLANNED,
    )
    return interaction_view(create(uow, actor, data, follow_up_of=origin))
