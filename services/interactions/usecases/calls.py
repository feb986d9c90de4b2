"""Phone calls from the PBX: a batch of call events becomes one call interaction per call.

One transaction per batch (crm_kit.batch commits it before the batch is acknowledged):

1. every event is checked against the contract (contracts.telephony); a malformed one is
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

import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import bindparam, case, delete, insert, select, update
from sqlalchemy.orm import Session

from contracts import interactions as events
from contracts.telephony import validate_call_event
from crm_kit import phones
from crm_kit.clock import aware
from crm_kit.db import UnitOfWork, upsert, utcnow
from crm_kit.errors import NotFound, ValidationError
from crm_kit.models import new_id
from crm_kit.validation import load
from crm_kit.views import iso
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
)
from services.interactions.schemas import ListCallsIn
from services.interactions.usecases.about import about_call
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.views import call_summary, interaction_view

MATCH_SECONDS = Histogram(
    "interactions_caller_match_seconds",
    "Time to match one call's number to a partner (a cache hit, or its share of one find_by_phones)",
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

PBX = "pbx"  # created_by of call interactions
FIND_BY_PHONES_MAX = 500  # what partners.find_by_phones takes at once
log = logging.getLogger(__name__)


class Flood:
    """Whether this process's consumer is flooded with call events: its last full batch (as
    many events as a batch holds) was less than ``calm_s`` ago. While it is, the follow-up
    timer leaves prospects and leads for later (they cost three services' CPU that storing the
    calls needs), but never for longer than ``max_defer_s``."""

    def __init__(self, calm_s: float = 5.0, max_defer_s: float = 60.0, clock=time.monotonic):
        self.calm_s, self.max_defer_s, self._clock = calm_s, max_defer_s, clock
        self.full_at = float("-inf")
        self.deferred_since: float | None = None

    def batch(self, size: int, capacity: int) -> None:
        if size >= capacity:
            self.full_at = self._clock()

    def defer_follow_ups(self) -> bool:
        now = self._clock()
        if now - self.full_at >= self.calm_s:
            self.deferred_since = None
            return False
        if self.deferred_since is None:
            self.deferred_since = now
        if now - self.deferred_since >= self.max_defer_s:
            self.deferred_since = now  # do one round, then defer again while the flood lasts
            return False
        return True


FLOOD = Flood()


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
        for start in range(0, len(missing), FIND_BY_PHONES_MAX):
            chunk = missing[start:start + FIND_BY_PHONES_MAX]
            try:
                answer = partners.find_by_phones(chunk)
            except Exception as exc:  # noqa: BLE001 - any failure of partners: match these calls later
                log.warning("caller matching left %d numbers pending: %s: %s", len(chunk), type(exc).__name__, exc)
                found.update(dict.fromkeys(chunk))
                continue
            results = answer.get("results", {})
            fetched = {key: results.get(key, {}).get("matches", []) for key in chunk}
            cache.put(fetched, generation)
            found.update(fetched)
            miss_s = time.perf_counter() - started
            for _ in chunk:
                MATCH_SECONDS.observe(miss_s)
    return found


# --- a call and its record -----------------------------------------------------------------
# The hot path works on plain dicts of the interactions table's columns, read and written with
# SQLAlchemy Core in a few statements per batch: the ORM's per-object bookkeeping cost more
# than the database did (bench.pbx_ingest: 1,760 events/s in-process with ORM objects).

T, P = Interaction.__table__, Participant.__table__
CALL_COLUMNS = (
    "id", "call_id", "direction", "from_number", "to_number", "extension", "extension_at", "occurred_at", "answered_at",
    "ended_at",
    "duration_s", "recording_url", "call_state", "transfers", "external_number", "match_state", "partner_id",
    "subject_kind", "subject_id", "responsible_id", "region", "department", "title", "status", "completed_at",
)
UPDATED_COLUMNS = tuple(c for c in CALL_COLUMNS if c not in ("id", "call_id")) + ("updated_at",)
PARTICIPANT_COLUMNS = ("id", "interaction_id", "position", "name", "phone", "email", "partner_id", "contact_id",
                       "user_id", "linked_by")


def _stored_number(raw: str) -> str:
    """A number as a call keeps it: E.164 when it is a phone number, else as given (an
    extension)."""
    return phones.lookup_key(raw) or raw


def call_of(rec: dict[str, Any]) -> call_rules.Call:
    """What a stored call knows, to fold new events into."""
    return call_rules.Call(
        direction=rec["direction"], caller=rec["from_number"], callee=rec["to_number"], extension=rec["extension"],
        extension_at=aware(rec["extension_at"]), started_at=aware(rec["occurred_at"]),
        answered_at=aware(rec["answered_at"]), ended_at=aware(rec["ended_at"]),
        duration_s=rec["duration_s"], recording_url=rec["recording_url"],
        missed=rec["call_state"] == call_rules.MISSED, ended=rec["call_state"] == call_rules.ENDED,
        transfers=tuple((parse_at(t["at"]), t["to"]) for t in (rec["transfers"] or [])),
    )


def fold(call: call_rules.Call | None, new_events: list[tuple[dict[str, Any], datetime]]) -> call_rules.Call:
    for event, at in sorted(new_events, key=lambda item: (item[1], item[0]["event_id"])):
        call = call_rules.start(event, at) if call is None else call_rules.apply(call, event, at)
    return call


def _write_call(rec: dict[str, Any], call: call_rules.Call) -> None:
    rec.update(
        direction=call.direction, from_number=_stored_number(call.caller), to_number=_stored_number(call.callee),
        extension=call.extension, extension_at=call.extension_at, occurred_at=call.started_at,
        answered_at=call.answered_at, ended_at=call.ended_at,
        duration_s=call.duration_s, recording_url=call.recording_url,
        transfers=[{"to": to, "at": iso(at)} for at, to in call.transfers], call_state=call.state,
        status=status_rules.DONE if call.finished else status_rules.IN_PROGRESS,
        completed_at=call.ended_at if call.finished else None,
        title=call_rules.title(call, phones.display(rec["external_number"] or call.external)),
    )


def _new_record(call: call_rules.Call, call_id: str) -> dict[str, Any]:
    key = phones.lookup_key(call.external)
    rec: dict[str, Any] = dict.fromkeys(CALL_COLUMNS)
    rec.update(id=new_id(), call_id=call_id, external_number=key,
               match_state=call_rules.NO_NUMBER if key is None else None)
    _write_call(rec, call)
    return rec


def _link_match(rec: dict[str, Any], matches: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """Record what matching said; the external participant's link when there is one."""
    if rec["external_number"] is None:
        rec["match_state"] = call_rules.NO_NUMBER
        return None
    if matches is None:
        rec["match_state"] = call_rules.PENDING
        return None
    if not matches:
        rec["match_state"] = call_rules.UNKNOWN
        return None
    best = matches[0]
    rec.update(match_state=call_rules.MATCHED, partner_id=best["partner_id"])
    if rec["subject_id"] is None:
        rec.update(subject_kind=kind_rules.PARTNER, subject_id=best["partner_id"])
    return {"partner_id": best["partner_id"], "contact_id": best.get("contact_id"),
            "name": best.get("contact_name") or best.get("partner_name"), "linked_by": "phone"}


