"""Another service that hears the deals service's events, as claims, notifications and
analytics will: it records each one it hears (through the real outbox and broker)."""

import json

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert, select

import contracts
from crm_kit.db import Database, messaging_tables
from crm_kit.entrypoints import handles, rpc
from crm_kit.observability import Observability

metadata = MetaData()
messaging_tables(metadata)
heard = Table(
    "heard",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_type", String(100), index=True),
    Column("event_id", String(36)),
    Column("payload", Text),
)


class DealsListenerService:
    name = "deals_listener"

    db = Database(metadata)
    observability = Observability()

    def _store(self, event):
        self.db.session.execute(
            insert(heard).values(event_type=event["event_type"], event_id=event["event_id"], payload=json.dumps(event))
        )

    @handles("deals", "deal_opened")
    def on_opened(self, event):
        self._store(event)

    @handles("deals", "deal_stage_changed")
    def on_stage_changed(self, event):
        self._store(event)

    @handles("deals", "deal_won")
    def on_won(self, event):
        self._store(event)

    @handles("deals", "deal_lost")
    def on_lost(self, event):
        self._store(event)

    @handles("deals", "offer_accepted")
    def on_offer_accepted(self, event):
        self._store(event)

    @handles("deals", "invoice_issued")
    def on_invoice_issued(self, event):
        self._store(event)

    @handles("deals", "payment_received")
    def on_payment_received(self, event):
        self._store(event)

    @handles("deals", "invoice_overdue")
    def on_invoice_overdue(self, event):
        self._store(event)

    @handles("deals", "deal_stuck")
    def on_deal_stuck(self, event):
        self._store(event)

    @handles("deals", "task_added")
    def on_task_added(self, event):
        self._store(event)

    @rpc
    def heard(self, event_type):
        rows = self.db.session.execute(select(heard.c.payload).where(heard.c.event_type == event_type).order_by(heard.c.id))
        events = [json.loads(r.payload) for r in rows]
        for event in events:  # every event the running service published keeps its contract
            contracts.check_envelope(event)
        return events
