"""History for a consumer that starts late: a source replays its current state to one consumer,
which then follows live events without gaps or double counting.

Why not read the source's pages over RPC: pages read in separate transactions each see a
different moment, so an event committed between two pages is in one page's state and in the
live stream, and is counted twice. Here one source streams one consistent snapshot:

1. The consumer's event queues exist before it asks (``crm topology`` declares them; events are
   queued from then on). Its :class:`Backfill` dependency records ``requested_at`` and asks each
   source ``<source>.replay_to(consumer, replay_id, since)`` (``since`` = ``requested_at`` less
   ``REPLAY_MARGIN_S``). Until a source's replay is complete, the consumer's live handlers of
   that source hold their deliveries (unacknowledged, so at most the prefetch waits in memory
   and a crash loses nothing); other sources flow.
2. The source (:class:`Replayer`) opens ONE repeatable-read transaction and, inside it, lists
   the ``event_id`` of every outbox row the snapshot can see that may still reach the consumer's
   queues (not yet published, or published since ``since``), then streams its entities as
   ``<entity>_snapshot`` messages, then the ids (``replay_in_flight``), then
   ``replay_completed``, all to the queue ``replay.<consumer>`` with publisher confirms.
3. The consumer applies snapshot records in batches (:func:`replays`), records the in-flight ids
   in its inbox as already applied for every handler of that source (their effect is in the
   snapshot), marks the source live and releases the held deliveries: an event the snapshot
   saw is skipped by the inbox, an event it did not see is applied on top of it.

A replay that dies half-way (either process, the broker) is asked again when the consumer
restarts, under a new ``replay_id``; records of an older replay are dropped, and records are
applied as upserts, so applying an entity twice changes nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import eventlet
from eventlet.event import Event
from kombu import Exchange, Queue
from nameko.extensions import DependencyProvider
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, update
from sqlalchemy.orm import Session

from crm_kit import dead_letters, trust
from crm_kit.actor import SYSTEM, context_for
from crm_kit.batch import BatchConsumer
from crm_kit.clock import utcnow
from crm_kit.config import env_float, env_int
from crm_kit.contracts import EventContract
from crm_kit.contracts import checking as contract_checking
from crm_kit.db import Database, UnitOfWork, event_envelope, unit_of_work, upsert
from crm_kit.errors import PermissionDenied, ValidationError
from crm_kit.outbox import ConfirmedPublisher
from crm_kit.validation import datetime_arg, uuid_arg

log = logging.getLogger(__name__)

REPLAY_EXCHANGE = "replay"
IN_FLIGHT = "replay_in_flight"
COMPLETED = "replay_completed"
MARKERS = (IN_FLIGHT, COMPLETED)
LIVE = "live"
REQUESTED = "requested"


def replay_exchange() -> Exchange:
    return Exchange(REPLAY_EXCHANGE, type="direct", durable=True, auto_delete=False)


def replay_queue(consumer: str) -> Queue:
    """The queue a source streams its snapshot into for ``consumer``."""
    return Queue(f"replay.{consumer}", exchange=replay_exchange(), routing_key=consumer, durable=True, auto_delete=False)


def replay_tables(metadata: MetaData) -> Table:
    """The consumer's record of each source's replay (add to its metadata and migrations)."""
    return Table(
        "replay_state",
        metadata,
        Column("source", String(64), primary_key=True),
        Column("replay_id", String(36), nullable=False),
        Column("status", String(16), nullable=False),
        Column("requested_at", DateTime(timezone=True), nullable=False),
        Column("completed_at", DateTime(timezone=True)),
        Column("records", Integer, nullable=False, default=0),
    )


# --- the source ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SnapshotReader:
    """One kind of entity a source replays: its snapshot ``contract`` and ``pages(session,
    page_size)`` yielding lists of ``data`` dicts in key order (keyset paging inside the
    snapshot transaction)."""

    contract: EventContract
    pages: Callable[[Session, int], Iterator[list[dict[str, Any]]]]


def in_flight_event_ids(session: Session, outbox: Table, since: datetime) -> list[str]:
    """Events the snapshot already reflects that may still reach a queue bound since ``since``."""
    rows = session.execute(
        select(outbox.c.event_id).where((outbox.c.published_at.is_(None)) | (outbox.c.published_at >= since))
    )
    return [row[0] for row in rows]


def replay_signed_as(consumer: str) -> str:
    """What a replay's messages are signed as (with their source): for this one consumer."""
    return f"replay:{consumer}"


