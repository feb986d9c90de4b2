"""A service's database: engine, the outbox and inbox tables, and a session per worker.

The :class:`Database` dependency hands each worker a :class:`UnitOfWork`: one SQLAlchemy
session, the events the worker emits (written to the outbox table in the same transaction) and
the inbox claim of the event it handles. The crm_kit entrypoints (:mod:`crm_kit.entrypoints`)
commit it *before* replying to an RPC or acking an event, so a caller never hears of a change
that was not committed; a failed worker is rolled back.

PostgreSQL is reached through psycopg2 with psycogreen's eventlet wait callback, so a query
waiting on the server yields to the hub instead of blocking the whole process (proven by
``tests/integration/test_db_concurrency.py``).
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
import weakref
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crm_kit.actor import ACTOR_KEY, SYSTEM, Actor
from crm_kit.clock import utcnow
from crm_kit.config import database_url
from crm_kit.contracts import ContractBroken, EventContract, checking
from crm_kit.errors import ValidationError

log = logging.getLogger(__name__)

# Fault injection for the durability test: the process dies right after a commit that wrote
# outbox rows, before the relay publishes them. Never set in production.
CRASH_AFTER_COMMIT_ENV = "CRM_CRASH_AFTER_COMMIT"


_BigId = BigInteger().with_variant(Integer, "sqlite")


def messaging_tables(metadata: MetaData) -> tuple[Table, Table]:
    """The outbox and inbox tables, added to a service's own metadata (and migrations)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", _BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True)),
        Index(
            "ix_outbox_unpublished",
            "id",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
        Index("ix_outbox_published_at", "published_at"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(200), primary_key=True),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )
    return outbox, inbox


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for a service database; SQLite gets WAL and a busy timeout for a local run."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    options: dict[str, Any] = {}
    if url.startswith(("postgresql://", "postgresql+psycopg2://")):
        # Times come back in UTC whatever the server's zone, as crm_kit.reads writes them.
        options["connect_args"] = {"options": "-c timezone=UTC"}
        # UPDATEs of many rows in one call (a batch of call events) go in pages of 500 per
        # round trip (psycopg2's execute_batch) instead of one round trip per row.
        options["executemany_mode"] = "values_plus_batch"
        options["executemany_batch_page_size"] = 500
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, **options)
    _ping_when_idle(engine)
    return engine


# A pooled connection unused for longer than this is pinged before use.
IDLE_PING_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only when it sat idle for a while.

    ``pool_pre_ping`` pings on every checkout: one more round trip per RPC, 8% of a
    ``partners.get`` (README, "Performance"). A connection in steady use proves itself alive
    by its last statement; one that sat idle (the server may have restarted or cut it since)
    is pinged, and a dead one is replaced before the worker sees it. A server lost during
    steady use fails the statement in flight; SQLAlchemy then drops every pooled connection.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["crm_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("crm_idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as exc:
            raise DisconnectionError(f"pooled connection unusable after {time.monotonic() - idle_since:.0f}s idle: {exc}") from exc


def cooperate_with_eventlet() -> None:
    """Make psycopg2 yield to the eventlet hub while it waits on the server."""
    try:
        from eventlet import patcher
    except ImportError:  # pragma: no cover - eventlet ships with nameko
        return
    if patcher.is_monkey_patched("socket"):
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()


def event_envelope(service: str, contract: EventContract, data: dict[str, Any], actor: Actor,
                   actor_dict: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every event carries: its id, name and version, time, source, actor, what it is
    about (``subject``, from its contract) and the data (crm_kit.contracts)."""
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": contract.name,
        "version": contract.version,
        "occurred_at": utcnow().isoformat(),
        "source": service,
        "actor": actor_dict if actor_dict is not None else actor.to_dict(),
        "subject": contract.subject_of(data),
        "data": data,
    }


def upsert(session: Session, table):
    """An INSERT with ``on_conflict_do_nothing``/``on_conflict_do_update`` for the session's
    database (PostgreSQL in production, SQLite as the embedded default)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table)


def unit_of_work(service: Any) -> UnitOfWork:
    """The worker's UnitOfWork on a service instance (its crm_kit.db.Database dependency)."""
    for value in vars(service).values():
        if isinstance(value, UnitOfWork):
            return value
    raise RuntimeError(f"{type(service).__name__} has no crm_kit.db.Database dependency")


class UnitOfWork:
    """One worker's transaction: the session, the events it emits, the event it handles."""

    def __init__(self, database: Database, actor: Actor):
        self._database = database
        self.actor = actor
        self._session: Session | None = None
        self._outbox_rows: list[dict[str, Any]] = []
        self.emitted: list[str] = []
        # Read once per worker, not per event: a PBX batch emits thousands (bench.pbx_ingest).
        self._checking = checking()
        self._actor_parts: dict[Actor, tuple[dict[str, Any], str]] = {}

    @property
    def idempotency(self):
        """The service's idempotency keys (crm_kit.idempotency.KeyStore), None without the table."""
        return self._database.idempotency

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._database.sessionmaker()
        return self._session

    def emit(self, contract: EventContract, data: dict[str, Any], *, actor: Actor | None = None) -> str:
        """Write the event ``contract`` names to the outbox in this transaction; it is published
        after commit. With ``CRM_CHECK_EVENTS=1`` (tests) data that breaks the contract fails the
        worker (ContractBroken) instead."""
        if not isinstance(contract, EventContract):
            raise TypeError(f"emit takes an event contract (contracts.<service>.<EVENT>), not {contract!r}")
        if contract.source != self._database.service:
            raise ValueError(f"{self._database.service} cannot emit {contract!r}: another service publishes it")
        actor = actor or self.actor
        parts = self._actor_parts.get(actor)
        if parts is None:  # the actor's envelope entry and the start of the headers, once per worker
            parts = self._actor_parts[actor] = (actor.to_dict(), json.dumps({f"nameko.{ACTOR_KEY}": actor.to_header()})[:-1])
        envelope = event_envelope(self._database.service, contract, data, actor, parts[0])
        payload = json.dumps(envelope, default=str)
        if self._checking:
            try:
                contract.check(json.loads(payload)["data"])  # as consumers will get it
            except ValidationError as exc:
                raise ContractBroken(contract, exc) from None
        # {"nameko.actor": ..., "nameko.call_id_stack": [...]}; the service name and the event
        # id need no escaping.
        headers = f'{parts[1]}, "nameko.call_id_stack": ["{self._database.service}.outbox.{envelope["event_id"]}"]}}'
        # Written with the rest of the transaction at commit, all rows in one statement: a scan
        # that raises thousands of events pays one round trip, not thousands (bench.deals).
        self._outbox_rows.append({
            "event_id": envelope["event_id"],
            "event_type": contract.routing_key,
            "payload": payload,
            "headers": headers,
            "created_at": utcnow(),
        })
        self.emitted.append(envelope["event_id"])
        return envelope["event_id"]

    def claim_event(self, event_id: str, handler: str) -> bool:
        """Record that ``handler`` applies ``event_id`` in this transaction.

        False when it was applied before (a redelivery): the caller skips it. Two concurrent
        deliveries of one event serialise on the primary key; the loser sees the winner's row.
        """
        inbox = self._database.inbox
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(inbox).values(event_id=event_id, handler=handler, received_at=utcnow())
                )
        except IntegrityError:
            return False
        return True

    def claim_events(self, event_ids: list[str], handler: str) -> set[str]:
        """:meth:`claim_event` for a batch of events in one statement: the ids not applied by
        ``handler`` before (now claimed in this transaction); the others are redeliveries."""
        if not event_ids:
            return set()
        now = utcnow()
        statement = upsert(self.session, self._database.inbox).on_conflict_do_nothing(index_elements=["event_id", "handler"])
        claimed = self.session.execute(
            statement.returning(self._database.inbox.c.event_id),
            [{"event_id": event_id, "handler": handler, "received_at": now} for event_id in dict.fromkeys(event_ids)],
        )
        return {row[0] for row in claimed}

    def flush_events(self) -> None:
        """Write the events emitted so far to the outbox (commit does it anyway)."""
        if self._outbox_rows:
            self.session.execute(insert(self._database.outbox), self._outbox_rows)
            self._outbox_rows = []

    def commit(self) -> None:
        if self._session is not None or self._outbox_rows:
            self.flush_events()
            self._session.commit()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


