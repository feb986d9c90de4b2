"""crm_kit.idempotency on SQLite: a creating RPC retried with the same request_id answers its
first reply and writes nothing again; each call runs as a worker does (its own unit of work,
committed after success, closed after failure)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import eventlet
import pytest
from nameko.exceptions import IncorrectSignature
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select, update
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from crm_kit.actor import Actor
from crm_kit.clock import utcnow
from crm_kit.db import UnitOfWork, messaging_tables
from crm_kit.errors import ValidationError
from crm_kit.idempotency import KeyPruner, KeyStore, idempotent, keys_table
from tests.support.waiting import eventually

ANNA = Actor("anna", ("manager",), ("msk",))
BORIS = Actor("boris", ("manager",), ("msk",))

metadata = MetaData()
messaging_tables(metadata)
KEYS = keys_table(metadata)
NOTES = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String(100)))


class NotesService:
    """A service as nameko makes one per worker: its unit of work as ``db``."""

    def __init__(self, unit: UnitOfWork):
        self.db = unit

    @idempotent
    def add_note(self, text, options=None, request_id=None) -> dict:
        if text == "boom":
            self.db.session.execute(insert(NOTES).values(text=text))
            raise ValueError("failed after writing")
        note_id = self.db.session.execute(insert(NOTES).values(text=text)).inserted_primary_key[0]
        return {"id": note_id, "text": text, "options": options}

    @idempotent
    def add_tag(self, text, request_id=None) -> dict:
        note_id = self.db.session.execute(insert(NOTES).values(text=text)).inserted_primary_key[0]
        return {"id": note_id}


@pytest.fixture
def database():
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    metadata.create_all(engine)
    return SimpleNamespace(
        engine=engine, sessionmaker=sessionmaker(bind=engine, expire_on_commit=False),
        idempotency=KeyStore(KEYS), service="notes", outbox=metadata.tables["outbox"],
    )


def call(database, actor: Actor, method: str, *args: Any, **kwargs: Any) -> Any:
    """One worker: the call, then commit, or close (roll back) when it failed."""
    unit = UnitOfWork(database, actor)
    try:
        result = getattr(NotesService(unit), method)(*args, **kwargs)
        unit.commit()
        return result
    finally:
        unit.close()


def count(database, table: Table) -> int:
    with database.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_retry_with_the_same_key_answers_the_first_reply_and_writes_nothing(database):
    first = call(database, ANNA, "add_note", "first", request_id="k-1")
    again = call(database, ANNA, "add_note", "first", request_id="k-1")
    assert again == {**first, "replayed": True}
    assert "replayed" not in first
    assert count(database, NOTES) == 1


def test_without_a_key_every_call_writes(database):
    call(database, ANNA, "add_note", "one")
    call(database, ANNA, "add_note", "one")
    assert count(database, NOTES) == 2 and count(database, KEYS) == 0


def test_the_same_key_for_another_request_is_refused_naming_request_id(database):
    call(database, ANNA, "add_note", "first", request_id="k-1")
    with pytest.raises(ValidationError) as refused:
        call(database, ANNA, "add_note", "second", request_id="k-1")
    assert "request_id" in refused.value.details
    assert "another add_note request" in refused.value.details["request_id"][0]
    with pytest.raises(ValidationError):  # options count too
        call(database, ANNA, "add_note", "first", {"override_reason": "x"}, request_id="k-1")
    assert count(database, NOTES) == 1


def test_keys_are_the_callers_and_the_methods(database):
    call(database, ANNA, "add_note", "same", request_id="k-1")
    call(database, BORIS, "add_note", "same", request_id="k-1")
    call(database, ANNA, "add_tag", "same", request_id="k-1")
    assert count(database, NOTES) == 3


def test_a_failed_call_keeps_no_key_so_its_retry_runs(database):
    with pytest.raises(ValueError):
        call(database, ANNA, "add_note", "boom", request_id="k-1")
    assert count(database, NOTES) == 0 and count(database, KEYS) == 0
    with pytest.raises(ValueError):
        call(database, ANNA, "add_note", "boom", request_id="k-1")
    assert count(database, KEYS) == 0


def test_an_expired_key_counts_as_unused_and_is_pruned(database, monkeypatch):
    monkeypatch.setenv("IDEMPOTENCY_KEY_TTL_S", "60")
    call(database, ANNA, "add_note", "old", request_id="k-old")
    call(database, ANNA, "add_note", "fresh", request_id="k-fresh")
    with database.engine.begin() as conn:
        conn.execute(update(KEYS).where(KEYS.c.request_id == "k-old").values(created_at=utcnow() - timedelta(minutes=2)))
    again = call(database, ANNA, "add_note", "old", request_id="k-old")
    assert "replayed" not in again and count(database, NOTES) == 3
    with database.engine.begin() as conn:
        conn.execute(update(KEYS).where(KEYS.c.request_id == "k-old").values(created_at=utcnow() - timedelta(minutes=2)))
    assert database.idempotency.prune(database.engine) == 1
    with database.engine.connect() as conn:
        assert conn.execute(select(KEYS.c.request_id)).scalars().all() == ["k-fresh"]


def test_the_pruner_deletes_expired_keys_on_its_timer(database, monkeypatch):
    monkeypatch.setenv("IDEMPOTENCY_KEY_TTL_S", "60")
    monkeypatch.setenv("IDEMPOTENCY_PRUNE_INTERVAL_S", "0.05")
    call(database, ANNA, "add_note", "old", request_id="k-old")
    call(database, ANNA, "add_note", "fresh", request_id="k-fresh")
    with database.engine.begin() as conn:
        conn.execute(update(KEYS).where(KEYS.c.request_id == "k-old").values(created_at=utcnow() - timedelta(minutes=2)))
    pruner = KeyPruner(database.engine, database.idempotency, "notes")
    pruner.start()
    try:
        # The pruner is a green thread: the check yields to it.
        eventually(lambda: eventlet.sleep(0.05) or count(database, KEYS) == 1, what="the expired key pruned")
    finally:
        pruner.stop()
    with database.engine.connect() as conn:
        assert conn.execute(select(KEYS.c.request_id)).scalars().all() == ["k-fresh"]


@pytest.mark.parametrize("key", ["x" * 101, "bad\x00key", "   ", 42])
def test_a_malformed_key_is_refused_naming_request_id(database, key):
    with pytest.raises(ValidationError) as refused:
        call(database, ANNA, "add_note", "text", request_id=key)
    assert list(refused.value.details) == ["request_id"]
    assert count(database, NOTES) == 0


def test_a_wrong_call_is_an_incorrect_signature(database):
    with pytest.raises(IncorrectSignature):
        call(database, ANNA, "add_note", "text", unknown=1)


def test_a_method_without_request_id_cannot_be_made_idempotent():
    with pytest.raises(TypeError, match="request_id"):
        idempotent(lambda self, text: None)