def stream_snapshot(
    session: Session,
    outbox: Table,
    readers: Iterable[SnapshotReader],
    publish: Callable[[list[tuple[str, str, dict]]], None],
    *,
    source: str,
    consumer: str,
    replay_id: str,
    since: datetime,
    page_size: int = 500,
    ids_per_message: int = 10_000,
) -> dict[str, int]:
    """Publish one consistent snapshot of ``source`` to ``consumer``; ``session`` must be inside
    a repeatable-read transaction. Returns the counts per event type."""
    in_flight = in_flight_event_ids(session, outbox, since)
    counts: dict[str, int] = {}

    check = contract_checking()

    def record(contract: EventContract, data: dict[str, Any]) -> tuple[str, str, dict]:
        if check:
            contract.check(data)
        body = {**event_envelope(source, contract, data, SYSTEM), "replay_id": replay_id}
        return signed(json.dumps(body, default=str))

    def marker(event_type: str, data: dict[str, Any]) -> tuple[str, str, dict]:
        # Not an event of the source's domain: the replay's own protocol, read by Backfill.
        body = {"event_id": str(uuid.uuid4()), "event_type": event_type, "source": source,
                "replay_id": replay_id, "occurred_at": utcnow().isoformat(), "data": data}
        return signed(json.dumps(body))

    key, signed_as = trust.internal_key(), replay_signed_as(consumer)

    def signed(payload: str) -> tuple[str, str, dict]:
        # As an event is (crm_kit.trust): the consumer applies only what ``source`` streamed to it.
        return payload, consumer, trust.sign_event({}, source, signed_as, payload.encode(), key)

    for reader in readers:
        name = reader.contract.name
        for page in reader.pages(session, page_size):
            publish([record(reader.contract, data) for data in page])
            counts[name] = counts.get(name, 0) + len(page)
    for start in range(0, len(in_flight), ids_per_message):
        publish([marker(IN_FLIGHT, {"event_ids": in_flight[start:start + ids_per_message]})])
    publish([marker(COMPLETED, {"records": sum(counts.values()), "in_flight": len(in_flight), "counts": counts})])
    return counts


class Replayer(DependencyProvider):
    """The source side: ``replayer.start(consumer, replay_id, since)`` from the service's
    ``replay_to`` RPC streams the snapshot in the background and returns at once."""

    def __init__(self, *readers: SnapshotReader):
        self.readers = readers

    def setup(self) -> None:
        self.database = next(dep for dep in self.container.dependencies if isinstance(dep, Database))
        self.amqp_uri = self.container.config["AMQP_URI"]
        self.page_size = env_int("REPLAY_PAGE_SIZE", 500, minimum=1)

    def get_dependency(self, worker_ctx) -> Replayer:
        return self

    def start_replay(self, consumer: str, replay_id: str, since: datetime) -> dict[str, str]:
        self.container.spawn_managed_thread(
            functools.partial(self._replay, consumer, replay_id, since), identifier=f"replay:{consumer}"
        )
        return {"replay_id": replay_id, "source": self.container.service_name}

    def _replay(self, consumer: str, replay_id: str, since: datetime) -> None:
        source = self.container.service_name
        publisher = ConfirmedPublisher(self.amqp_uri, replay_exchange(), declare=(replay_queue(consumer),))
        try:
            with self.database.engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                else:
                    # pysqlite opens a transaction only before a write: begin one ourselves so
                    # every page reads the same WAL snapshot.
                    connection.exec_driver_sql("BEGIN")
                with Session(bind=connection) as session:
                    counts = stream_snapshot(
                        session, self.database.outbox, self.readers, publisher.publish_all,
                        source=source, consumer=consumer, replay_id=replay_id, since=since, page_size=self.page_size,
                    )
                    session.rollback()
            log.info("replayed %s to %s (%s): %s", source, consumer, replay_id, counts)
        except Exception:
            log.exception("replay of %s to %s failed; the consumer asks again when it restarts", source, consumer)
        finally:
            publisher.close()


