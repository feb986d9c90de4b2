"""Phone calls from the PBX: a batch of call events becomes one call interaction per call.

One transaction per batch (crm_kit.batch commits it before the batch is acknowledged):

1. every event is checked against the contract (telephony.events); a malformed one is
   returned as rejected and parked by the consumer, the others go on;
2. each event's ``event_id`` is claimed in ``call_events``: a duplicate (in the batch, or
   redelivered) is skipped, so every event counts once;
3. the calls the new events belong to are locked (``FOR UPDATE``, in call-id order so that two
   replicas never deadlock) and the events folded into them (domain/calls.py: the same call
   whatever the order); a call seen for the first time is inserted, and when another replica
   inserted it first, it is locked and folded like the others;
4. the other party's number is matched to a partner or contact: cached answers first, then
   one ``partners.find_by_phones`` for the rest (caller_directory.py). When partners does not
   answer, the call is stored anyway with ``match_state`` pending and matched later
   (``retry_pending_matches``);
5. the responsible user is the one at the extension (``extensions``), else the partner's
   manager; a call seen for the first time raises ``call_registered``, a finished one
   ``interaction_completed``, a missed one ``call_missed`` and, when incoming, a call-back task
   for that user (one per call); an incoming call from a number nobody has is queued for a
   prospect and a lead (usecases/call_leads.py); an answered call moves the partner's
   last-interaction date on.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import case, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_kit import phones
from crm_kit.db import UnitOfWork, upsert, utcnow
from crm_kit.errors import NotFound, Unavailable, ValidationError
from crm_kit.validation import load
from services.interactions import events
from services.interactions.caller_directory import PhoneCache
from services.interactions.domain import calls as call_rules
from services.interactions.domain import kinds as kind_rules
from services.interactions.domain import schedule
from services.interactions.domain import status as status_rules
from services.interactions.models import (
    CallEvent,
    CallLead,
    Extension,
    Interaction,
    Participant,
    PartnerActivity,
    Task,
    new_id,
)
from services.interactions.schemas import ListCallsIn, aware, call_summary, interaction_view, iso
from services.interactions.usecases.lookup import visible
from telephony.events import validate_call_event

MATCH_SECONDS = Histogram(
    "interactions_caller_match_seconds",
    "Time to match one call's number to a partner (a cache hit, or its share of one find_by_phones)",
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

PBX = "pbx"  # created_by of call interactions


def parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- matching -----------------------------------------------------------------------------

def match_numbers(cache: PhoneCache, partners, keys: set[str]) -> dict[str, list[dict[str, Any]] | None]:
    """Each E.164 key's matches (empty: nobody has it); None for every key partners did not
    answer about (it is down or slow)."""
    if not keys:
        return {}
    started = time.perf_counter()
    found: dict[str, list[dict[str, Any]] | None] = {}
    cached, missing = cache.get_many(sorted(keys))
    found.update(cached)
    hit_s = time.perf_counter() - started
    for _ in cached:
        MATCH_SECONDS.observe(hit_s)
    if missing:
        generation = cache.generation
        try:
            answer = partners.find_by_phones(missing)
        except Unavailable:
            found.update(dict.fromkeys(missing))
        else:
            results = answer.get("results", {})
            fetched = {key: results.get(key, {}).get("matches", []) for key in missing}
            cache.put(fetched, generation)
            found.update(fetched)
            miss_s = time.perf_counter() - started
            for _ in missing:
                MATCH_SECONDS.observe(miss_s)
    return found


def external_key(call: call_rules.Call) -> str | None:
    return phones.lookup_key(call.external)


def _stored_number(raw: str) -> str:
    """A number as a call keeps it: E.164 when it is a phone number, else as given (an
    extension)."""
    return phones.lookup_key(raw) or raw


# --- a call and its row -------------------------------------------------------------------

def call_of(row: Interaction) -> call_rules.Call:
    """What the row knows of its call, to fold new events into."""
    return call_rules.Call(
        direction=row.direction, caller=row.from_number, callee=row.to_number, extension=row.extension,
        started_at=aware(row.occurred_at), answered_at=aware(row.answered_at), ended_at=aware(row.ended_at),
        duration_s=row.duration_s, recording_url=row.recording_url,
        missed=row.call_state == call_rules.MISSED, ended=row.call_state == call_rules.ENDED,
        transfers=tuple((parse_at(t["at"]), t["to"]) for t in (row.transfers or [])),
    )


def fold(call: call_rules.Call | None, new_events: list[tuple[dict[str, Any], datetime]]) -> call_rules.Call:
    for event, at in sorted(new_events, key=lambda item: (item[1], item[0]["event_id"])):
        call = call_rules.start(event, at) if call is None else call_rules.apply(call, event, at)
    return call


def _write_call(row: Interaction, call: call_rules.Call) -> None:
    row.direction = call.direction
    row.from_number, row.to_number = _stored_number(call.caller), _stored_number(call.callee)
    row.extension = call.extension
    row.occurred_at, row.answered_at, row.ended_at = call.started_at, call.answered_at, call.ended_at
    row.duration_s, row.recording_url = call.duration_s, call.recording_url
    row.transfers = [{"to": to, "at": iso(at)} for at, to in call.transfers]
    row.call_state = call.state
    row.status = status_rules.DONE if call.finished else status_rules.IN_PROGRESS
    row.completed_at = call.ended_at if call.finished else None
    row.title = call_rules.title(call, phones.display(row.external_number or call.external))


def _link_match(row: Interaction, matches: list[dict[str, Any]] | None) -> None:
    """Record what matching said on the call and its external participant."""
    if row.external_number is None:
        row.match_state = call_rules.NO_NUMBER
        return
    if matches is None:
        row.match_state = call_rules.PENDING
        return
    external = row.participants[0] if row.participants else None
    if not matches:
        row.match_state = call_rules.UNKNOWN
        return
    best = matches[0]
    row.match_state = call_rules.MATCHED
    row.partner_id = best["partner_id"]
    if row.subject_id is None:
        row.subject_kind, row.subject_id = kind_rules.PARTNER, best["partner_id"]
    if external is not None:
        external.partner_id, external.contact_id = best["partner_id"], best.get("contact_id")
        external.name = best.get("contact_name") or best.get("partner_name")
        external.linked_by = "phone"


def _assign(row: Interaction, call: call_rules.Call, staff: dict[str, Extension],
            matches: list[dict[str, Any]] | None) -> None:
    """The responsible user: the one at the extension the call is on, else the partner's
    manager; the region and department follow the extension's."""
    at_extension = staff.get(call.current_extension or "") or staff.get(call.extension or "")
    if at_extension is not None:
        row.responsible_id = at_extension.user_id
        row.region, row.department = at_extension.region, at_extension.department
    elif matches and matches[0].get("manager_id") and row.responsible_id is None:
        row.responsible_id = matches[0]["manager_id"]
    internal = row.participants[1] if len(row.participants) > 1 else None
    if internal is not None and at_extension is not None:
        internal.user_id = at_extension.user_id


