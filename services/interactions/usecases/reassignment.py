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
from crm_kit.batch import in_rounds
from crm_kit.db import UnitOfWork, utcnow
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction, Task
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.last_interaction import follow_partners
from services.interactions.usecases.tasks import OPEN

PLANNED_STATUSES = (status_rules.PLANNED, status_rules.POSTPONED)
# Partners per statement: keeps IN lists well under the databases' parameter limits.
CHUNK = 500


def partner_reassigned(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """One partner_reassigned: see :func:`partners_reassigned`."""
    return partners_reassigned(uow, [event])


def partners_reassigned(uow: UnitOfWork, batch: list[dict[str, Any]]) -> dict[str, int]:
    """Move each partner's planned interactions and open call-back tasks from its previous
    manager to its new one: one UPDATE per previous and new manager for a whole-base handover.
    Events of one partner are applied in the order they happened (a round each)."""
    totals = {"interactions": 0, "tasks": 0}
    # Forgotten clients are the responsible manager's (last_interaction.py).
    follow_partners(uow.session, [event["data"] for event in sorted(batch, key=lambda e: str(e.get("occurred_at")))])
    for round_ in in_rounds(batch, lambda event: str(event["data"]["partner_id"])):
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for event in round_:
            previous, manager = event["data"].get("previous_manager_id"), event["data"].get("manager_id")
            if previous and manager and previous != manager:
                groups.setdefault((previous, manager), []).append(event)
        for (previous, manager), events_ in groups.items():
            for start in range(0, len(events_), CHUNK):
                counts = _move(uow, previous, manager, events_[start:start + CHUNK])
                totals = {key: totals[key] + counts[key] for key in totals}
    return totals


def _move(uow: UnitOfWork, previous: str, manager: str, batch: list[dict[str, Any]]) -> dict[str, int]:
    session, now = uow.session, utcnow()
    by_partner = {str(event["data"]["partner_id"]): event for event in batch}

    def why(partner_id: Any) -> dict[str, Any]:
        event = by_partner[str(partner_id)]
        actor = event.get("actor")
        return {"previous_responsible_id": previous, "reason": event["data"].get("reason"),
                "handover_id": event["data"].get("handover_id"), "partner_event_id": str(event["event_id"]),
                "by": actor.get("user_id") if isinstance(actor, dict) else None}

    planned = session.execute(
        update(Interaction)
        .where(Interaction.partner_id.in_(list(by_partner)), Interaction.responsible_id == previous,
               Interaction.status.in_(PLANNED_STATUSES))
        .values(responsible_id=manager, updated_at=now)
        .returning(Interaction.id, Interaction.partner_id, Interaction.responsible_id, Interaction.region,
                   Interaction.department)
        .execution_options(synchronize_session=False)
    ).all()
    for row in planned:
        uow.emit(events.INTERACTION_REASSIGNED, {**about_interaction(row), **why(row.partner_id)})

    tasks = session.execute(
        update(Task)
        .where(Task.partner_id.in_(list(by_partner)), Task.assignee_id == previous, Task.status == OPEN)
        .values(assignee_id=manager)
        .returning(Task.id, Task.kind, Task.interaction_id, Task.partner_id, Task.assignee_id, Task.region,
                   Task.department)
        .execution_options(synchronize_session=False)
    ).all()
    for task in tasks:
        uow.emit(events.TASK_REASSIGNED, {
            "interaction_id": task.interaction_id, "partner_id": task.partner_id, "responsible_id": task.assignee_id,
            "region": task.region, "department": task.department, **why(task.partner_id), "task_id": task.id,
            "kind": task.kind,
        })
    return {"interactions": len(planned), "tasks": len(tasks)}
