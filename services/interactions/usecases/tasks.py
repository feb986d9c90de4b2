"""Tasks the platform makes for people (calling back a missed call), and which user answers
which PBX extension.

A task is seen and completed under the same row-level rules as interactions, on its assignee,
region and department; an unassigned task (nobody at the extension, no manager known) is seen
by heads of sales and admins, who hand it on. Extensions are set by admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from contracts import interactions as events
from crm_kit.access import require_role
from crm_kit.actor import ADMIN, Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import PermissionDenied, PreconditionFailed, ValidationError
from crm_kit.validation import load
from services.interactions.models import Extension, Task
from services.interactions.schemas import ExtensionIn, ListTasksIn
from services.interactions.usecases.lookup import TASKS
from services.interactions.views import extension_view, task_view

OPEN, DONE = "open", "done"


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


def set_extension(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    require_role(actor, (ADMIN,), "assign PBX extensions")
    data = load(ExtensionIn(), payload, what="extension")
    row = uow.session.get(Extension, data["extension"], with_for_update=True)
    if row is None:
        row = Extension(extension=data["extension"])
        uow.session.add(row)
    row.user_id, row.region, row.department = data["user_id"], data["region"], data["department"]
    row.updated_by, row.updated_at = actor.user_id, utcnow()
    uow.session.flush()
    return extension_view(row)


def list_extensions(session, actor: Actor) -> dict[str, Any]:
    if actor.is_anonymous:
        raise PermissionDenied("sign in to list extensions", {})
    return {"items": [extension_view(e) for e in session.scalars(select(Extension).order_by(Extension.extension))]}


def remove_extension(uow: UnitOfWork, actor: Actor, extension: Any) -> dict[str, Any]:
    require_role(actor, (ADMIN,), "remove PBX extensions")
    if not isinstance(extension, str) or not 1 <= len(extension) <= 200:
        raise ValidationError.for_field("extension", "an extension (1 to 200 characters)")
    row = uow.session.get(Extension, extension, with_for_update=True)
    if row is not None:
        uow.session.delete(row)
    return {"extension": extension, "removed": row is not None}