def _assign(rec: dict[str, Any], call: call_rules.Call, staff: dict[str, Extension],
            matches: list[dict[str, Any]] | None) -> str | None:
    """The responsible user: the one at the extension the call is on, else the partner's
    manager; the region and department follow the extension's. Returns the extension's user."""
    at_extension = staff.get(call.current_extension or "") or staff.get(call.extension or "")
    if at_extension is not None:
        rec.update(responsible_id=at_extension.user_id, region=at_extension.region, department=at_extension.department)
        return at_extension.user_id
    if matches and matches[0].get("manager_id") and rec["responsible_id"] is None:
        rec["responsible_id"] = matches[0]["manager_id"]
    return None


def _summary(rec: dict[str, Any], contact_id: str | None = None) -> dict[str, Any]:
    return {
        **about_call(rec), "call_id": rec["call_id"], "contact_id": contact_id, "direction": rec["direction"],
        "number": rec["external_number"], "extension": rec["extension"], "call_state": rec["call_state"],
        "match_state": rec["match_state"], "started_at": iso(rec["occurred_at"]), "answered_at": iso(rec["answered_at"]),
        "ended_at": iso(rec["ended_at"]), "duration_s": rec["duration_s"],
    }


# --- the batch ----------------------------------------------------------------------------

def _claim(session: Session, fresh: dict[str, tuple[dict[str, Any], datetime]]) -> list[str]:
    """Record each event id; the ones not recorded before (the rest are duplicates)."""
    now = utcnow()
    rows = [
        {"event_id": event_id, "call_id": event["call_id"], "kind": event["kind"], "occurred_at": at, "received_at": now}
        for event_id, (event, at) in sorted(fresh.items())  # one order for every replica: no deadlock
    ]
    statement = upsert(session, CallEvent.__table__).on_conflict_do_nothing(index_elements=["event_id"])
    return list(session.scalars(statement.returning(CallEvent.event_id), rows))