def _new_row(call: call_rules.Call, call_id: str) -> Interaction:
    key = external_key(call)
    row_id = new_id()
    row = Interaction(
        id=row_id, kind=kind_rules.CALL, chain_id=row_id, call_id=call_id, external_number=key or call.external,
        created_by=PBX, created_at=utcnow(),
    )
    if key is None:
        row.external_number = None
    row.participants = [
        Participant(id=new_id(), position=0, phone=key or call.external),
        Participant(id=new_id(), position=1, phone=call.current_extension),
    ]
    _write_call(row, call)
    return row


def _summary(row: Interaction) -> dict[str, Any]:
    return {
        "interaction_id": row.id, "call_id": row.call_id, "partner_id": row.partner_id,
        "contact_id": row.participants[0].contact_id if row.participants else None,
        "responsible_id": row.responsible_id, "direction": row.direction, "number": row.external_number,
        "extension": row.extension, "call_state": row.call_state, "match_state": row.match_state,
        "started_at": iso(row.occurred_at), "answered_at": iso(row.answered_at), "ended_at": iso(row.ended_at),
        "duration_s": row.duration_s,
    }


# --- the batch ----------------------------------------------------------------------------

def _claim(session: Session, fresh: dict[str, tuple[dict[str, Any], datetime]]) -> list[str]:
    """Record each event id; the ones not recorded before (the rest are duplicates)."""
    now = utcnow()
    rows = [
        {"event_id": event_id, "call_id": event["call_id"], "kind": event["kind"], "occurred_at": at, "received_at": now}
        for event_id, (event, at) in fresh.items()
    ]
    statement = upsert(session, CallEvent.__table__).on_conflict_do_nothing(index_elements=["event_id"])
    return list(session.scalars(statement.returning(CallEvent.event_id), rows))


def _locked_calls(session: Session, call_ids: list[str]) -> dict[str, Interaction]:
    rows = session.scalars(
        select(Interaction).where(Interaction.call_id.in_(call_ids)).order_by(Interaction.call_id).with_for_update()
    ).all()
    return {row.call_id: row for row in rows}


