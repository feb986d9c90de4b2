"""A call as the interactions table keeps it, for the PBX paths (call_ingest.py, caller_matching.py).

The hot path works on plain dicts of the interactions table's columns, read and written with
SQLAlchemy Core in a few statements per batch: the ORM's per-object bookkeeping cost more than
the database did (bench.pbx_ingest: 1,760 events/s in-process with ORM objects). Here: which
columns a call record holds, folding new events into the call it records (domain/calls.py),
writing the fold back into the record, locking stored records in call-id order, and updating
them with their participants in one statement each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg2.extras import Json, execute_values
from sqlalchemy import JSON, Table, bindparam, select, update
from sqlalchemy.orm import Session

from crm_kit import phones
from crm_kit.clock import aware
from crm_kit.db import UnitOfWork, upsert, utcnow
from crm_kit.models import new_id
from crm_kit.views import iso
from services.interactions.domain import calls as call_rules
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction, Participant

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


class CallBatch:
    """The calls of one batch: their records, what they were before, and what to write."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.records: dict[str, dict[str, Any]] = {}
        self.before: dict[str, tuple[str | None, str | None]] = {}
        self.calls: dict[str, call_rules.Call] = {}
        self.links: dict[str, dict[str, Any]] = {}  # call_id -> external participant's link
        self.users: dict[str, str] = {}  # call_id -> the user at the extension


def parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def stored_number(raw: str) -> str:
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


def write_call(rec: dict[str, Any], call: call_rules.Call) -> None:
    """Write what the folded call says into its record."""
    rec.update(
        direction=call.direction, from_number=stored_number(call.caller), to_number=stored_number(call.callee),
        extension=call.extension, extension_at=call.extension_at, occurred_at=call.started_at,
        answered_at=call.answered_at, ended_at=call.ended_at,
        duration_s=call.duration_s, recording_url=call.recording_url,
        transfers=[{"to": to, "at": iso(at)} for at, to in call.transfers], call_state=call.state,
        status=status_rules.DONE if call.finished else status_rules.IN_PROGRESS,
        completed_at=call.ended_at if call.finished else None,
        title=call_rules.title(call, phones.display(rec["external_number"] or call.external)),
    )


def new_record(call: call_rules.Call, call_id: str) -> dict[str, Any]:
    """The record of a call seen for the first time."""
    key = phones.lookup_key(call.external)
    rec: dict[str, Any] = dict.fromkeys(CALL_COLUMNS)
    rec.update(id=new_id(), call_id=call_id, external_number=key,
               match_state=call_rules.NO_NUMBER if key is None else None)
    write_call(rec, call)
    return rec


def insert_many(session: Session, table: Table, rows: list[dict[str, Any]], *, unique: str | None = None,
                returning: str | None = None) -> list[Any]:
    """INSERT ``rows`` (every row the same columns, every column given) in one statement; with
    ``unique``, rows whose ``unique`` column is taken are skipped; with ``returning``, that
    column of the rows inserted. On PostgreSQL the rows go through psycopg2's ``execute_values``:
    SQLAlchemy's per-row parameter handling cost about as much CPU as the database's work on
    them (py-spy of the consumer under bench.pbx_ingest). Elsewhere (SQLite) through SQLAlchemy."""
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        statement = upsert(session, table)
        if unique:
            statement = statement.on_conflict_do_nothing(index_elements=[unique])
        if returning:
            return list(session.scalars(statement.returning(table.c[returning]), rows))
        session.execute(statement, rows)
        return []
    columns = list(rows[0])
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    values = [tuple(Json(row[c]) if c in json_columns and row[c] is not None else row[c] for c in columns)
              for row in rows]
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES %s"
    if unique:
        sql += f" ON CONFLICT ({unique}) DO NOTHING"
    if returning:
        sql += f" RETURNING {returning}"
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        fetched = execute_values(cursor, sql, values, page_size=len(values), fetch=bool(returning))
    finally:
        cursor.close()
    return [row[0] for row in fetched] if returning else []


def locked_calls(session: Session, condition, *, skip_locked: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """The stored call records ``condition`` selects, locked in call-id order (the order every
    replica locks in: no deadlock)."""
    statement = select(*(T.c[c] for c in CALL_COLUMNS)).where(condition).order_by(T.c.call_id)
    if limit is not None:
        statement = statement.limit(limit)
    return [dict(row._mapping) for row in session.execute(statement.with_for_update(skip_locked=skip_locked))]


def update_calls(session: Session, batch: CallBatch, call_ids: list[str]) -> None:
    """Write the stored calls ``call_ids`` back, with their participants' new links and users."""
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
