"""The outbox relay: publishes committed outbox rows to the service's event exchange.

Rows are written by :meth:`crm_kit.db.UnitOfWork.emit` in the business transaction. The relay
publishes them with publisher confirms, in id order within a batch (replicas relaying at once
may interleave their batches), in the format nameko's ``event_handler``
consumes (exchange ``<service>.events``, routing key = event type), then marks them published.
It runs right after a commit that wrote events (``kick``) and on a timer for anything left
over (a crash between commit and publish, a broker outage).

A batch goes out on one channel in confirm mode: every row is published, then the relay waits
for the broker to confirm them all (one wait per batch, not one round trip per event: a
service raising thousands of events a second, like interactions under a PBX, needs that).

Several replicas of one service relay at once without double work: each batch is claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL), so a row is published by whoever locked it.
Each event is signed (crm_kit.trust.sign_event: HMAC over this service's name, the event type, the
actor header and the body), so a consumer applies only events their producer published.

A publish that fails leaves the batch unmarked; it is published again later, and consumers'
inboxes make that harmless (at-least-once delivery, applied once).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import amqp
import eventlet
from eventlet.event import Event
from kombu import Connection
from nameko.standalone.events import get_event_exchange
from sqlalchemy import Engine, Table, delete, select, update

from crm_kit import trust
from crm_kit.clock import utcnow
from crm_kit.config import env_float, env_int

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT_S = 30.0


class Unconfirmed(Exception):
    """The broker refused (nacked) or did not confirm messages of a batch."""


class ConfirmedPublisher:
    """Publishes many messages on one channel in confirm mode and waits once for all their
    confirms. A failure drops the connection; the next call opens a new one. ``declare``: more
    entities (a queue the messages are routed to) declared with the exchange on every connect."""

    def __init__(self, amqp_uri: str, exchange, *, declare: tuple = ()):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.declarations = (exchange, *declare)
        self._connection: Connection | None = None
        self._channel = None
        self._sent = 0
        self._outstanding: set[int] = set()
        self._refused = 0

    def _open(self):
        if self._channel is None:
            connection = Connection(self.amqp_uri, connect_timeout=5)
            connection.connect()
            channel = connection.channel()
            for entity in self.declarations:
                entity(channel).declare()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._connection, self._channel, self._sent = connection, channel, 0
            self._outstanding.clear()
        return self._channel

    def _settle(self, tag: int, multiple: bool) -> int:
        done = {t for t in self._outstanding if t <= tag} if multiple else ({tag} & self._outstanding)
        self._outstanding -= done
        return len(done)

    def _on_ack(self, tag, multiple):
        self._settle(tag, multiple)

    def _on_nack(self, tag, multiple):
        self._refused += self._settle(tag, multiple)

    def publish_all(self, messages: list[tuple[str, str, dict]]) -> None:
        """``messages``: (JSON text, routing key, headers). Returns once all are confirmed;
        raises when one is refused or the confirms do not come within CONFIRM_TIMEOUT_S."""
        try:
            channel = self._open()
            self._refused = 0
            for payload, routing_key, headers in messages:
                message = amqp.Message(payload.encode(), content_type="application/json", content_encoding="utf-8",
                                       application_headers=headers, delivery_mode=2)
                channel.basic_publish(message, exchange=self.exchange.name, routing_key=routing_key)
                self._sent += 1
                self._outstanding.add(self._sent)
            deadline = time.monotonic() + CONFIRM_TIMEOUT_S
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Unconfirmed(f"{len(self._outstanding)} events not confirmed in {CONFIRM_TIMEOUT_S:g}s")
                self._connection.drain_events(timeout=remaining)
            if self._refused:
                raise Unconfirmed(f"the broker refused {self._refused} events")
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # already broken
                pass


class OutboxRelay:
    def __init__(self, engine: Engine, outbox: Table, service: str, config: dict):
        self.engine = engine
        self.outbox = outbox
        self.service = service
        self.exchange = get_event_exchange(service, config)
        self.publisher = ConfirmedPublisher(config["AMQP_URI"], self.exchange)
        self.key = trust.internal_key()
        self.batch_size = env_int("OUTBOX_BATCH", 1000, minimum=1)
        self.interval = env_float("OUTBOX_INTERVAL_S", 2.0, minimum=0.05)
        self.retention = timedelta(seconds=env_float("OUTBOX_RETENTION_S", 3600.0))
        self._wake = Event()
        self._thread = None
        self._running = False
        self._last_prune = utcnow()
        self.published_total = 0

    def start(self) -> None:
        self._running = True
        self._thread = eventlet.spawn(self._loop)

    def stop(self) -> None:
        self._running = False
        self.kick()
        if self._thread is not None:
            self._thread.kill()
            self._thread = None
        self.publisher.close()

    def kick(self) -> None:
        """Ask the relay loop to run now (collapses many kicks into one pass)."""
        if not self._wake.ready():
            self._wake.send(True)

    def _loop(self) -> None:
        # The first pass runs at once: rows a crashed predecessor committed go out on start.
        while self._running:
            try:
                self.relay_pending()
                if utcnow() - self._last_prune > timedelta(seconds=60):
                    self.prune()
            except Exception:  # keep relaying on the next tick; the rows stay in the outbox
                log.exception("outbox relay of %s failed; will retry", self.service)
                eventlet.sleep(self.interval)
            with eventlet.Timeout(self.interval, False):
                self._wake.wait()
            self._wake = Event()

    def relay_pending(self) -> int:
        """Publish every committed, unpublished row; returns how many were published."""
        published = 0
        while True:
            count = self._relay_batch()
            published += count
            if count < self.batch_size:
                break
        self.published_total += published
        return published

    def _relay_batch(self) -> int:
        table = self.outbox
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(table.c.id, table.c.event_type, table.c.payload, table.c.headers)
                .where(table.c.published_at.is_(None))
                .order_by(table.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            # The payload column holds the envelope as JSON text already: sent as it is, signed
            # as this service's (crm_kit.trust), so consumers can tell it from a forged one.
            service, key = self.service, self.key
            self.publisher.publish_all([
                (row.payload, row.event_type,
                 trust.sign_event(json.loads(row.headers), service, row.event_type, row.payload.encode(), key))
                for row in rows
            ])
            conn.execute(
                update(table).where(table.c.id.in_([row.id for row in rows])).values(published_at=utcnow())
            )
        return len(rows)

    def prune(self) -> int:
        """Delete rows published longer ago than the retention (OUTBOX_RETENTION_S)."""
        self._last_prune = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(self.outbox).where(self.outbox.c.published_at < utcnow() - self.retention)
            )
        return result.rowcount or 0