# --- the consumer ----------------------------------------------------------------------------

class Backfill(DependencyProvider):
    """The consumer side: asks each of ``sources`` for a replay until it is complete, and holds
    live deliveries of a source until then (see the module documentation)."""

    def __init__(self, *sources: str):
        self.sources = sources

    def setup(self) -> None:
        """Before any consumer runs (nameko sets every extension up, then starts them): for each
        source not yet live, empty this service's queues of its events and record the request.
        Everything they held is in the snapshot; an event published from now on stays queued,
        and the snapshot's in-flight ids (from ``requested_at`` less the margin) say which of
        those it already reflects."""
        from crm_kit.config import database_url
        from crm_kit.db import make_engine

        self.database = next(dep for dep in self.container.dependencies if isinstance(dep, Database))
        self.state = self.database.metadata.tables["replay_state"]
        self.margin = timedelta(seconds=env_float("REPLAY_MARGIN_S", 30.0, minimum=0.0))
        self.rpc_timeout = env_float("REPLAY_RPC_TIMEOUT_S", 10.0, minimum=0.1)
        self._live = {source: Event() for source in self.sources}
        self._replay_ids: dict[str, str] = {}
        self._requests: list[tuple[str, str, datetime]] = []
        self._completed_in_batch: list[str] = []
        # The Database dependency may not be set up yet: this runs on an engine of its own.
        engine = make_engine(self.container.config.get("DATABASE_URL") or database_url(self.container.service_name), pool_size=1)
        try:
            with engine.begin() as conn:
                rows = {row.source: row for row in conn.execute(select(self.state))}
            for source in self.sources:
                row = rows.get(source)
                if row is not None and row.status == LIVE:
                    self._live[source].send(True)
                    continue
                self._purge_live_queues(source)
                replay_id, requested_at = str(uuid.uuid4()), utcnow()
                with engine.begin() as conn:
                    conn.execute(upsert_state(conn, self.state).values(
                        source=source, replay_id=replay_id, status=REQUESTED, requested_at=requested_at, records=0
                    ))
                self._replay_ids[source] = replay_id
                self._requests.append((source, replay_id, requested_at))
        finally:
            engine.dispose()

    def start(self) -> None:
        for source, replay_id, requested_at in self._requests:
            self.container.spawn_managed_thread(
                functools.partial(self._request, source, replay_id, requested_at), identifier=f"backfill:{source}"
            )

    def _purge_live_queues(self, source: str) -> None:
        from kombu import Connection

        names = inbox_queue_names(self.container, source)
        with Connection(self.container.config["AMQP_URI"], connect_timeout=5) as connection:
            for name in names:
                channel = connection.channel()
                try:
                    purged = channel.queue_purge(name)
                    log.info("emptied %s (%s events the %s snapshot will cover)", name, purged, source)
                except Exception:  # not declared yet: nothing queued in it
                    pass
                finally:
                    try:
                        channel.close()
                    except Exception:
                        pass

    def get_dependency(self, worker_ctx) -> Backfill:
        return self

    # held live deliveries
    def is_live(self, source: str) -> bool:
        event = self._live.get(source)
        return event is None or event.ready()

    def wait_live(self, source: str) -> None:
        event = self._live.get(source)
        if event is not None:
            event.wait()

    def _request(self, source: str, replay_id: str, requested_at: datetime) -> None:
        """Ask ``source`` for the replay until it answers (it may not be up yet)."""
        from nameko.standalone.rpc import ClusterRpcProxy

        pause = 0.5
        while True:
            try:
                context = context_for(SYSTEM)  # signed as this service (replay_to is internal)
                trust.stamp(context, self.container.service_name, self.rpc_timeout, f"{source}.replay_to")
                with ClusterRpcProxy(self.container.config, context_data=context, timeout=self.rpc_timeout) as rpc:
                    getattr(rpc, source).replay_to(
                        consumer=self.container.service_name, replay_id=replay_id,
                        since=(requested_at - self.margin).isoformat(),
                    )
                log.info("asked %s for a replay (%s)", source, replay_id)
                return
            except Exception as exc:  # not up yet, broker trouble: ask again
                log.warning("could not ask %s for a replay (%s); again in %.1fs", source, exc, pause)
                eventlet.sleep(pause)
                pause = min(pause * 2, 30.0)

    # applying the stream (inside the replay worker's transaction)
    def current(self, body: dict[str, Any]) -> bool:
        """Whether a replayed message belongs to the replay this consumer is waiting for."""
        source = body.get("source")
        return self._replay_ids.get(source) == body.get("replay_id") and not self.is_live(source)

    def apply_marker(self, unit: UnitOfWork, body: dict[str, Any], handler_names: list[str]) -> None:
        source, data = body["source"], body.get("data") or {}
        if body["event_type"] == IN_FLIGHT:
            rows = [
                {"event_id": event_id, "handler": handler, "received_at": utcnow()}
                for event_id in data.get("event_ids", ())
                for handler in handler_names
            ]
            if rows:
                inbox = self.database.inbox
                unit.session.execute(upsert(unit.session, inbox).on_conflict_do_nothing(), rows)
        elif body["event_type"] == COMPLETED:
            unit.session.execute(
                update(self.state)
                .where(self.state.c.source == source, self.state.c.replay_id == body["replay_id"])
                .values(status=LIVE, completed_at=utcnow(), records=int(data.get("records", 0)))
            )
            self._completed_in_batch.append(source)

    def batch_started(self) -> None:
        self._completed_in_batch = []

    def batch_committed(self) -> None:
        """Release the held deliveries of every source whose replay this batch completed."""
        for source in self._completed_in_batch:
            log.info("replay of %s complete: following its live events", source)
            self._live[source].send(True)
        self._completed_in_batch = []


