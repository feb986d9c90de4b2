"""Tasks the platform makes for people: the call-back task of missed incoming calls (settled by
the PBX batch, call_ingest.py, through :func:`settle_call_backs`), where it goes when the caller
is found later, and listing and completing tasks.

A missed incoming call (domain/calls.py ``needs_call_back``) is counted once on the open
call-back task of its number (domain/call_backs.py): the first one makes the task, on the call's
responsible user (the one at the extension, else the client's manager, with the region and
department of either), unassigned when neither is known; the next ones add to its
``missed_count`` and move ``last_missed_at`` on. The task closes by itself (``task_completed``
with ``closed_by_call_id``, no ``completed_by``) when a call with the number is answered after
its last missed call: called back, or calling in again. One indexed lookup per batch finds the
open tasks of the batch's numbers (``uq_tasks_open_call_back``, which also keeps two replicas
from opening two). A task is seen and completed under the same row-level rules as interactions,
on its assignee, region and department; an unassigned task is seen by heads of sales and
admins, who hand it on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from typing import Any

from sqlalchemy import bindparam, case, func, insert, select, text, update
from sqlalchemy.orm import Session

from contracts import interactions as events
from crm_kit import phones
from crm_kit.actor import Actor
from crm_kit.clock import aware
from crm_kit.db import UnitOfWork, upsert, utcnow
from crm_kit.errors import PreconditionFailed, ValidationError
from crm_kit.models import new_id
from crm_kit.validation import load
from services.interactions.domain import call_backs as call_back_rules
from services.interactions.domain import calls as call_rules
from services.interactions.models import OPEN_CALL_BACK_WHERE, Task
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
        "completed_at": None, "completed_by": None, "missed_count": 1, "last_missed_at": _utc(call.ended_at),
        "closed_by_call_id": None,
    }


def add_tasks(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the tasks of a batch in one statement."""
    if rows:
        session.execute(insert(Task.__table__), rows)


Missed = tuple[dict[str, Any], call_rules.Call, str | None]  # a call record, its call, its contact


