"""crm_kit.replay without a broker: who may ask for a replay, and what a snapshot stream holds
in which order (records, then the ids of events it already reflects, then completion)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData, create_engine, insert
from sqlalchemy.orm import Session

from contracts.partners import PARTNER_SNAPSHOT
from crm_kit.actor import MANAGER, SYSTEM, Actor
from crm_kit.db import messaging_tables
from crm_kit.errors import PermissionDenied, ValidationError
from crm_kit.replay import COMPLETED, IN_FLIGHT, SnapshotReader, replay_request, stream_snapshot

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
REPLAY_ID = str(uuid.uuid4())


def test_only_a_service_asks_for_a_replay_and_bad_arguments_are_named():
    assert replay_request(SYSTEM, "analytics", REPLAY_ID, NOW.isoformat()) == ("analytics", REPLAY_ID, NOW)
    with pytest.raises(PermissionDenied):
        replay_request(Actor("anna", roles=(MANAGER,)), "analytics", REPLAY_ID, NOW.isoformat())
    for consumer, replay_id, since, field in [
        ("Analytics; drop", REPLAY_ID, NOW.isoformat(), "consumer"),
        (None, REPLAY_ID, NOW.isoformat(), "consumer"),
        ("analytics", "not-an-id", NOW.isoformat(), "replay_id"),
        ("analytics", REPLAY_ID, "yesterday", "since"),
        ("analytics", REPLAY_ID, None, "since"),
    ]:
        with pytest.raises(ValidationError) as refused:
            replay_request(SYSTEM, consumer, replay_id, since)
        assert field in refused.value.details


def test_a_stream_sends_the_records_then_the_ids_it_reflects_then_its_end():
    metadata = MetaData()
    outbox, _ = messaging_tables(metadata)
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    row = {"event_type": "partner_updated", "payload": "{}", "headers": "{}", "created_at": NOW}
    with engine.begin() as conn:  # long published, published since, not yet published
        conn.execute(insert(outbox), [
            {**row, "event_id": "old", "published_at": NOW - timedelta(hours=2)},
            {**row, "event_id": "recent", "published_at": NOW - timedelta(seconds=5)},
            {**row, "event_id": "pending", "published_at": None},
        ])
    example = PARTNER_SNAPSHOT.example
    reader = SnapshotReader(PARTNER_SNAPSHOT, lambda session, size: iter([[example, example], [example]]))
    sent: list[list[dict]] = []

    with Session(engine) as session:
        counts = stream_snapshot(
            session, outbox, [reader], lambda batch: sent.append([json.loads(body) for body, _, _ in batch]),
            source="partners", consumer="analytics", replay_id=REPLAY_ID, since=NOW - timedelta(minutes=1),
            ids_per_message=1,
        )

    kinds = [[body["event_type"] for body in batch] for batch in sent]
    assert kinds == [["partner_snapshot"] * 2, ["partner_snapshot"], [IN_FLIGHT], [IN_FLIGHT], [COMPLETED]]
    assert counts == {"partner_snapshot": 3}
    assert sorted(batch[0]["data"]["event_ids"][0] for batch in sent[2:4]) == ["pending", "recent"]
    assert sent[-1][0]["data"] == {"records": 3, "in_flight": 2, "counts": {"partner_snapshot": 3}}
    assert {body["replay_id"] for batch in sent for body in batch} == {REPLAY_ID}
    assert sent[0][0]["subject"]["partner_id"] == example["partner_id"]
