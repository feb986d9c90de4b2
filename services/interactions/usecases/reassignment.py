"""The work in progress follows the client: when a partner gets another manager
(``partner_reassigned``, alone or in a whole-base handover), its planned interactions (planned or
postponed) and its open call-back tasks that were the previous manager's go to the new one.
Interactions that happened (done, in progress) and cancelled ones keep who had them; so do tasks
done. Each one moved raises ``interaction_reassigned`` or ``task_reassigned``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from contracts import interactions as events
from crm_kit.db import UnitOfWork, utcnow
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction, Task
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.tasks import OPEN

PLANNED_STATUSES = (status_rules.PLANNED, status_rules.POSTPONED)


def partner_reassigned(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """Move the partner's planned interactions and open call-back tasks from its previous
    manager to its new one. Applied once per event (inbox)."""
    data = event["data"]
    previous, manager = data.get("previous_manager_id"), data.get("manager_id")
    if not previous or not manager or previous == manager:
        return {"interactions": 0, "tasks": 0}
    session, now = uow.session, utcnow()
    partner_id = str(data["partner_id"])
    actor = event.get("actor")
    why = {"previous_responsible_id": previous, "reason": data.get("reason"), "handover_id": data.get("handover_id"),
           "partner_event_id": str(event["event_id"]),
           "by": actor.get("user_id") if isinstance(actor, dict) else None}

    planned = session.execute(
        update(Interaction)
        .where(Interaction.partner_id == partner_id, Interaction.responsible_id == previous,
               Interaction.status.in_(PLANNED_STATUSES))
        .values(responsible_id=manager, updated_at=now)
        .returning(Interaction.id, Interaction.partner_id, Interaction.responsible_id, Interaction.region,
                   Interaction.department)
        .execution_options(synchronize_session=False)
    ).all()
    for row in planned:
        uow.emit(events.INTERACTION_REASSIGNED, {**about_interaction(row), **why})

    tasks = session.execute(
        update(Task)
        .where(Task.partner_id == partner_id, Task.assignee_id == previous, Task.status == OPEN)
        .values(assignee_id=manager)
        .returning(Task.id, Task.kind, Task.interaction_id, Task.partner_id, Task.assignee_id, Task.region,
                   Task.department)
        .execution_options(synchronize_session=False)
    ).all()
    for task in tasks:
        uow.emit(events.TASK_REASSIGNED, {
            "interaction_id": task.interaction_id, "partner_id": task.partner_id, "responsible_id": task.assignee_id,
            "region": task.region, "department": task.department, **why, "task_id": task.id, "kind": task.kind,
        })
    return {"interactions": len(planned), "tasks": len(tasks)}


