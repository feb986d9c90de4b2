"""Idempotency keys: a creating RPC retried with the same ``request_id`` answers its first reply.

A call can end DEADLINE_EXCEEDED for the client and still commit in the service (the gateway
gives up; the worker goes on). The client cannot tell, so it retries, and without a key the
retry writes a second invoice or payment. Every creating RPC takes ``request_id``:

    @rpc
    @idempotent
    def add_task(self, deal_id, task, request_id=None) -> dict:

The key is claimed in the worker's own transaction (the ``idempotency_keys`` table in the
service's database, :func:`keys_table`), by caller, method and key, before the work runs, and
the reply is stored in the same transaction, so the change and its key commit together or not
at all. A retry after the commit gets the stored reply with ``replayed: true`` and writes
nothing; a retry racing the first call waits on the key's row (PostgreSQL) and then gets the
same. A failed call stores nothing (its change was rolled back): a retry runs again. The same
key for different arguments is refused (ValidationError on ``request_id``): a client that
reuses keys for new requests would otherwise get an old answer for a new request.

Keys live for ``IDEMPOTENCY_KEY_TTL_S`` (default a day); :class:`KeyPruner` deletes older ones
every ``IDEMPOTENCY_PRUNE_INTERVAL_S``. A key older than its life counts as unused.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import eventlet
from nameko.exceptions import IncorrectSignature
from sqlalchemy import Column, DateTime, Engine, Index, MetaData, String, Table, Text, delete, select, update
from sqlalchemy.orm import Session

from crm_kit.clock import aware, utcnow
from crm_kit.config import env_float
from crm_kit.errors import ValidationError
from crm_kit.validation import unstorable_text

log = logging.getLogger(__name__)

TABLE = "idempotency_keys"
KEY_ARGUMENT = "request_id"
MAX_KEY_LENGTH = 100


def keys_table(metadata: MetaData) -> Table:
    """The idempotency keys of a service's database (added by ``crm_kit.models.service_base``)."""
    return Table(
        TABLE,
        metadata,
        Column("caller", String(200), primary_key=True),
        Column("method", String(100), primary_key=True),
        Column("request_id", String(MAX_KEY_LENGTH), primary_key=True),
        # sha256 of the call's other arguments: the same key for another request is refused.
        Column("fingerprint", String(64), nullable=False),
        Column("reply", Text),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )


def key_ttl() -> timedelta:
    """How long a key answers its first reply (``IDEMPOTENCY_KEY_TTL_S``, default a day)."""
    return timedelta(seconds=env_float("IDEMPOTENCY_KEY_TTL_S", 86400.0, minimum=1.0))