def ingest(uow: UnitOfWork, partners, cache: PhoneCache, bodies: list[Any]) -> dict[str, Any]:
    """Apply a batch of call events; ``{"rejected": {index: ValidationError}, "applied",
    "duplicates", "calls"}``."""
    rejected: dict[int, ValidationError] = {}
    fresh: dict[str, tuple[dict[str, Any], datetime]] = {}
    for index, body in enumerate(bodies):
        try:
            event = validate_call_event(body)
        except ValidationError as exc:
            rejected[index] = exc
            continue
        fresh.setdefault(event["event_id"], (event, parse_at(event["occurred_at"])))
    session = uow.session
    applied = _claim(session, fresh) if fresh else []
    by_call: dict[str, list[tuple[dict[str, Any], datetime]]] = defaultdict(list)
    for event_id in applied:
        event, at = fresh[event_id]
        by_call[event["call_id"]].append((event, at))
    if by_call:
        _apply(uow, partners, cache, by_call)
    return {
        "rejected": rejected, "applied": len(applied), "duplicates": len(bodies) - len(rejected) - len(applied),
        "calls": len(by_call),
    }


def _apply(uow: UnitOfWork, partners, cache: PhoneCache, by_call: dict[str, list]) -> None:
    session = uow.session
    call_ids = sorted(by_call)
    existing = _locked_calls(session, call_ids)
    before: dict[str, tuple[str | None, str | None]] = {cid: (row.call_state, row.match_state) for cid, row in existing.items()}
    folded = {cid: fold(call_of(existing[cid]) if cid in existing else None, by_call[cid]) for cid in call_ids}

    new_rows = {cid: _new_row(folded[cid], cid) for cid in call_ids if cid not in existing}
    if new_rows:
        try:
            with session.begin_nested():
                session.add_all(new_rows[cid] for cid in sorted(new_rows))
                session.flush()
        except IntegrityError:
            # Another replica registered some of these calls meanwhile: fold into theirs.
            existing = _locked_calls(session, call_ids)
            for cid in call_ids:
                if cid in existing and cid not in before:
                    before[cid] = (existing[cid].call_state, existing[cid].match_state)
                    folded[cid] = fold(call_of(existing[cid]), by_call[cid])
            new_rows = {cid: _new_row(folded[cid], cid) for cid in call_ids if cid not in existing}
            session.add_all(new_rows[cid] for cid in sorted(new_rows))
            session.flush()
    rows = {**existing, **new_rows}
    for cid, row in existing.items():
        _write_call(row, folded[cid])

    to_match = {row.external_number for cid, row in rows.items()
                if row.external_number and before.get(cid, (None, None))[1] in (None, call_rules.PENDING)}
    matched = match_numbers(cache, partners, {n for n in to_match if n.startswith("+")})
    extensions = {e for call in folded.values() for e in (call.extension, call.current_extension) if e}
    staff = {e.extension: e for e in session.scalars(select(Extension).where(Extension.extension.in_(extensions)))} if extensions else {}

    touched: dict[str, Interaction] = {}
    leads: list[Interaction] = []
    for cid in call_ids:
        row, call = rows[cid], folded[cid]
        was_state, was_match = before.get(cid, (None, None))
        matches = None
        if was_match in (None, call_rules.PENDING):
            key = row.external_number if row.external_number and row.external_number.startswith("+") else None
            if row.external_number is not None and key is None:
                row.external_number = None  # not a phone number (an anonymous caller): nothing to match
            matches = matched.get(key) if key else None
            _link_match(row, matches)
        _assign(row, call, staff, matches)
        if cid in new_rows:
            uow.emit(events.CALL_REGISTERED, _summary(row))
        if call.finished and was_state not in call_rules.FINISHED:
            uow.emit(events.INTERACTION_COMPLETED, {
                "interaction_id": row.id, "partner_id": row.partner_id, "responsible_id": row.responsible_id,
                "kind": row.kind, "subject_kind": row.subject_kind, "subject_id": row.subject_id,
                "outcome": row.outcome, "completed_at": iso(row.completed_at), "call_id": cid,
                "call_state": call.state, "duration_s": call.duration_s,
            })
        if call.state == call_rules.MISSED and was_state != call_rules.MISSED:
            task = _call_back_task(session, row, call)
            uow.emit(events.CALL_MISSED, {**_summary(row), "task_id": task.id if task else None})
        if call_rules.makes_lead(call, row.match_state or "") and was_match != call_rules.UNKNOWN:
            leads.append(row)
        if call.answered_at is not None and call.finished and row.partner_id:
            touched[row.partner_id] = row
    session.flush()
    for row in sorted(leads, key=lambda r: (aware(r.occurred_at), r.call_id)):
        queue_lead(session, row)  # the earliest call from a number is the one the lead is for
    touch_partners(session, touched.values())


