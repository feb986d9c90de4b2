"""Moving an interaction through its statuses: planned, in progress, done (with its outcome),
postponed (to a new time) or cancelled, as the flow allows (domain/status.py). Done raises
``interaction_completed``, the other moves ``interaction_updated``; once it has happened (in
progress or done) the partner's last-interaction date moves on (last_interaction.py)."""

from __future__ import annotations

from typing import Any

from contracts import interactions as events
from crm_kit.actor import Actor
from crm_kit.clock import aware
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.validation import load
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction
from services.interactions.schemas import StatusIn
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.details import save_changes
from services.interactions.usecases.last_interaction import touch_partner
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.views import interaction_view


def completed_event(interaction: Interaction) -> dict[str, Any]:
    return {
        **about_interaction(interaction), "kind": interaction.kind,
        "subject_kind": interaction.subject_kind, "subject_id": interaction.subject_id,
        "outcome": interaction.outcome, "completed_at": aware(interaction.completed_at).isoformat(),
    }


def set_status(uow: UnitOfWork, actor: Actor, interaction_id: str, payload: Any) -> dict[str, Any]:
    """Move an interaction to another status (``{status, outcome?, planned_at?}``): done raises
    ``interaction_completed`` with the outcome, the others ``interaction_updated``. Refuses a
    move the flow does not allow (PreconditionFailed, details ``allowed``)."""
    data = load(StatusIn(), payload, what="change")
    interaction = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    status_rules.check_move(interaction.status, data["status"])
    now = utcnow()
    interaction.status = data["status"]
    changed = ["status"]
    if data.get("outcome") is not None:
        interaction.outcome = data["outcome"]
        changed.append("outcome")
    if data.get("planned_at") is not None:
        interaction.planned_at = data["planned_at"]
        changed.append("planned_at")
    if interaction.status in status_rules.HAPPENED_STATUSES and interaction.occurred_at is None:
        interaction.occurred_at = now
    if interaction.status == status_rules.DONE:
        interaction.completed_at = now
        uow.session.flush()
        touch_partner(uow.session, interaction)
        uow.emit(events.INTERACTION_COMPLETED, completed_event(interaction))
        return interaction_view(interaction)
    touch_partner(uow.session, interaction)
    return save_changes(uow, interaction, changed)
