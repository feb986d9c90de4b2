"""Consuming a high-rate stream of messages in batches: the ``consumes_batch`` entrypoint.

nameko's consumers hand a worker one message at a time, and a worker per message with its own
transaction cannot keep up with a PBX (thousands of call events a second). This entrypoint
holds its own connection with a large prefetch, gathers up to ``max_batch`` messages or what
arrived within ``max_wait_ms`` of the first, and hands them to ONE worker as a list of decoded
JSON bodies. The worker's transaction is committed (``commit_worker`` of every transactional
dependency, as in :mod:`crm_kit.entrypoints`) before any message is acknowledged, so a crash at
any moment leaves every message either committed or still in the queue; the handler must be
idempotent (a redelivered batch is applied again).

What the handler returns: ``{"rejected": {index: exception}}`` for bodies that can never be
applied (malformed input). Those are parked at once in ``dlq.<service>`` with the reason, with
publisher confirms, before the batch is acknowledged; they never block the queue.

When the handler fails:

- with a transient error (database or broker unreachable, another service unavailable) the
  batch is given back to the queue and the consumer waits (1 s, doubling to 30 s) before
  taking messages again: nothing is parked because PostgreSQL restarted;
- otherwise each message of the batch is tried alone, so that one poison message does not hold
  back the others; a message that fails alone goes through the retry delay queues and is then
  parked, like an event handler's (:mod:`crm_kit.dead_letters`).

The queue, its binding to a durable topic exchange and its retry queues are declared by
``crm topology`` (crm_ops.topology) and again when the consumer starts.
"""

from __future__ import annotations

import functools
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import eventlet
from eventlet.event import Event
from kombu import Connection, Consumer, Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.extensions import Entrypoint
from prometheus_client import Counter, Histogram
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from crm_kit import dead_letters, trust
from crm_kit.actor import SYSTEM, context_for
from crm_kit.config import env_float
from crm_kit.contracts import EventContract
from crm_kit.db import unit_of_work
from crm_kit.entrypoints import _commit
from crm_kit.errors import Unauthenticated, Unavailable, ValidationError

log = logging.getLogger(__name__)

