"""Another service that hears the interactions service's events, as notifications and
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


class InteractionsListenerService:
    name = "interactions_listener"

    db = Database(metadata)
    observability = Observability()

    def _store(self, event):
        self.db.session.execute(
            insert(heard).values(event_type=event["event_type"], event_id=event["event_id"], payload=json.dumps(event))
        )

    @handles("interactions", "interaction_registered")
    def on_registered(self, event):
        self._store(event)

    @handles("interactions", "interaction_completed")
    def on_completed(self, event):
        self._store(event)

    @handles("interactions", "interaction_updated")
    def on_updated(self, event):
        self._store(event)

    @handles("interactions", "reminder_due")
    def on_reminder_due(self, event):
        self._store(event)

    @handles("interactions", "participants_linked")
    def on_participants_linked(self, event):
        self._store(event)

    @handles("interactions", "call_registered")
    def on_call_registered(self, event):
        self._store(event)

    @handles("interactions", "call_missed")
    def on_call_missed(self, event):
        self._store(event)

    @handles("interactions", "task_completed")
    def on_task_completed(self, event):
        self._store(event)

    @rpc
    def heard(self, event_type):
        rows = self.db.session.execute(select(heard.c.payload).where(heard.c.event_type == event_type).order_by(heard.c.id))
        events = [json.loads(r.payload) for r in rows]
        for event in events:  # every event the running service published keeps its contract
            contracts.check_envelope(event)
        return events