def settle_call_backs(uow: UnitOfWork, missed: list[Missed], answered: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Count the batch's just-missed incoming calls (``missed``) on their numbers' open call-back
    tasks, making one where there is none, and close the open tasks of the numbers of the
    answered calls (``answered``: call records) answered after their last missed call. Answers,
    per missed call id, the task it was counted on (``task_id``, ``missed_count``)."""
    session, T = uow.session, Task.__table__
    happened: dict[str, list[tuple[Any, str, str]]] = defaultdict(list)
    by_call: dict[str, Missed] = {}
    counted: dict[str, dict[str, Any]] = {}
    loose = []
    for rec, call, contact_id in missed:
        row = call_back_task(rec, call, contact_id)
        if row is None:
            continue
        if not row["phone"]:
            loose.append(row)
            counted[rec["call_id"]] = {"task_id": row["id"], "missed_count": 1}
            continue
        happened[row["phone"]].append((_utc(call.ended_at), call_back_rules.MISSED, rec["call_id"]))
        by_call[rec["call_id"]] = (rec, call, contact_id)
    answered_numbers = {rec["external_number"] for rec in answered if rec["external_number"]}
    numbers = sorted(set(happened) | answered_numbers)
    open_tasks = {}
    if numbers:
        open_tasks = {row.phone: row for row in session.execute(
            select(T.c.id, T.c.phone, T.c.missed_count, T.c.last_missed_at, T.c.due_at, T.c.interaction_id,
                   T.c.partner_id, T.c.assignee_id, T.c.region, T.c.department, T.c.kind)
            .where(T.c.kind == call_rules.TASK_CALL_BACK, T.c.status == OPEN, T.c.phone.in_(numbers))
            .order_by(T.c.phone).with_for_update()  # one order for every replica: no deadlock
        )}
    for rec in answered:
        if rec["external_number"] in open_tasks or rec["external_number"] in happened:
            happened[rec["external_number"]].append((_utc(rec["answered_at"]), call_back_rules.ANSWERED, rec["call_id"]))
    updates, closed_rows, new_open = [], [], []
    for number, moments in sorted(happened.items()):
        before = open_tasks.get(number)
        state = (before.missed_count, aware(before.last_missed_at or before.due_at)) if before is not None else None
        for task in call_back_rules.settle(state, moments):
            if task.existing:
                if not task.changed:
                    continue
                assert before is not None
                updates.append({"b_id": before.id, "missed_count": task.missed_count, "last_missed_at": task.last_missed_at,
                                "status": DONE if task.closed_at else OPEN, "completed_at": task.closed_at,
                                "closed_by_call_id": task.closed_by_call_id})
                counted.update({cid: {"task_id": before.id, "missed_count": task.missed_count}
                                for cid in task.missed_call_ids})
                if task.closed_at is not None:
                    _closed_by_call(uow, before._mapping, task)
                continue
            row = {**call_back_task(*by_call[task.missed_call_ids[0]]), "missed_count": task.missed_count,
                   "last_missed_at": task.last_missed_at, "closed_by_call_id": task.closed_by_call_id}
            if task.closed_at is not None:
                row.update(status=DONE, completed_at=task.closed_at)
                closed_rows.append(row)
                _closed_by_call(uow, row, task)
            else:
                new_open.append(row)
            counted.update({cid: {"task_id": row["id"], "missed_count": task.missed_count}
                            for cid in task.missed_call_ids})
    if updates:
        session.execute(update(T).where(T.c.id == bindparam("b_id")), updates)
    add_tasks(session, loose + closed_rows)
    if new_open:
        _open_call_backs(session, new_open, counted)
    return counted


def _utc(moment: Any) -> Any:
    # Kept in UTC: SQLite keeps no offset, and reads a time back as UTC.
    return aware(moment).astimezone(UTC)


def _open_call_backs(session: Session, rows: list[dict[str, Any]], counted: dict[str, dict[str, Any]]) -> None:
    """Insert the new open call backs (one per number); where another replica opened one for
    the number meanwhile, count on that one instead."""
    T = Task.__table__
    statement = upsert(session, T).values(rows)
    later = case((statement.excluded.last_missed_at > T.c.last_missed_at, statement.excluded.last_missed_at),
                 else_=T.c.last_missed_at)
    statement = statement.on_conflict_do_update(
        index_elements=["phone"], index_where=text(OPEN_CALL_BACK_WHERE),
        set_={"missed_count": T.c.missed_count + statement.excluded.missed_count, "last_missed_at": later,
              "assignee_id": func.coalesce(T.c.assignee_id, statement.excluded.assignee_id),
              "partner_id": func.coalesce(T.c.partner_id, statement.excluded.partner_id)},
    ).returning(T.c.id, T.c.phone, T.c.missed_count)
    kept = {row.phone: row for row in session.execute(statement)}
    by_id = {row["id"]: row["phone"] for row in rows}
    for value in counted.values():
        phone = by_id.get(value["task_id"])
        if phone is not None and phone in kept:
            value.update(task_id=kept[phone].id, missed_count=kept[phone].missed_count)


def _closed_by_call(uow: UnitOfWork, task: Any, settled: call_back_rules.CallBack) -> None:
    """``task_completed`` of a call back closed by an answered call (nobody completed it)."""
    uow.emit(events.TASK_COMPLETED, {
        "interaction_id": task["interaction_id"], "partner_id": task["partner_id"], "responsible_id": task["assignee_id"],
        "region": task["region"], "department": task["department"], "task_id": task["id"], "kind": task["kind"],
        "completed_at": settled.closed_at.isoformat(), "completed_by": None, "note": None,
        "closed_by_call_id": settled.closed_by_call_id, "missed_count": settled.missed_count,
    })


def assign_call_backs_of_matched_call(session: Session, rec: dict[str, Any]) -> None:
    """A call stored while partners did not answer is matched now: its call-back task, still
    unassigned, goes to the call's responsible user (with the call's region and department) and
    names the partner."""
    session.execute(
        update(Task.__table__).where(Task.interaction_id == rec["id"], Task.assignee_id.is_(None))
        .values(assignee_id=rec["responsible_id"], partner_id=rec["partner_id"], region=rec["region"],
                department=rec["department"])
    )


def hand_call_backs_to_caller(session: Session, interaction_ids: list[str], partner_id: str, manager_id: str | None,
                              region: str | None = None, department: str | None = None) -> None:
    """Calls from a number nobody had now name its partner (the prospect made for it, or the
    partner registered with it meanwhile: call_leads.py): so do their call-back tasks, and an
    unassigned one goes to that partner's manager, in the partner's region and department."""
    if not interaction_ids:
        return
    for task in session.scalars(select(Task).where(Task.interaction_id.in_(interaction_ids), Task.partner_id.is_(None))):
        task.partner_id = partner_id
        if task.assignee_id is None and manager_id:
            task.assignee_id, task.region, task.department = manager_id, region, department


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