BATCH_MESSAGES = Counter(
    "crm_batch_messages_total", "Messages handled by batch consumers, by outcome", ["service", "queue", "outcome"]
)
BATCH_SECONDS = Histogram(
    "crm_batch_seconds", "Time to apply and commit one batch", ["service", "queue"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BATCH_SIZE = Histogram(
    "crm_batch_size", "Messages per batch", ["service", "queue"], buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000)
)

TRANSIENT = (OperationalError, InterfaceError, Unavailable, ConnectionError, socket.error, TimeoutError)
MAX_BACKOFF_S = 30.0  # the longest wait before reconnecting or retrying; BATCH_MAX_BACKOFF_S (tests set it short)


def is_transient(exc: BaseException) -> bool:
    """A failure that says nothing about the messages: the database, broker or another service
    is unreachable. (A DBAPIError flagged ``connection_invalidated`` is one too.)"""
    return isinstance(exc, TRANSIENT) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


@dataclass
class Delivery:
    message: Any
    body: Any


class BatchConsumer(Entrypoint):
    """See the module documentation; use it as ``@consumes_batch(...)``."""

    def __init__(
        self, exchange: str, queue: str, routing_key: str, *, max_batch: int = 500, max_wait_ms: int = 50,
        signed_by: str | None = None, **kwargs
    ):
        if max_batch < 1 or max_wait_ms < 0:
            raise ValueError("max_batch must be >= 1 and max_wait_ms >= 0")
        self.exchange_name = exchange
        self.queue_name = queue
        self.routing_key = routing_key
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000.0
        # The producer whose signature every message must carry (crm_kit.trust): events; None
        # for messages from outside the platform (a PBX's call events).
        self.signed_by = signed_by
        self._stopping = False
        self._thread = None
        self._connection: Connection | None = None
        self._pause = 0.5  # the wait after a transient failure, doubling up to max_backoff_s
        self.max_backoff_s = MAX_BACKOFF_S
        super().__init__(**kwargs)

    # --- declarations (also used by crm_ops.topology) -------------------------------------
    @property
    def exchange(self) -> Exchange:
        return Exchange(self.exchange_name, type="topic", durable=True, auto_delete=False)

    @property
    def queue(self) -> Queue:
        return Queue(self.queue_name, exchange=self.exchange, routing_key=self.routing_key, durable=True, auto_delete=False)

    def declarations(self) -> list:
        return [self.exchange, self.queue, *dead_letters.retry_queues(self.queue_name),
                dead_letters.dlq_queue(self.container.service_name)]

    # --- lifecycle ------------------------------------------------------------------------
    def setup(self) -> None:
        self.max_backoff_s = env_float("BATCH_MAX_BACKOFF_S", MAX_BACKOFF_S, minimum=0.05)
        self.amqp_uri = self.container.config["AMQP_URI"]
        self._publisher = Publisher(self.amqp_uri, use_confirms=True)
        self._labels = (self.container.service_name, self.queue_name)
        self._key = trust.internal_key() if self.signed_by else None

    def start(self) -> None:
        self._stopping = False
        self._thread = self.container.spawn_managed_thread(self._run, identifier=f"batch:{self.queue_name}")

    def stop(self) -> None:
        """Finish the batch in hand, then close: prefetched messages go back to the queue."""
        self._stopping = True
        if self._thread is not None:
            self._thread.wait()

    def kill(self) -> None:
        self._stopping = True
        if self._thread is not None:
            self._thread.kill()
        self._close()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # a broken connection: the broker requeues what it held
                pass

    # --- the loop -------------------------------------------------------------------------
    def _run(self) -> None:
        backoff = min(1.0, self.max_backoff_s)
        while not self._stopping:
            try:
                self._consume()
                backoff = min(1.0, self.max_backoff_s)
            except Exception as exc:
                if self._stopping:
                    break
                log.warning("batch consumer of %s lost its connection (%s); again in %.0fs", self.queue_name, exc, backoff)
                self._close()
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff_s)
        self._close()

    def _consume(self) -> None:
        self._connection = Connection(self.amqp_uri, heartbeat=30, connect_timeout=5)
        connection = self._connection
        channel = connection.channel()
        for entity in self.declarations():
            entity(channel).declare()
        buffer: list[Any] = []
        consumer = Consumer(channel, queues=[self.queue], on_message=buffer.append, no_ack=False)
        consumer.qos(prefetch_count=self.max_batch * 2)
        consumer.consume()
        first_at: float | None = None  # when the oldest message in the buffer arrived
        last_heartbeat = time.monotonic()
        while not self._stopping:
            now = time.monotonic()
            if buffer and first_at is None:
                first_at = now
            if buffer and (len(buffer) >= self.max_batch or now >= first_at + self.max_wait_s):
                batch = buffer[: self.max_batch]
                del buffer[: self.max_batch]
                first_at = now if buffer else None
                self._handle(batch)
                continue
            timeout = 1.0 if first_at is None else first_at + self.max_wait_s - now
            try:
                connection.drain_events(timeout=max(timeout, 0.001))
            except TimeoutError:
                pass
            if now - last_heartbeat > 5:
                connection.heartbeat_check()
                last_heartbeat = now
        consumer.cancel()

    # --- one batch ------------------------------------------------------------------------
    def _handle(self, messages: list) -> None:
        deliveries: list[Delivery] = []
        for message in messages:
            if self._key is not None:
                try:
                    self._check_origin(message)
                except Unauthenticated as exc:
                    self._park(message, exc, permanent=True)
                    message.ack()
                    BATCH_MESSAGES.labels(*self._labels, "parked").inc()
                    continue
            try:
                deliveries.append(Delivery(message, json.loads(message.body)))
            except (TypeError, ValueError) as exc:
                self._park(message, ValidationError(f"the message is not JSON: {exc}", {"body": ["not JSON"]}), permanent=True)
                message.ack()
                BATCH_MESSAGES.labels(*self._labels, "parked").inc()
        if not deliveries:
            return
        BATCH_SIZE.labels(*self._labels).observe(len(deliveries))
        started = time.perf_counter()
        result, exc_info = self._run_worker([d.body for d in deliveries])
        if exc_info is None:
            BATCH_SECONDS.labels(*self._labels).observe(time.perf_counter() - started)
            self._pause = 0.5
            self._settle(deliveries, result)
            return
        exc = exc_info[1]
        if is_transient(exc):
            self._give_back(deliveries, exc)
        elif len(deliveries) == 1:
            self._retry_or_park(deliveries[0], exc)
        else:
            log.warning("a batch of %d on %s failed (%s); trying its messages one by one",
                        len(deliveries), self.queue_name, dead_letters.describe_error(exc))
            for index, delivery in enumerate(deliveries):
                result, exc_info = self._run_worker([delivery.body])
                if exc_info is None:
                    self._settle([delivery], result)
                elif is_transient(exc_info[1]):
                    self._give_back(deliveries[index:], exc_info[1])  # the rest waits for the outage
                    return
                else:
                    self._retry_or_park(delivery, exc_info[1])

    def _check_origin(self, message) -> None:
        """Raise Unauthenticated for a message its producer (``signed_by``) did not sign."""
        trust.verify_event(message.headers, message.body, self.signed_by, self.routing_key, self._key)

    def _run_worker(self, bodies: list[Any]) -> tuple[Any, Any]:
        done = Event()

        def handle_result(worker_ctx, result, exc_info):
            result, exc_info = _commit(self.container, worker_ctx, result, exc_info)
            done.send((result, exc_info))
            return result, exc_info

        self.container.spawn_worker(self, (bodies,), {}, context_data=context_for(SYSTEM), handle_result=handle_result)
        return done.wait()

    def _settle(self, deliveries: list[Delivery], result: Any) -> None:
        """Park the rejected, then acknowledge the whole batch with one frame (``multiple``: every
        delivery up to the batch's last is settled, as batches are handled in delivery order)."""
        rejected = (result or {}).get("rejected", {}) if isinstance(result, dict) else {}
        for index, delivery in enumerate(deliveries):
            if index in rejected:
                self._park(delivery.message, rejected[index], permanent=True)
        BATCH_MESSAGES.labels(*self._labels, "parked").inc(len(rejected))
        BATCH_MESSAGES.labels(*self._labels, "applied").inc(len(deliveries) - len(rejected))
        deliveries[-1].message.ack(multiple=True)

    def _give_back(self, deliveries: list[Delivery], exc: BaseException) -> None:
        log.warning("%d messages on %s go back to the queue: %s", len(deliveries), self.queue_name, dead_letters.describe_error(exc))
        for delivery in deliveries:
            delivery.message.requeue()
        BATCH_MESSAGES.labels(*self._labels, "requeued").inc(len(deliveries))
        self._pause = min(self._pause * 2, self.max_backoff_s)
        eventlet.sleep(self._pause)

    def _retry_or_park(self, delivery: Delivery, exc: BaseException) -> None:
        self._park(delivery.message, exc, permanent=isinstance(exc, ValidationError))
        delivery.message.ack()
        BATCH_MESSAGES.labels(*self._labels, "failed").inc()

    def _park(self, message, exc: BaseException, *, permanent: bool) -> None:
        """Republish to the next retry queue, or park, with confirms; the caller acks after."""
        dead_letters.retry_or_park(
            self._publisher, message, exc, service=self.container.service_name, queue_name=self.queue_name,
            permanent=permanent, what="message",
        )