class Database(DependencyProvider):
    """A service's database, its outbox relay, and a :class:`UnitOfWork` per worker."""

    def __init__(self, metadata: MetaData):
        from crm_kit.idempotency import TABLE, KeyStore

        self.metadata = metadata
        self.outbox = metadata.tables["outbox"]
        self.inbox = metadata.tables["inbox"]
        # The keys of creating RPCs (crm_kit.idempotency), where the service's models have them.
        keys = metadata.tables.get(TABLE)
        self.idempotency = KeyStore(keys) if keys is not None else None
        self.key_pruner = None
        self.engine: Engine | None = None
        self.relay = None
        self._units: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @property
    def service(self) -> str:
        return self.container.service_name

    def setup(self) -> None:
        from crm_kit.outbox import OutboxRelay

        cooperate_with_eventlet()
        url = self.container.config.get("DATABASE_URL") or database_url(self.service)
        pool_size = int(self.container.config.get("max_workers", 10)) + 2
        self.engine = make_engine(url, pool_size=pool_size)
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.relay = OutboxRelay(self.engine, self.outbox, self.service, self.container.config)
        if self.idempotency is not None:
            from crm_kit.idempotency import KeyPruner

            self.key_pruner = KeyPruner(self.engine, self.idempotency, self.service)

    def start(self) -> None:
        self.relay.start()
        if self.key_pruner is not None:
            self.key_pruner.start()

    def stop(self) -> None:
        self.relay.stop()
        if self.key_pruner is not None:
            self.key_pruner.stop()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx) -> UnitOfWork:
        # Events emitted by a worker nobody called (a timer) are the system's own.
        header = worker_ctx.context_data.get(ACTOR_KEY)
        unit = UnitOfWork(self, Actor.from_header(header) if header else SYSTEM)
        self._units[worker_ctx] = unit
        return unit

    def commit_worker(self, worker_ctx) -> None:
        """Commit the worker's transaction; called by crm_kit entrypoints before they answer."""
        unit = self._units.get(worker_ctx)
        if unit is None:
            return
        unit.commit()
        if unit.emitted:
            if os.environ.get(CRASH_AFTER_COMMIT_ENV) == "1":
                log.critical("crash injected after commit (%s)", CRASH_AFTER_COMMIT_ENV)
                os._exit(70)
            self.relay.kick()

    def worker_teardown(self, worker_ctx) -> None:
        unit = self._units.pop(worker_ctx, None)
        if unit is not None:
            unit.close()

    # Read-side helpers for health and metrics.
    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def outbox_backlog(self) -> int:
        from sqlalchemy import func

        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(self.outbox).where(self.outbox.c.published_at.is_(None))
            ).scalar_one()