def upsert_state(conn, table: Table):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.source],
        set_={key: statement.excluded[key] for key in ("replay_id", "status", "requested_at", "records")},
    )


def backfill_of(container) -> Backfill | None:
    return next((dep for dep in container.dependencies if isinstance(dep, Backfill)), None)


def _inbox_handlers(container, source: str) -> list:
    from crm_kit.entrypoints import InboxEventHandler

    return [ep for ep in container.entrypoints if isinstance(ep, InboxEventHandler) and ep.source_service == source]


def inbox_queue_names(container, source: str) -> list[str]:
    """The queues of the service's live handlers of ``source``'s events (nameko's service-pool
    names, known before the handlers are set up)."""
    service = container.service_name
    return sorted({f"evt-{source}-{ep.event_type}--{service}.{ep.method_name}" for ep in _inbox_handlers(container, source)})


def inbox_handler_names(container, source: str) -> list[str]:
    """The inbox names of the service's live handlers of ``source``'s events."""
    methods = [getattr(container.service_cls, ep.method_name) for ep in _inbox_handlers(container, source)]
    return sorted({method.__qualname__ for method in methods})


class ReplayConsumer(BatchConsumer):
    """Consumes ``replay.<service>`` in batches, one at a time (so a source's completion is
    applied after every record it sent before it)."""

    def __init__(self, *, max_batch: int = 500, max_wait_ms: int = 50, **kwargs):
        super().__init__(REPLAY_EXCHANGE, "replay.?", "?", max_batch=max_batch, max_wait_ms=max_wait_ms, **kwargs)

    def bind(self, container, method_name):
        instance = super().bind(container, method_name)
        instance.queue_name = f"replay.{container.service_name}"
        instance.routing_key = container.service_name
        return instance

    @property
    def exchange(self) -> Exchange:
        return replay_exchange()

    def setup(self) -> None:
        super().setup()
        self._key = trust.internal_key()

    def _check_origin(self, message) -> None:
        # Several sources stream here: each message names its own, which its signature covers.
        try:
            source = json.loads(message.body).get("source")
        except (TypeError, ValueError, AttributeError):
            source = None
        trust.verify_event(message.headers, message.body, str(source), replay_signed_as(self.container.service_name), self._key)

    def declarations(self) -> list:
        return [self.exchange, self.queue, *dead_letters.retry_queues(self.queue_name),
                dead_letters.dlq_queue(self.container.service_name)]

    def _run_worker(self, bodies):
        backfill = backfill_of(self.container)
        backfill.batch_started()
        result, exc_info = super()._run_worker(bodies)
        if exc_info is None:
            backfill.batch_committed()
        return result, exc_info