consumes_batch = BatchConsumer.decorator


def in_rounds(events: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> Iterator[list[dict[str, Any]]]:
    """A batch of events in rounds of one event per ``key`` (a partner...), so that a set-based
    pass over a round applies the events of one key in the order they happened: the oldest of
    each key in the first round, the next in the second, and so on."""
    by_key: dict[Any, list[dict[str, Any]]] = {}
    for event in sorted(events, key=lambda event: str(event.get("occurred_at"))):
        by_key.setdefault(key(event), []).append(event)
    while by_key:
        yield [pending.pop(0) for pending in by_key.values()]
        by_key = {k: pending for k, pending in by_key.items() if pending}


def handles_batch(contract: EventContract, *, queue: str, max_batch: int = 500, max_wait_ms: int = 50):
    """Handle a burst of one event (a whole-base handover raises one ``partner_reassigned`` per
    partner) in batches: :func:`consumes_batch` on the producer's topic exchange, bound to the
    event's routing key, with what :func:`crm_kit.entrypoints.handles` gives one event.

    The method gets the list of events not applied before, in delivery order, each envelope
    with its ``data`` read through ``contract``; their ``event_id``s are claimed in the inbox in
    the same transaction as the method's effect (one statement for the batch), so a redelivered
    batch, or an event in it twice, is applied once. An event that breaks the contract (or is
    no event) is parked at once, the others applied. ``queue`` names the durable queue, e.g.
    ``deals.partner_reassigned``.
    """

    def decorator(method):
        handler_name = f"{method.__qualname__}"

        @functools.wraps(method)
        def wrapper(self, bodies: list[Any]):
            rejected: dict[int, Exception] = {}
            events: list[dict[str, Any]] = []
            for index, body in enumerate(bodies):
                try:
                    if not isinstance(body, dict) or not body.get("event_id"):
                        raise ValidationError("event has no event_id", {"event_id": ["missing"]})
                    events.append({**body, "data": contract.read(body)})
                except ValidationError as exc:
                    rejected[index] = exc
            fresh = unit_of_work(self).claim_events([str(event["event_id"]) for event in events], handler_name)
            todo = []
            for event in events:
                if str(event["event_id"]) in fresh:
                    fresh.discard(str(event["event_id"]))
                    todo.append(event)
            skipped = len(events) - len(todo)
            if skipped:
                log.info("skipping %d redelivered events for %s", skipped, handler_name)
            result = method(self, todo) if todo else None
            return {"rejected": rejected, "applied": len(todo), "result": result}

        exchange = f"{contract.source}.events"
        return consumes_batch(
            exchange, queue, contract.routing_key, max_batch=max_batch, max_wait_ms=max_wait_ms, signed_by=contract.source,
        )(wrapper)

    return decorator
