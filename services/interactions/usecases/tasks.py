"""Tasks the platform makes for people: the call-back task of a missed incoming call (made by the
PBX batch, call_ingest.py, through :func:`call_back_task`), where it goes when the caller is
found later, and listing and completing tasks.

A missed incoming call makes one call-back task (domain/calls.py ``needs_call_back``), once per
call: on the call's responsible user (the one at the extension, else the client's manager),
unassigned when neither is known. A task is seen and completed under the same row-level rules
as interactions, on its assignee, region and department; an unassigned task is seen by heads of
sales and admins, who hand it on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from contracts import interactions as events
from crm_kit import phones
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import PreconditionFailed, ValidationError
from crm_kit.models import new_id
from crm_kit.validation import load
from services.interactions.domain import calls as call_rules
from services.interactions.models import Task
from services.interactions.schemas import ListTasksIn
from services.interactions.usecases.lookup import TASKS
from services.interactions.views import task_view

OPEN, DONE = "open", "done"


# --- a missed call makes a call-back task -------------------------------------------------

def call_back_task(rec: dict[str, Any], call: call_rules.Call, contact_id: str | None) -> dict[str, Any] | None:
    """The call-back task of a call that has just been missed (a row for :func:`add_tasks`), or
    None when it needs none (an outgoing call). ``rec`` is the call's record as the PBX batch
    holds it (call_records.py); the task is due when the call ended."""
    if not call_rules.needs_call_back(call):
        return None
    number = rec["external_number"] or call.external
    return {
        "id": new_id(), "kind": call_rules.TASK_CALL_BACK, "status": OPEN, "title": f"Call back {phones.display(number)}",
        "assignee_id": rec["responsible_id"], "partner_id": rec["partner_id"], "contact_id": contact_id,
        "interaction_id": rec["id"], "call_id": rec["call_id"], "phone": number, "due_at": call.ended_at,
        "region": rec["region"], "department": rec["department"], "note": None, "created_at": utcnow(),
        "completed_at": None, "completed_by": None,
    }


def add_tasks(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the tasks of a batch in one statement."""
    if rows:
        session.execute(insert(Task.__table__), rows)


def assign_call_backs_of_matched_call(session: Session, rec: dict[str, Any]) -> None:
    """A call stored while partners did not answer is matched now: its call-back task, still
    unassigned, goes to the call's responsible user and names the partner."""
    session.execute(
        update(Task.__table__).where(Task.interaction_id == rec["id"], Task.assignee_id.is_(None))
        .values(assignee_id=rec["responsible_id"], partner_id=rec["partner_id"])
    )


def hand_call_backs_to_caller(session: Session, interaction_ids: list[str], partner_id: str, manager_id: str | None) -> None:
    """Calls from a number nobody had now name its partner (the prospect made for it, or the
    partner registered with it meanwhile: call_leads.py): so do their call-back tasks, and an
    unassigned one goes to that partner's manager."""
    if not interaction_ids:
        return
    for task in session.scalars(select(Task).where(Task.interaction_id.in_(interaction_ids), Task.partner_id.is_(None))):
        task.partner_id = partner_id
        task.assignee_id = task.assignee_id or manager_id


# --- reading and completing tasks ---------------------------------------------------------


def list_tasks(session, actor: Actor, query: Any) -> dict[str, Any]:
    """Tasks of ``assignee_id`` (default: the caller, unless ``partner_id`` is given), open ones
    by default, oldest due first."""
    data = load(ListTasksIn(), query or {}, what="query")
    statement = select(Task).where(TASKS.visible(actor))
    if data["assignee_id"] or not data["partner_id"]:
        statement = statement.where(Task.assignee_id == (data["assignee_id"] or actor.user_id))
    if data["partner_id"]:
        statement = statement.where(Task.partner_id == data["partner_id"])
    if data["status"] != "all":
        statement = statement.where(Task.status == data["status"])
    rows = session.scalars(statement.order_by(Task.due_at, Task.created_at, Task.id).limit(data["limit"])).all()
    return {"items": [task_view(t) for t in rows]}


def open_tasks_of_partner(session, actor: Actor, partner_id: str, limit: int = 20) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Task).where(Task.partner_id == partner_id, Task.status == OPEN, TASKS.visible(actor))
        .order_by(Task.due_at, Task.id).limit(limit)
    ).all()
    return [task_view(t) for t in rows]


def complete_task(uow: UnitOfWork, actor: Actor, task_id: str, note: Any = None) -> dict[str, Any]:
    if note is not None and (not isinstance(note, str) or len(note) > 4000):
        raise ValidationError.for_field("note", "text of at most 4000 characters")
    task = TASKS.for_change(uow.session, actor, task_id)
    if task.status != OPEN:
        raise PreconditionFailed(f"task {task_id} is {task.status} already", {"status": task.status})
    task.status, task.completed_at, task.completed_by, task.note = DONE, utcnow(), actor.user_id, note
    uow.session.flush()
    uow.emit(events.TASK_COMPLETED, {
        "interaction_id": task.interaction_id, "partner_id": task.partner_id, "responsible_id": task.assignee_id,
        "region": task.region, "department": task.department,
        "task_id": task.id, "kind": task.kind, "completed_at": task.completed_at.isoformat(),
        "completed_by": actor.user_id, "note": note,
    })
    return task_view(task)
