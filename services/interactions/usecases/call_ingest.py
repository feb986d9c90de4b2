"""Phone calls from the PBX: a batch of call events becomes one call interaction per call.

One transaction per batch (crm_kit.batch commits it before the batch is acknowledged):

1. every event is checked against the contract (contracts.telephony); a malformed one is
   returned as rejected and parked by the consumer, the others go on;
2. each event's ``event_id`` is claimed in ``call_events``: a duplicate (in the batch, or
   redelivered) is skipped, so every event counts once;
3. the calls the new events belong to are locked (``FOR UPDATE``, in call-id order so that two
   replicas never deadlock) and the events folded into them (call_records.py, domain/calls.py:
   the same call whatever the order); a call seen for the first time is inserted, and when
   another replica inserted it first, it is locked and folded like the others;
4. the other party's number is matched to a partner or contact (caller_matching.py); when
   partners does not answer, the call is stored anyway with ``match_state`` pending and
   matched later;
5. the responsible user is the one at the extension (``extensions``, extensions.py), else the
   partner's manager; then the consequences: a call seen for the first time raises
   ``call_registered``, a finished one ``interaction_completed``, a missed one ``call_missed``
   with its call-back task (tasks.py); an incoming call from a number nobody has is queued
   for a prospect and a lead (call_leads.py); an answered call moves the partner's
   last-interaction date on (last_interaction.py); an answered call closes the open call-back
   task of its number (tasks.py), and a missed one counts on it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from contracts import interactions as events
from contracts.telephony import validate_call_event
from crm_kit.clock import aware
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import ValidationError
from crm_kit.models import new_id
from crm_kit.views import iso
from services.interactions.caller_directory import PhoneCache
from services.interactions.domain import calls as call_rules
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import CallEvent, Extension
from services.interactions.usecases.about import about_call
from services.interactions.usecases.call_deals import link_to_only_open_deal
from services.interactions.usecases.call_leads import queue_leads
from services.interactions.usecases.call_records import (
    PARTICIPANT_COLUMNS,
    CallBatch,
    P,
    T,
    call_of,
    fold,
    insert_many,
    locked_calls,
    new_record,
    parse_at,
    update_calls,
    write_call,
)
from services.interactions.usecases.caller_matching import link_match, match_numbers, place_with_partner, prospects_made
from services.interactions.usecases.last_interaction import touch_partners
from services.interactions.usecases.tasks import settle_call_backs

PBX = "pbx"  # created_by of call interactions


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


def _claim(session: Session, fresh: dict[str, tuple[dict[str, Any], datetime]]) -> list[str]:
    """Record each event id; the ones not recorded before (the rest are duplicates)."""
    now = utcnow()
    rows = [
        {"event_id": event_id, "call_id": event["call_id"], "kind": event["kind"], "occurred_at": at, "received_at": now}
        for event_id, (event, at) in sorted(fresh.items())  # one order for every replica: no deadlock
    ]
    return insert_many(session, CallEvent.__table__, rows, unique="event_id", returning="event_id")


def prune_call_events(session: Session, keep_days: int) -> int:
    """Forget event ids older than ``keep_days`` (a PBX does not redeliver that late)."""
    cutoff = utcnow() - timedelta(days=keep_days)
    return session.execute(delete(CallEvent).where(CallEvent.received_at < cutoff)).rowcount or 0


def _apply(uow: UnitOfWork, partners, cache: PhoneCache, by_call: dict[str, list]) -> None:
    session = uow.session
    batch = CallBatch(uow)
    call_ids = sorted(by_call)
    for rec in locked_calls(session, T.c.call_id.in_(call_ids)):
        batch.records[rec["call_id"]] = rec
        batch.before[rec["call_id"]] = (rec["call_state"], rec["match_state"])
    new = set(call_ids) - set(batch.records)
    for cid in call_ids:
        stored = batch.records.get(cid)
        batch.calls[cid] = fold(call_of(stored) if stored else None, by_call[cid])
        if stored is None:
            batch.records[cid] = new_record(batch.calls[cid], cid)
        else:
            write_call(stored, batch.calls[cid])
    _match_and_assign(session, batch, cache, partners, call_ids)

    if new:
        inserted = _insert_calls(session, [batch.records[cid] for cid in sorted(new)], batch)
        raced = new - inserted
        if raced:  # another replica registered these calls first: fold into theirs
            for rec in locked_calls(session, T.c.call_id.in_(sorted(raced))):
                cid = rec["call_id"]
                batch.records[cid], batch.before[cid] = rec, (rec["call_state"], rec["match_state"])
                batch.calls[cid] = fold(call_of(rec), by_call[cid])
                write_call(rec, batch.calls[cid])
            batch.links = {k: v for k, v in batch.links.items() if k not in raced}
            _match_and_assign(session, batch, cache, partners, sorted(raced))
        new = inserted
    update_calls(session, batch, [cid for cid in call_ids if cid not in new])
    _raise_consequences(session, batch, call_ids, new)


def _match_and_assign(session: Session, batch: CallBatch, cache: PhoneCache, partners, call_ids: list[str]) -> None:
    to_match = [cid for cid in call_ids if batch.before.get(cid, (None, None))[1] in (None, call_rules.PENDING)]
    matched = match_numbers(cache, partners, {batch.records[cid]["external_number"] for cid in to_match
                                               if batch.records[cid]["external_number"]})
    prospects_made(session, matched)
    extensions = {e for cid in call_ids for e in (batch.calls[cid].extension, batch.calls[cid].current_extension) if e}
    staff = {e.extension: e for e in session.scalars(select(Extension).where(Extension.extension.in_(extensions)))} \
        if extensions else {}
    through_manager = []
    for cid in call_ids:
        rec, matches = batch.records[cid], None
        if cid in to_match:
            matches = matched.get(rec["external_number"]) if rec["external_number"] else None
            link = link_match(rec, matches)
            if link is not None:
                batch.links[cid] = link
        user = _assign(rec, batch.calls[cid], staff, matches)
        if user is not None:
            batch.users[cid] = user
        elif cid in to_match and rec["partner_id"] and rec["region"] is None and rec["department"] is None:
            through_manager.append(rec)
    place_with_partner(session, through_manager)
    link_to_only_open_deal(session, [batch.records[cid] for cid in to_match if cid in batch.links])


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


def _insert_calls(session: Session, records: list[dict[str, Any]], batch: CallBatch) -> set[str]:
    """Insert the new calls (and their two participants); the call ids actually inserted."""
    now = utcnow()
    rows = [{**rec, "kind": kind_rules.CALL, "chain_id": rec["id"], "created_by": PBX, "created_at": now,
             "updated_at": now} for rec in records]
    inserted = set(insert_many(session, T, rows, unique="call_id", returning="call_id"))
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
    insert_many(session, P, participants)
    return inserted


def _summary(rec: dict[str, Any], contact_id: str | None = None) -> dict[str, Any]:
    return {
        **about_call(rec), "call_id": rec["call_id"], "contact_id": contact_id, "direction": rec["direction"],
        "number": rec["external_number"], "extension": rec["extension"], "call_state": rec["call_state"],
        "match_state": rec["match_state"], "started_at": iso(rec["occurred_at"]), "answered_at": iso(rec["answered_at"]),
        "ended_at": iso(rec["ended_at"]), "duration_s": rec["duration_s"],
    }


def _raise_consequences(session: Session, batch: CallBatch, call_ids: list[str], new: set[str]) -> None:
    """Events, call-back tasks (tasks.py), queued leads (call_leads.py) and partners'
    last-interaction dates (last_interaction.py)."""
    uow = batch.uow
    missed, answered, leads, touched = [], [], [], {}
    for cid in call_ids:
        rec, call = batch.records[cid], batch.calls[cid]
        was_state, _ = batch.before.get(cid, (None, None))
        if call.state == call_rules.MISSED and was_state != call_rules.MISSED:
            missed.append((rec, call, batch.links.get(cid, {}).get("contact_id")))
        if call.answered_at is not None:
            answered.append(rec)
    # Before call_missed is raised: it names the task the call was counted on.
    counted = settle_call_backs(uow, missed, answered)
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
            task = counted.get(cid, {})
            uow.emit(events.CALL_MISSED, {**_summary(rec, contact_id), "task_id": task.get("task_id"),
                                          "missed_count": task.get("missed_count")})
        if call_rules.makes_lead(call, rec["match_state"] or "") and was_match != call_rules.UNKNOWN:
            leads.append(rec)
        if call.answered_at is not None and call.finished and rec["partner_id"]:
            latest = touched.get(rec["partner_id"])
            if latest is None or aware(latest["ended_at"]) < aware(rec["ended_at"]):
                touched[rec["partner_id"]] = rec
    # The earliest call from a number is the one the lead is for.
    queue_leads(session, sorted(leads, key=lambda r: (aware(r["occurred_at"]), r["call_id"])))
    touch_partners(session, touched.values())
