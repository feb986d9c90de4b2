"""The reminder scan: ``reminder_due`` once for each interaction whose reminder time has come.

The interaction is marked (``reminded_at``) in the same transaction as the event, so a second
scan (or a second replica) never raises it again. Work is claimed in batches with ``FOR UPDATE
SKIP LOCKED`` (PostgreSQL) and each batch is committed on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from contracts import interactions as events
from crm_kit.clock import aware
from crm_kit.config import env_int
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.views import iso
from services.interactions.domain import schedule
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction
from services.interactions.usecases.about import about_interaction


def scan_reminders(uow: UnitOfWork, now: datetime | None = None, batch_size: int | None = None) -> dict[str, Any]:
    """Raise ``reminder_due`` for every interaction, not done or cancelled, whose reminder time
    has come and not been raised; answers how many were raised."""
    batch_size = batch_size or env_int("INTERACTIONS_REMINDER_BATCH", 1000, minimum=1, maximum=100_000)
    now = aware(now) if now is not None else utcnow()
    session = uow.session
    raised = 0
    while True:
        # Matches the partial index ix_interactions_reminder_scan (models.REMINDER_SCAN_WHERE).
        rows = session.scalars(
            select(Interaction)
            .where(
                Interaction.remind_at.is_not(None),
                Interaction.reminded_at.is_(None),
                Interaction.remind_at <= now,
                Interaction.status.not_in(status_rules.FINAL_STATUSES),
            )
            .order_by(Interaction.remind_at)
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not rows:
            break
        marked = utcnow()
        for interaction in rows:
            if not schedule.reminder_due(aware(interaction.remind_at), interaction.reminded_at, interaction.status, now):
                continue  # pragma: no cover - the query selects just these
            interaction.reminded_at = marked
            uow.emit(events.REMINDER_DUE, {
                **about_interaction(interaction), "kind": interaction.kind,
                "title": interaction.title, "remind_at": iso(interaction.remind_at),
                "planned_at": iso(interaction.planned_at),
            })
            raised += 1
        uow.commit()
        if len(rows) < batch_size:
            break
    return {"raised": raised, "now": now.isoformat()}
