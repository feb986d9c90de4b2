"""Another service that hears the partners service's events, as deals or analytics will."""

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
    Column("event_type", String(100)),
    Column("event_id", String(36)),
    Column("payload", Text),
)


class ListenerService:
    name = "listener"

    db = Database(metadata)
    observability = Observability()

    def _store(self, event):
        self.db.session.execute(
            insert(heard).values(event_type=event["event_type"], event_id=event["event_id"], payload=json.dumps(event))
        )

    @handles("partners", "partner_registered")
    def on_registered(self, event):
        self._store(event)

    @handles("partners", "partner_updated")
    def on_updated(self, event):
        self._store(event)

    @handles("partners", "partners_merged")
    def on_merged(self, event):
        self._store(event)

    @handles("partners", "partner_reassigned")
    def on_reassigned(self, event):
        self._store(event)

    @handles("partners", "agreement_approved")
    def on_agreement_approved(self, event):
        self._store(event)

    @rpc
    def heard(self, event_type):
        rows = self.db.session.execute(select(heard.c.payload).where(heard.c.event_type == event_type).order_by(heard.c.id))
        events = [json.loads(r.payload) for r in rows]
        for event in events:  # every event the running service published keeps its contract
            contracts.check_envelope(event)
        return events
