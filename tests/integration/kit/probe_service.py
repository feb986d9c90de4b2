"""A small service built on crm_kit alone, to prove the kit's guarantees end to end."""

import time

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text

from crm_kit.actor_provider import ActorProvider
from crm_kit.db import Database, messaging_tables
from crm_kit.entrypoints import handles, rpc
from crm_kit.errors import ValidationError
from crm_kit.observability import Observability

metadata = MetaData()
messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36)),
    Column("note", String(200)),
)


class ProbeService:
    name = "probe"

    db = Database(metadata)
    actor = ActorProvider()
    observability = Observability()

    @rpc
    def wait_in_db(self, seconds):
        """Waits in PostgreSQL; answers when the wait started and ended (wall clock)."""
        started = time.time()
        self.db.session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return [started, time.time()]

    @rpc
    def record(self, note):
        """Stores a note and emits ``note_recorded`` through the outbox."""
        self.db.session.execute(insert(effects).values(note=f"recorded:{note}"))
        return self.db.emit("note_recorded", {"note": note})

    @rpc
    def whoami(self):
        return self.actor.to_dict()

    @rpc
    def effects(self):
        rows = self.db.session.execute(select(effects.c.event_id, effects.c.note).order_by(effects.c.id))
        return [{"event_id": r.event_id, "note": r.note} for r in rows]

    @handles("probe", "note_recorded")
    def on_note(self, event):
        self.db.session.execute(insert(effects).values(event_id=event["event_id"], note=f"heard:{event['data']['note']}"))

    @handles("probe_source", "thing_happened")
    def on_thing(self, event):
        data = event["data"]
        self.db.session.execute(insert(effects).values(event_id=event["event_id"], note=data.get("note")))
        if data.get("fail") == "always":
            raise RuntimeError("handler broken for this event")
        if data.get("fail") == "validation":
            raise ValidationError("bad thing", {"note": ["not acceptable"]})
