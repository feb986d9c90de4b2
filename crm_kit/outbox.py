"""The outbox relay: publishes committed outbox rows to the service's event exchange.

Rows are written by :meth:`crm_kit.db.UnitOfWork.emit` in the business transaction. The relay
publishes them with publisher confirms, in id order, in the format nameko's ``event_handler``
consumes (exchange ``<service>.events``, routing key = event type), then marks them published.
It runs right after a commit that wrote events (``kick``) and on a timer for anything left
over (a crash between commit and publish, a broker outage).

Several replicas of one service relay at once without double work: each batch is claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL), so a row is published by whoever locked it.
A publish that fails leaves the batch unmarked; it is published again later, and consumers'
inboxes make that harmless (at-least-once delivery, applied once).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import eventlet
from eventlet.event import Event
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from sqlalchemy import Engine, Table, delete, select, update

from crm_kit.config import env_float, env_int
from crm_kit.db import utcnow

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, engine: Engine, outbox: Table, service: str, config: dict):
        self.engine = engine
        self.outbox = outbox
        self.service = service
        self.exchange = get_event_exchange(service, config)
        self.publisher = Publisher(config["AMQP_URI"], use_confirms=True, serializer="json")
        self.batch_size = env_int("OUTBOX_BATCH", 200, minimum=1)
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
            for row in rows:
                self.publisher.publish(
                    json.loads(row.payload),
                    exchange=self.exchange,
                    routing_key=row.event_type,
                    headers=json.loads(row.headers),
                )
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