def replays(*contracts: EventContract):
    """``@replays(PARTNER_SNAPSHOT, DEAL_SNAPSHOT, ...)``: the method applies snapshot records
    (envelopes in order, their ``data`` read through their contracts) of the replays the service
    waits for, as the consumer of ``replay.<service>``. Markers and records of stale replays
    never reach it; a record no contract here describes, or one that breaks its contract, is a
    ValidationError (parked)."""
    by_name = {(contract.source, contract.name): contract for contract in contracts}

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, bodies: list[dict[str, Any]]):
            unit = unit_of_work(self)
            backfill = next(value for value in vars(self).values() if isinstance(value, Backfill))
            records: list[dict[str, Any]] = []
            for body in bodies:
                if not isinstance(body, dict) or not backfill.current(body):
                    continue  # an older replay's leftovers, or a source already live
                if body.get("event_type") in MARKERS:
                    if records:
                        method(self, records)
                        records = []
                    backfill.apply_marker(unit, body, inbox_handler_names(backfill.container, body["source"]))
                    continue
                contract = by_name.get((body.get("source"), body.get("event_type")))
                if contract is None:
                    raise ValidationError(f"no snapshot contract for {body.get('source')}.{body.get('event_type')}",
                                          {"event_type": ["not replayed to this service"]})
                records.append({**body, "data": contract.read(body)})
            if records:
                method(self, records)

        return ReplayConsumer.decorator()(wrapper)

    return decorator


def pages_by_id(session: Session, query, model, page_size: int,
                build: Callable[[Any], dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``query`` (of ``model``) in primary-key order, a page at a time, each row as
    ``build(row)``: keyset paging, with only one page of ORM objects in memory at once."""
    after: Any = None
    while True:
        paged = query if after is None else query.where(model.id > after)
        rows = session.scalars(paged.order_by(model.id).limit(page_size)).all()
        if not rows:
            return
        yield [build(row) for row in rows]
        after = rows[-1].id
        session.expunge_all()


def replay_request(actor, consumer: Any, replay_id: Any, since: Any) -> tuple[str, str, datetime]:
    """Check a ``replay_to`` call: only the platform itself (a service actor) may ask, for a
    consumer named like a service, with a replay id and the time its queues were bound."""
    if not actor.is_service:
        raise PermissionDenied("only a service may ask for a replay")
    if not isinstance(consumer, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", consumer):
        raise ValidationError("invalid replay request", {"consumer": ["a service name: lower-case letters, digits, _"]})
    replay_id = uuid_arg(replay_id, "replay_id")
    when = datetime_arg(since, "since")
    if when is None:
        raise ValidationError("invalid replay request", {"since": ["required"]})
    return consumer, replay_id, when
