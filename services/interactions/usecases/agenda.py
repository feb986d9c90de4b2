"""A user's time: the calendar (interactions in a date range), overdue planned interactions and
forgotten clients (no interaction for N days: last_interaction.py keeps the dates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from crm_kit.actor import Actor
from crm_kit.clock import aware
from crm_kit.db import utcnow
from crm_kit.errors import ValidationError
from crm_kit.validation import load
from crm_kit.views import iso
from services.interactions.domain import schedule
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction, PartnerActivity
from services.interactions.schemas import CalendarIn
from services.interactions.usecases.lookup import INTERACTIONS, PARTNER_ACTIVITY
from services.interactions.views import interaction_summary


def calendar(session: Session, actor: Actor, query: Any) -> dict[str, Any]:
    """``{user_id, date_from, date_to, items}``: the interactions of ``user_id`` (default: the
    caller) planned, or having happened, in the days from ``date_from`` to ``date_to``
    inclusive, in time order; only those the actor may see."""
    data = load(CalendarIn(), query, what="query")
    user_id = data["user_id"] or actor.user_id
    start, end = schedule.day_range(data["date_from"], data["date_to"])
    when = Interaction.planned_at
    rows = session.scalars(
        select(Interaction)
        .where(
            INTERACTIONS.visible(actor),
            Interaction.responsible_id == user_id,
            or_(
                and_(when >= start, when < end),
                and_(when.is_(None), Interaction.occurred_at >= start, Interaction.occurred_at < end),
            ),
        )
        .limit(5000)
    ).all()
    items = sorted(rows, key=lambda i: (aware(i.planned_at or i.occurred_at), i.id))
    return {
        "user_id": user_id, "date_from": data["date_from"].isoformat(), "date_to": data["date_to"].isoformat(),
        "items": [interaction_summary(i) for i in items],
    }


def overdue(session: Session, actor: Actor, user_id: Any = None, now: datetime | None = None) -> dict[str, Any]:
    """Planned interactions whose time has passed, of ``user_id`` (default: the caller), oldest
    first; only those the actor may see."""
    if user_id is not None and (not isinstance(user_id, str) or not 1 <= len(user_id) <= 64):
        raise ValidationError.for_field("user_id", "a user id")
    user_id = user_id or actor.user_id
    now = now or utcnow()
    rows = session.scalars(
        select(Interaction)
        .where(
            INTERACTIONS.visible(actor),
            Interaction.responsible_id == user_id,
            Interaction.status == status_rules.PLANNED,
            Interaction.planned_at < now,
        )
        .order_by(Interaction.planned_at, Interaction.id)
        .limit(1000)
    ).all()
    return {"user_id": user_id, "now": now.isoformat(), "items": [interaction_summary(i) for i in rows]}


def forgotten_clients(session: Session, actor: Actor, manager_id: Any, days: Any, now: datetime | None = None) -> dict[str, Any]:
    """Active clients with no interaction that happened (in progress or done) for more than
    ``days`` days, never contacted ones included (registered more than ``days`` days ago), those
    never contacted first, then the longest forgotten.

    A client is its responsible manager's (partners' events say who), not the last caller's.
    ``manager_id`` narrows to one manager's clients; without it, every forgotten client the actor
    may see (a head of sales: the department's). Only rows the actor may see (manager, region,
    department)."""
    if manager_id is not None and (not isinstance(manager_id, str) or not 1 <= len(manager_id) <= 64):
        raise ValidationError.for_field("manager_id", "a user id")
    now = now or utcnow()
    cutoff = schedule.forgotten_cutoff(days, now)
    never = PartnerActivity.last_interaction_at.is_(None)
    query = select(PartnerActivity).where(
        or_(PartnerActivity.last_interaction_at < cutoff,
            and_(never, or_(PartnerActivity.registered_at.is_(None), PartnerActivity.registered_at < cutoff))),
        or_(PartnerActivity.client.is_(None), PartnerActivity.client.is_(True)),
        or_(PartnerActivity.status.is_(None), PartnerActivity.status == "active"),
        PARTNER_ACTIVITY.visible(actor),
    )
    if manager_id:
        query = query.where(PartnerActivity.manager_id == manager_id)
    order = [case((never, 0), else_=1), PartnerActivity.last_interaction_at, PartnerActivity.registered_at,
             PartnerActivity.partner_id]
    rows = session.scalars(query.order_by(*order).limit(1000)).all()

    def since(row) -> int | None:
        moment = row.last_interaction_at or row.registered_at
        return (now - aware(moment)).days if moment is not None else None

    return {
        "manager_id": manager_id, "days": days,
        "items": [
            {
                "partner_id": row.partner_id,
                "partner_name": row.partner_name,
                "manager_id": row.manager_id,
                "never_contacted": row.last_interaction_at is None,
                "last_interaction_at": iso(row.last_interaction_at),
                "last_interaction_id": row.last_interaction_id,
                "days_since": since(row),
            }
            for row in rows
        ],
    }