def _locked(session: Session, condition, *, skip_locked: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    statement = select(*(T.c[c] for c in CALL_COLUMNS)).where(condition).order_by(T.c.call_id)
    if limit is not None:
        statement = statement.limit(limit)
    return [dict(row._mapping) for row in session.execute(statement.with_for_update(skip_locked=skip_locked))]


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


class _Batch:
    """The calls of one batch: their records, what they were before, and what to write."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.records: dict[str, dict[str, Any]] = {}
        self.before: dict[str, tuple[str | None, str | None]] = {}
        self.calls: dict[str, call_rules.Call] = {}
        self.links: dict[str, dict[str, Any]] = {}  # call_id -> external participant's link
        self.users: dict[str, str] = {}  # call_id -> the user at the extension


def _apply(uow: UnitOfWork, partners, cache: PhoneCache, by_call: dict[str, list]) -> None:
    session = uow.session
    batch = _Batch(uow)
    call_ids = sorted(by_call)
    for rec in _locked(session, T.c.call_id.in_(call_ids)):
        batch.records[rec["call_id"]] = rec
        batch.before[rec["call_id"]] = (rec["call_state"], rec["match_state"])
    new = set(call_ids) - set(batch.records)
    for cid in call_ids:
        stored = batch.records.get(cid)
        batch.calls[cid] = fold(call_of(stored) if stored else None, by_call[cid])
        if stored is None:
            batch.records[cid] = _new_record(batch.calls[cid], cid)
        else:
            _write_call(stored, batch.calls[cid])
    _match_and_assign(session, batch, cache, partners, call_ids)

    if new:
        inserted = _insert_calls(session, [batch.records[cid] for cid in sorted(new)], batch)
        raced = new - inserted
        if raced:  # another replica registered these calls first: fold into theirs
            for rec in _locked(session, T.c.call_id.in_(sorted(raced))):
                cid = rec["call_id"]
                batch.records[cid], batch.before[cid] = rec, (rec["call_state"], rec["match_state"])
                batch.calls[cid] = fold(call_of(rec), by_call[cid])
                _write_call(rec, batch.calls[cid])
            batch.links = {k: v for k, v in batch.links.items() if k not in raced}
            _match_and_assign(session, batch, cache, partners, sorted(raced))
        new = inserted
    _update_calls(session, batch, [cid for cid in call_ids if cid not in new])
    _raise_consequences(session, batch, call_ids, new)


def _match_and_assign(session: Session, batch: _Batch, cache: PhoneCache, partners, call_ids: list[str]) -> None:
    to_match = [cid for cid in call_ids if batch.before.get(cid, (None, None))[1] in (None, call_rules.PENDING)]
    matched = match_numbers(cache, partners, {batch.records[cid]["external_number"] for cid in to_match
                                               if batch.records[cid]["external_number"]})
    _prospects_made(session, matched)
    extensions = {e for cid in call_ids for e in (batch.calls[cid].extension, batch.calls[cid].current_extension) if e}
    staff = {e.extension: e for e in session.scalars(select(Extension).where(Extension.extension.in_(extensions)))} \
        if extensions else {}
    for cid in call_ids:
        rec, matches = batch.records[cid], None
        if cid in to_match:
            matches = matched.get(rec["external_number"]) if rec["external_number"] else None
            link = _link_match(rec, matches)
            if link is not None:
                batch.links[cid] = link
        user = _assign(rec, batch.calls[cid], staff, matches)
        if user is not None:
            batch.users[cid] = user


def _prospects_made(session: Session, matched: dict[str, list[dict[str, Any]] | None]) -> None:
    """A number nobody had, whose prospect was made already (call_leads.py) but whose
    ``partner_registered`` has not reached this process yet: the call is the prospect's."""
    unknown = [key for key, matches in matched.items() if matches == []]
    if not unknown:
        return
    made = session.execute(
        select(CallLead.number, CallLead.partner_id)
        .where(CallLead.number.in_(unknown), CallLead.state == "done", CallLead.partner_id.is_not(None))
    ).all()
    for number, partner_id in made:
        matched[number] = [{"partner_id": partner_id, "partner_name": None, "contact_id": None, "contact_name": None,
                            "manager_id": None}]


def _insert_calls(session: Session, records: list[dict[str, Any]], batch: _Batch) -> set[str]:
    """Insert the new calls (and their two participants); the call ids actually inserted."""
    now = utcnow()
    rows = [{**rec, "kind": kind_rules.CALL, "chain_id": rec["id"], "created_by": PBX, "created_at": now,
             "updated_at": now} for rec in records]
    statement = upsert(session, T).on_conflict_do_nothing(index_elements=["call_id"]).returning(T.c.call_id)
    inserted = set(session.scalars(statement, rows))
    participants = []
    for rec in records:
        if rec["call_id"] not in inserted:
            continue
        link = batch.links.get(rec["call_id"], {})
        participants.append({**dict.fromkeys(PARTICIPANT_COLUMNS), "id": new_id(), "interaction_id": rec["id"],
                             "position": 0, "phone": rec["external_number"] or batch.calls[rec["call_id"]].external, **link})
        participants.append({**dict.fromkeys(PARTICIPANT_COLUMNS), "id": new_id(), "interaction_id": rec["id"],
                             "position": 1, "phone": batch.calls[rec["call_id"]].current_extension,
                             "user_id": batch.users.get(rec["call_id"])})
    if participants:
        session.execute(insert(P), participants)
    return inserted


def _update_calls(session: Session, batch: _Batch, call_ids: list[str]) -> None:
    if not call_ids:
        return
    now = utcnow()
    session.execute(
        update(T).where(T.c.id == bindparam("b_id")),
        [{"b_id": batch.records[cid]["id"], **{c: batch.records[cid].get(c, now) for c in UPDATED_COLUMNS}}
         for cid in call_ids],
    )
    links = [{"b_interaction": batch.records[cid]["id"], **link} for cid, link in batch.links.items() if cid in call_ids]
    if links:
        session.execute(update(P).where(P.c.interaction_id == bindparam("b_interaction"), P.c.position == 0), links)
    users = [{"b_interaction": batch.records[cid]["id"], "user_id": user} for cid, user in batch.users.items()
             if cid in call_ids]
    if users:
        session.execute(update(P).where(P.c.interaction_id == bindparam("b_interaction"), P.c.position == 1), users)


def _raise_consequences(session: Session, batch: _Batch, call_ids: list[str], new: set[str]) -> None:
    """Events, call-back tasks, queued leads and partners' last-interaction dates."""
    uow = batch.uow
    tasks, leads, touched = [], [], {}
    for cid in call_ids:
        rec, call = batch.records[cid], batch.calls[cid]
        was_state, was_match = batch.before.get(cid, (None, None))
        contact_id = batch.links.get(cid, {}).get("contact_id")
        if cid in new:
            uow.emit(events.CALL_REGISTERED, _summary(rec, contact_id))
        if call.finished and was_state not in call_rules.FINISHED:
            uow.emit(events.INTERACTION_COMPLETED, {
                **about_call(rec), "kind": kind_rules.CALL, "subject_kind": rec["subject_kind"], "subject_id": rec["subject_id"],
                "outcome": None, "completed_at": iso(rec["completed_at"]), "call_id": cid, "call_state": call.state,
                "duration_s": call.duration_s,
            })
        if call.state == call_rules.MISSED and was_state != call_rules.MISSED:
            task = _call_back_task(rec, call, contact_id) if call_rules.needs_call_back(call) else None
            if task is not None:
                tasks.append(task)
            uow.emit(events.CALL_MISSED, {**_summary(rec, contact_id), "task_id": task["id"] if task else None})
        if call_rules.makes_lead(call, rec["match_state"] or "") and was_match != call_rules.UNKNOWN:
            leads.append(rec)
        if call.answered_at is not None and call.finished and rec["partner_id"]:
            latest = touched.get(rec["partner_id"])
            if latest is None or aware(latest["ended_at"]) < aware(rec["ended_at"]):
                touched[rec["partner_id"]] = rec
    if tasks:
        session.execute(insert(Task.__table__), tasks)
    for rec in sorted(leads, key=lambda r: (aware(r["occurred_at"]), r["call_id"])):
        queue_lead(session, rec)  # the earliest call from a number is the one the lead is for
    touch_partners(session, touched.values())


def _call_back_task(rec: dict[str, Any], call: call_rules.Call, contact_id: str | None) -> dict[str, Any]:
    """One call-back task per missed incoming call, on the call's responsible user (the one at
    the extension, else the client's manager; unassigned when neither is known)."""
    number = rec["external_number"] or call.external
    return {
        "id": new_id(), "kind": call_rules.TASK_CALL_BACK, "status": "open", "title": f"Call back {phones.display(number)}",
        "assignee_id": rec["responsible_id"], "partner_id": rec["partner_id"], "contact_id": contact_id,
        "interaction_id": rec["id"], "call_id": rec["call_id"], "phone": number, "due_at": call.ended_at,
        "region": rec["region"], "department": rec["department"], "note": None, "created_at": utcnow(),
        "completed_at": None, "completed_by": None,
    }


def queue_lead(session: Session, rec: dict[str, Any]) -> None:
    """Ask for a prospect and a lead for this call's number, once per number."""
    statement = upsert(session, CallLead.__table__).values(
        number=rec["external_number"], interaction_id=rec["id"], call_id=rec["call_id"],
        responsible_id=rec["responsible_id"], region=rec["region"], department=rec["department"], state="pending",
        attempts=0, next_attempt_at=utcnow(), created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["number"])
    session.execute(statement)


def touch_partners(session: Session, records) -> None:
    """Move each partner's last-interaction date on to its answered call, in one statement
    (an upsert, so two replicas touching one partner do not collide)."""
    values = [
        {"partner_id": rec["partner_id"], "manager_id": rec["responsible_id"], "region": rec["region"],
         "department": rec["department"], "last_interaction_at": aware(rec["ended_at"] or rec["occurred_at"]),
         "last_interaction_id": rec["id"]}
        for rec in sorted(records, key=lambda r: r["partner_id"])
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
    records = _locked(session, T.c.match_state == call_rules.PENDING, skip_locked=True, limit=limit)
    if not records:
        return {"pending": 0, "matched": 0}
    matched = match_numbers(cache, partners, {rec["external_number"] for rec in records})
    batch = _Batch(uow)
    for rec in records:
        matches = matched.get(rec["external_number"])
        if matches is None:
            continue
        cid = rec["call_id"]
        batch.records[cid], batch.calls[cid] = rec, call_of(rec)
        link = _link_match(rec, matches)
        if link is not None:
            batch.links[cid] = link
        if matches and matches[0].get("manager_id") and rec["responsible_id"] is None:
            rec["responsible_id"] = matches[0]["manager_id"]
        session.execute(
            update(Task.__table__).where(Task.interaction_id == rec["id"], Task.assignee_id.is_(None))
            .values(assignee_id=rec["responsible_id"], partner_id=rec["partner_id"])
        )
        if call_rules.makes_lead(batch.calls[cid], rec["match_state"]):
            queue_lead(session, rec)
        uow.emit(events.INTERACTION_UPDATED, {
            **about_call(rec), "changed": ["match_state", "partner_id"], "call_id": cid, "match_state": rec["match_state"],
        })
    _update_calls(session, batch, sorted(batch.records))
    touch_partners(session, [rec for rec in batch.records.values()
                             if rec["partner_id"] and rec["answered_at"] and rec["call_state"] in call_rules.FINISHED])
    return {"pending": len(records), "matched": len(batch.records)}


def refresh_directory(cache: PhoneCache, partners, page: int = 5000) -> dict[str, Any]:
    """Load the whole phone directory into ``cache`` when it is due (caller_directory.py)."""
    if cache.reload_s <= 0:
        return {"loaded": False, "reason": "off"}
    due = cache.loaded_at is None or cache.reload_wanted or time.monotonic() - cache.loaded_at >= cache.reload_s
    if not due:
        return {"loaded": False, "reason": "not due"}

    def pages():
        after = None
        while True:
            answer = partners.phone_directory(after, page)
            yield answer["items"]
            after = answer.get("next")
            if not after:
                return

    started = time.perf_counter()
    try:
        numbers = cache.load(pages(), phones.lookup_key)
    except Exception as exc:  # noqa: BLE001 - partners down or failing: per-number matching meanwhile
        log.warning("the phone directory was not loaded: %s: %s", type(exc).__name__, exc)
        return {"loaded": False, "reason": f"{type(exc).__name__}: {exc}"}
    cache.loaded_at = time.monotonic()
    return {"loaded": True, "numbers": numbers, "seconds": round(time.perf_counter() - started, 3)}


def prune_call_events(session: Session, keep_days: int) -> int:
    """Forget event ids older than ``keep_days`` (a PBX does not redeliver that late)."""
    cutoff = utcnow() - timedelta(days=keep_days)
    return session.execute(delete(CallEvent).where(CallEvent.received_at < cutoff)).rowcount or 0


# --- reading calls ------------------------------------------------------------------------

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
