"""A small service built on crm_kit alone, to prove the kit's guarantees end to end."""

from marshmallow import fields, validate
from nameko.extensions import DependencyProvider
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text

from crm_kit.actor_provider import ActorProvider
from crm_kit.batch import consumes_batch, handles_batch
from crm_kit.contracts import EventContract, EventData, required
from crm_kit.db import Database, messaging_tables
from crm_kit.entrypoints import handles, rpc
from crm_kit.errors import Unavailable, ValidationError
from crm_kit.observability import Observability
from crm_kit.remote import RemoteService

metadata = MetaData()
messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36)),
    Column("note", String(200)),
)


FAILED_ONCE: set[str] = set()


class ContextDataProvider(DependencyProvider):
    """The worker's context data as it arrived (what a call carried)."""

    def get_dependency(self, worker_ctx):
        return dict(worker_ctx.data)


class NoteRecorded(EventData):
    """A note was stored."""

    note = required(fields.String, validate=validate.Length(min=1, max=200))


NOTE_RECORDED = EventContract("probe", "note_recorded", NoteRecorded, summary="A note was stored.",
                              example={"note": "hello"}, subject=())
# Only the tests publish it: heard in batches (handles_batch).
NOTE_BATCHED = EventContract("probe", "note_batched", NoteRecorded, summary="A note to take in a batch.",
                             example={"note": "hello"}, subject=())


class ProbeService:
    name = "probe"

    db = Database(metadata)
    actor = ActorProvider()
    observability = Observability()
    myself = RemoteService("probe")
    context = ContextDataProvider()

    @rpc
    def wait_on_lock(self, key):
        """Waits in PostgreSQL until the advisory lock ``key`` is free (a test holds it), then
        answers ``key``."""
        self.db.session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": key})
        return key

    @rpc
    def record(self, note):
        """Stores a note and emits ``note_recorded`` through the outbox."""
        self.db.session.execute(insert(effects).values(note=f"recorded:{note}"))
        return self.db.emit(NOTE_RECORDED, {"note": note})

    @rpc
    def record_against_the_contract(self, note):
        """Stores a note and emits ``note_recorded`` with a field its contract does not have:
        with CRM_CHECK_EVENTS=1 the call fails and nothing is stored."""
        self.db.session.execute(insert(effects).values(note=f"recorded:{note}"))
        return self.db.emit(NOTE_RECORDED, {"note": note, "mood": "cheerful"})

    @rpc
    def whoami(self):
        return self.actor.to_dict()

    @rpc
    def read_a_missing_table(self, secret):
        """Fails in the database, with ``secret`` among the statement's parameters."""
        self.db.session.execute(text("SELECT note FROM no_such_table_here WHERE note = :secret"), {"secret": secret})

    @rpc
    def ask_myself(self, note):
        """Calls this service's internal ``record_internally`` (as a service, for the caller) and
        answers what that call saw: ``{actor, signed_by, deadline}``."""
        return self.myself.call("record_internally", note)

    @rpc(internal=True)
    def record_internally(self, note):
        """Stores ``internal:<note>``: a method the gateway would never expose (services only)."""
        self.db.session.execute(insert(effects).values(note=f"internal:{note}"))
        return {"actor": self.actor.to_dict(), "signed_by": self.context.get("signed_by"),
                "deadline": self.context.get("deadline")}

    @rpc
    def effects(self):
        rows = self.db.session.execute(select(effects.c.event_id, effects.c.note).order_by(effects.c.id))
        return [{"event_id": r.event_id, "note": r.note} for r in rows]

    @handles(NOTE_RECORDED)
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

    @handles_batch(NOTE_BATCHED, queue="probe.note_batched", max_batch=50, max_wait_ms=30)
    def take_notes(self, events):
        """Stores ``batched:<note>`` per event not applied before, and the batch's size."""
        for event in events:
            self.db.session.execute(insert(effects).values(event_id=event["event_id"],
                                                           note=f"batched:{event['data']['note']}"))

    @consumes_batch("probe.batch", "probe.batch.items", "item.#", max_batch=50, max_wait_ms=30)
    def take_batch(self, bodies):
        """Stores ``batch:<note>`` per body. A body without a note is rejected (parked); ``fail``
        "always" breaks every batch it is in; "once" is a transient failure the first time."""
        rejected = {}
        for index, body in enumerate(bodies):
            if not isinstance(body, dict) or not body.get("note"):
                rejected[index] = ValidationError("an item needs a note", {"note": ["required"]})
                continue
            if body.get("fail") == "always":
                raise RuntimeError(f"item {body['note']} breaks the handler")
            if body.get("fail") == "once" and body["note"] not in FAILED_ONCE:
                FAILED_ONCE.add(body["note"])
                raise Unavailable("a service this batch needs is down for a moment", {})
            self.db.session.execute(insert(effects).values(note=f"batch:{body['note']}"))
        return {"rejected": rejected}
