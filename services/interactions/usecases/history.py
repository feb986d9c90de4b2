"""Interactions in order: a chain (the first interaction and its replies) and everything about one
subject (a partner, deal or claim), as far as the actor may see them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_kit.actor import Actor
from crm_kit.clock import aware
from crm_kit.errors import ValidationError
from crm_kit.validation import uuid_arg
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import Interaction
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.views import interaction_summary


def list_chain(session: Session, actor: Actor, interaction_id: str) -> list[dict[str, Any]]:
    """Every interaction of the chain this one belongs to that the actor may see, in order of
    registration (a reply always comes after what it answers)."""
    interaction = INTERACTIONS.for_read(session, actor, interaction_id)
    rows = session.scalars(
        select(Interaction).where(Interaction.chain_id == interaction.chain_id, INTERACTIONS.visible(actor))
    ).all()
    return [interaction_summary(i) for i in sorted(rows, key=lambda i: (aware(i.created_at), i.id))]


def list_by_subject(session: Session, actor: Actor, subject_kind: Any, subject_id: Any, limit: Any = 200) -> list[dict[str, Any]]:
    """The interactions about a partner, deal or claim the actor may see, oldest first."""
    if subject_kind not in kind_rules.SUBJECT_KINDS:
        raise ValidationError.for_field("subject_kind", f"one of {', '.join(kind_rules.SUBJECT_KINDS)}")
    subject_id = uuid_arg(subject_id, "subject_id")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValidationError.for_field("limit", "a whole number from 1 to 1000")
    rows = session.scalars(
        select(Interaction)
        .where(Interaction.subject_kind == subject_kind, Interaction.subject_id == subject_id, INTERACTIONS.visible(actor))
        .order_by(Interaction.created_at, Interaction.id)
        .limit(limit)
    ).all()
    return [interaction_summary(i) for i in rows]