def checked_key(value: Any) -> str | None:
    """A request id as given by a caller: None for none, else text of at most 100 characters."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationError.for_field(KEY_ARGUMENT, "must be text (a client-made unique id, such as a UUID)")
    if len(value) > MAX_KEY_LENGTH:
        raise ValidationError.for_field(KEY_ARGUMENT, f"longer than {MAX_KEY_LENGTH} characters")
    if unstorable_text(value):
        raise ValidationError.for_field(KEY_ARGUMENT, unstorable_text(value)["_schema"][0])
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # Decimal, UUID...


def fingerprint(arguments: dict[str, Any]) -> str:
    """What identifies a request's content: its arguments as canonical JSON, hashed."""
    text = json.dumps(arguments, sort_keys=True, default=_plain, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class KeyStore:
    """The keys of one service database, used inside a worker's session."""

    def __init__(self, table: Table):
        self.table = table

    def _row(self, session: Session, caller: str, method: str, key: str):
        table = self.table
        return session.execute(
            select(table.c.fingerprint, table.c.reply, table.c.created_at).where(
                table.c.caller == caller, table.c.method == method, table.c.request_id == key
            )
        ).first()

    def claim(self, session: Session, caller: str, method: str, key: str, print_: str) -> tuple[bool, Any]:
        """Claim ``key`` in the session's transaction: ``(True, None)`` when the call is new,
        ``(False, reply)`` when it was made before (the stored reply). Refuses the key when it
        was used for other arguments."""
        table = self.table
        for _attempt in range(3):
            # No savepoint and no IntegrityError: pysqlite's savepoints commit on their own
            # (the embedded default), and PostgreSQL makes this insert wait for a concurrent
            # claim of the same key, then do nothing when that one committed.
            claimed = session.execute(
                _insert(session, table)
                .values(caller=caller, method=method, request_id=key, fingerprint=print_, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["caller", "method", "request_id"])
            )
            if claimed.rowcount == 1:
                return True, None
            # Taken by an earlier call (committed).
            row = self._row(session, caller, method, key)
            if row is None:
                continue  # pruned in between: claim again
            if aware(row.created_at) < utcnow() - key_ttl():
                session.execute(delete(table).where(
                    table.c.caller == caller, table.c.method == method, table.c.request_id == key
                ))
                continue
            if row.fingerprint != print_:
                raise ValidationError.for_field(
                    KEY_ARGUMENT,
                    f"{key!r} was already used for another {method} request; a new request needs a new request_id",
                )
            if row.reply is None:  # not possible once committed; a defensive answer all the same
                raise ValidationError.for_field(KEY_ARGUMENT, f"{key!r} is in use by a {method} call in progress")
            return False, json.loads(row.reply)
        raise RuntimeError(f"could not claim idempotency key {key!r} for {method}")

    def record(self, session: Session, caller: str, method: str, key: str, reply: Any) -> None:
        """Store the reply of the call that claimed ``key`` (in the same transaction)."""
        table = self.table
        session.execute(
            update(table)
            .where(table.c.caller == caller, table.c.method == method, table.c.request_id == key)
            .values(reply=json.dumps(reply, default=_plain, ensure_ascii=False))
        )

    def prune(self, engine: Engine) -> int:
        """Delete the keys older than their life; how many."""
        with engine.begin() as conn:
            result = conn.execute(delete(self.table).where(self.table.c.created_at < utcnow() - key_ttl()))
        return result.rowcount or 0


def _insert(session: Session, table: Table):
    # crm_kit.db.upsert's twin: crm_kit.db builds its KeyStore from this module, and the kit's
    # modules import no cycle (tests/unit/kit/test_leaf.py), so this one cannot import db.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table)


def _unit_of_work(service: Any):
    # crm_kit.db.unit_of_work without importing db (see _insert): found by what it has.
    for value in vars(service).values():
        if hasattr(type(value), "idempotency") and hasattr(type(value), "claim_event"):
            return value
    raise RuntimeError(f"{type(service).__name__} has no crm_kit.db.Database dependency for its idempotency keys")


def replayed(reply: Any) -> Any:
    """A stored reply as a retry gets it: marked ``replayed`` when it is a record."""
    return {**reply, "replayed": True} if isinstance(reply, dict) else reply


def idempotent(method: Callable) -> Callable:
    """Make a creating RPC idempotent by its ``request_id`` argument (see the module).

    The method declares ``request_id=None``; it never sees the key (the work is the same with or
    without one). Without a key the call runs as before."""
    signature = inspect.signature(method)
    if KEY_ARGUMENT not in signature.parameters:
        raise TypeError(f"{method.__qualname__} must take {KEY_ARGUMENT}=None to be idempotent")
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:
            raise IncorrectSignature(str(exc)) from None
        bound.apply_defaults()
        key = checked_key(bound.arguments[KEY_ARGUMENT])
        if key is None:
            return method(*bound.args, **bound.kwargs)
        unit = _unit_of_work(self)
        store = unit.idempotency
        arguments = {arg: value for arg, value in bound.arguments.items() if arg not in ("self", KEY_ARGUMENT)}
        caller = unit.actor.user_id or "-"
        if store is None:
            raise RuntimeError(f"{type(self).__name__}'s models have no {TABLE} table (crm_kit.models.service_base)")
        new, reply = store.claim(unit.session, caller, name, key, fingerprint(arguments))
        if not new:
            log.info("%s replayed for %s with request_id %r", name, caller, key)
            return replayed(reply)
        reply = method(*bound.args, **bound.kwargs)
        store.record(unit.session, caller, name, key, reply)
        return reply

    # nameko checks a call's arguments against the method's signature before a worker starts
    # (IncorrectSignature to the caller); it reads this one, not the wrapper's (*args, **kwargs).
    wrapper.__signature__ = signature
    wrapper.idempotent = True
    return wrapper


class KeyPruner:
    """Deletes expired keys every ``IDEMPOTENCY_PRUNE_INTERVAL_S`` (default 10 minutes)."""

    def __init__(self, engine: Engine, store: KeyStore, service: str):
        self.engine = engine
        self.store = store
        self.service = service
        self.interval = env_float("IDEMPOTENCY_PRUNE_INTERVAL_S", 600.0, minimum=0.05)
        self._thread = None

    def start(self) -> None:
        self._thread = eventlet.spawn(self._loop)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.kill()
            self._thread = None

    def _loop(self) -> None:
        while True:
            eventlet.sleep(self.interval)
            try:
                self.store.prune(self.engine)
            except Exception:  # the next tick tries again; an old key only lingers
                log.exception("pruning idempotency keys of %s failed; will retry", self.service)
