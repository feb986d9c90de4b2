"""Reading calls from the PBX: one call by the PBX's call id, and lists of calls by partner,
responsible user, state and days, under the interactions' row-level access."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_kit.errors import NotFound, ValidationError
from crm_kit.validation import load
from services.interactions.domain import schedule
from services.interactions.models import Interaction
from services.interactions.schemas import ListCallsIn
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.views import call_summary, interaction_view


def get_call(session: Session, actor, call_id: Any) -> dict[str, Any]:
    """The call interaction of ``call_id``; NotFound also when the actor may not see it."""

    if not isinstance(call_id, str) or not 1 <= len(call_id) <= 200:
        raise ValidationError.for_field("call_id", "a call id (1 to 200 characters)")
    row = session.scalar(select(Interaction).where(Interaction.call_id == call_id, INTERACTIONS.visible(actor)))
    if row is None:
        raise NotFound(f"call {call_id} not found", {"call_id": call_id})
    return interaction_view(row)


def list_calls(session: Session, actor, query: Any) -> dict[str, Any]:
    """Calls the actor may see, newest first, by partner, responsible user, state and days."""

    data = load(ListCallsIn(), query or {}, what="query")
    statement = select(Interaction).where(Interaction.call_id.is_not(None), INTERACTIONS.visible(actor))
    if data["partner_id"]:
        statement = statement.where(Interaction.partner_id == data["partner_id"])
    if data["responsible_id"]:
        statement = statement.where(Interaction.responsible_id == data["responsible_id"])
    if data["state"]:
        statement = statement.where(Interaction.call_state == data["state"])
    if data["date_from"] or data["date_to"]:
        start, end = schedule.day_range(data["date_from"] or data["date_to"], data["date_to"] or data["date_from"])
        statement = statement.where(Interaction.occurred_at >= start, Interaction.occurred_at < end)
    rows = session.scalars(statement.order_by(Interaction.occurred_at.desc(), Interaction.id).limit(data["limit"])).all()
    return {"items": [call_summary(row) for row in rows]}