def _call_back_task(session: Session, row: Interaction, call: call_rules.Call) -> Task | None:
    """One call-back task per missed incoming call, on the call's responsible user (the one at
    the extension, else the client's manager; unassigned when neither is known)."""
    if not call_rules.needs_call_back(call):
        return None
    external = row.participants[0] if row.participants else None
    task = Task(
        id=new_id(), kind=call_rules.TASK_CALL_BACK, status="open",
        title=f"Call back {phones.display(row.external_number or call.external)}",
        assignee_id=row.responsible_id, partner_id=row.partner_id, contact_id=external.contact_id if external else None,
        interaction_id=row.id, call_id=row.call_id, phone=row.external_number or call.external,
        due_at=call.ended_at, region=row.region, department=row.department, created_at=utcnow(),
    )
    session.add(task)
    return task


def queue_lead(session: Session, row: Interaction) -> None:
    """Ask for a prospect and a lead for this call's number, once per number."""
    statement = upsert(session, CallLead.__table__).values(
        number=row.external_number, interaction_id=row.id, call_id=row.call_id, responsible_id=row.responsible_id,
        region=row.region, department=row.department, state="pending", attempts=0, next_attempt_at=utcnow(),
        created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["number"])
    session.execute(statement)


def touch_partners(session: Session, rows) -> None:
    """Move each partner's last-interaction date on to its answered call, in one statement
    (an upsert, so two replicas touching one partner do not collide)."""
    values = [
        {"partner_id": row.partner_id, "manager_id": row.responsible_id, "region": row.region,
         "department": row.department, "last_interaction_at": aware(row.ended_at or row.occurred_at),
         "last_interaction_id": row.id}
        for row in sorted(rows, key=lambda r: r.partner_id)
    ]
    if not values:
        return
    table = PartnerActivity.__table__
    statement = upsert(session, table)
    newer = statement.excluded.last_interaction_at > table.c.last_interaction_at
    statement = statement.on_conflict_do_update(
        index_elements=["partner_id"],
        set_={
            column: case((newer, statement.excluded[column]), else_=table.c[column])
            for column in ("last_interaction_at", "last_interaction_id", "manager_id", "region", "department")
        },
    )
    session.execute(statement, values)


# --- later matching, pruning --------------------------------------------------------------

def retry_pending_matches(uow: UnitOfWork, partners, cache: PhoneCache, limit: int = 500) -> dict[str, int]:
    """Match calls stored while partners did not answer; assign their call-back tasks and queue
    their leads as the batch would have."""
    session = uow.session
    rows = session.scalars(
        select(Interaction).where(Interaction.match_state == call_rules.PENDING)
        .order_by(Interaction.created_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return {"pending": 0, "matched": 0}
    matched = match_numbers(cache, partners, {row.external_number for row in rows})
    done = 0
    for row in rows:
        matches = matched.get(row.external_number)
        if matches is None:
            continue
        _link_match(row, matches)
        done += 1
        if matches and matches[0].get("manager_id") and row.responsible_id is None:
            row.responsible_id = matches[0]["manager_id"]
        for task in session.scalars(select(Task).where(Task.interaction_id == row.id, Task.assignee_id.is_(None))):
            task.assignee_id, task.partner_id = row.responsible_id, row.partner_id
        if call_rules.makes_lead(call_of(row), row.match_state):
            queue_lead(session, row)
        uow.emit(events.INTERACTION_UPDATED, {
            "interaction_id": row.id, "partner_id": row.partner_id, "responsible_id": row.responsible_id,
            "changed": ["match_state", "partner_id"], "call_id": row.call_id, "match_state": row.match_state,
        })
    return {"pending": len(rows), "matched": done}


def prune_call_events(session: Session, keep_days: int) -> int:
    """Forget event ids older than ``keep_days`` (a PBX does not redeliver that late)."""
    cutoff = utcnow() - timedelta(days=keep_days)
    return session.execute(delete(CallEvent).where(CallEvent.received_at < cutoff)).rowcount or 0


# --- reading calls ------------------------------------------------------------------------

def get_call(session: Session, actor, call_id: Any) -> dict[str, Any]:
    """The call interaction of ``call_id``; NotFound also when the actor may not see it."""

    if not isinstance(call_id, str) or not 1 <= len(call_id) <= 200:
        raise ValidationError.for_field("call_id", "a call id (1 to 200 characters)")
    row = session.scalar(visible(select(Interaction), actor).where(Interaction.call_id == call_id))
    if row is None:
        raise NotFound(f"call {call_id} not found", {"call_id": call_id})
    return interaction_view(row)


def list_calls(session: Session, actor, query: Any) -> dict[str, Any]:
    """Calls the actor may see, newest first, by partner, responsible user, state and days."""

    data = load(ListCallsIn(), query or {}, what="query")
    statement = visible(select(Interaction), actor).where(Interaction.call_id.is_not(None))
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
