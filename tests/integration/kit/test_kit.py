"""crm_kit's guarantees against real RabbitMQ and PostgreSQL, with the service in its own process:
database waits do not block the hub; an event survives its publisher dying right after commit;
a redelivered event is applied once; a failing handler is retried, then parked, and the queue
keeps flowing; operators list and replay parked messages."""

from __future__ import annotations

import json
import random
import threading
import uuid

import pytest
from kombu import Connection, Exchange, Producer
from nameko.exceptions import RemoteError
from sqlalchemy import select, text

from crm_kit import dead_letters
from crm_kit.actor import Actor
from tests.support.platform import ServiceProcess, rpc_proxy
from tests.support.platform import publish_event as signed_event
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def called_services(probe):
    return probe


def publish_event(amqp_uri: str, envelope, routing_key="thing_happened", source="probe_source"):
    signed_event(amqp_uri, envelope, routing_key, source)


def thing(note: str, event_id: str | None = None, **data) -> dict:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "event_type": "thing_happened",
        "occurred_at": "2026-11-23T10:00:00+00:00",
        "source": "probe_source",
        "actor": {"user_id": "tester"},
        "data": {"note": note, **data},
    }


def effect_notes(engine) -> list[str]:
    with engine.connect() as conn:
        return [row.note for row in conn.execute(text("SELECT note FROM effects ORDER BY id"))]


def handler_calls(service: ServiceProcess, method: str) -> float:
    total = 0.0
    for line in service.metrics().splitlines():
        if line.startswith("crm_worker_calls_total{") and f'method="{method}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_database_waits_do_not_block_the_hub(probe, probe_db, infra):
    """Ten RPCs wait in PostgreSQL at the same time in the one service process: while one waits
    on the database, the eventlet hub serves the others (a blocked hub would let one wait)."""
    _, engine = probe_db
    key = random.randrange(1, 2**31)
    answers: list[int] = []
    errors: list[BaseException] = []

    def call():
        try:
            with rpc_proxy(infra.amqp_uri, timeout=60) as proxy:
                answers.append(proxy.probe.wait_on_lock(key))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def waiting() -> int:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = :k"
            ), {"k": key}).scalar_one()

    threads = [threading.Thread(target=call) for _ in range(10)]
    with engine.connect() as holder:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        try:
            for t in threads:
                t.start()
            eventually(lambda: waiting() == 10, what="ten RPCs waiting in PostgreSQL at once")
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            for t in threads:
                t.join()
    assert not errors
    assert answers == [key] * 10


def test_actor_travels_with_the_call(call):
    actor = Actor("u-7", roles=("manager",), regions=("msk",), department="d1")
    assert call(actor).probe.whoami() == actor.to_dict()


def test_event_survives_publisher_dying_right_after_commit(probe_env, probe_db, probe):
    """The process dies after committing a change and its event, before relaying it; the
    next process relays it from the outbox and the consumer applies it."""
    _, engine = probe_db
    note = f"crash-{uuid.uuid4().hex[:8]}"
    probe.stop()
    doomed = ServiceProcess("tests.integration.kit.probe_service:ProbeService", probe_env, name="probe-doomed")
    try:
        # Its relay timer is slowed down so nothing but the crash decides what happens to the row.
        doomed.start(extra_env={"CRM_CRASH_AFTER_COMMIT": "1", "OUTBOX_INTERVAL_S": "600"})
        with rpc_proxy(probe_env["AMQP_URI"], timeout=5) as proxy:
            reply = proxy.probe.record.call_async(note)
            assert doomed.wait_exit(timeout=20) == 70
            del reply
        assert f"recorded:{note}" in effect_notes(engine)  # the change was committed...
        with engine.connect() as conn:
            pending = conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar_one()
        assert pending >= 1  # ...and its event is waiting in the outbox, unpublished
    finally:
        doomed.kill()
        probe.start()  # the successor relays it
    eventually(lambda: f"heard:{note}" in effect_notes(engine), what="the event to reach its consumer")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar_one() == 0


def test_outbox_event_relayed_and_consumed_once(call, probe_db):
    _, engine = probe_db
    note = f"plain-{uuid.uuid4().hex[:8]}"
    call().probe.record(note)
    eventually(lambda: f"heard:{note}" in effect_notes(engine), what="the relayed event")
    assert effect_notes(engine).count(f"heard:{note}") == 1


def test_redelivered_event_is_applied_once(probe, probe_db, infra):
    _, engine = probe_db
    before = handler_calls(probe, "on_thing")
    envelope = thing(f"dup-{uuid.uuid4().hex[:8]}")
    publish_event(infra.amqp_uri, envelope)
    publish_event(infra.amqp_uri, envelope)
    eventually(lambda: handler_calls(probe, "on_thing") >= before + 2, what="both deliveries handled")
    assert effect_notes(engine).count(envelope["data"]["note"]) == 1


def test_failing_handler_is_retried_then_parked_and_the_queue_keeps_flowing(probe, probe_db, infra):
    _, engine = probe_db
    broken = thing(f"broken-{uuid.uuid4().hex[:8]}", fail="always")
    publish_event(infra.amqp_uri, broken)
    fine = [thing(f"fine-{i}-{uuid.uuid4().hex[:6]}") for i in range(5)]
    for envelope in fine:
        publish_event(infra.amqp_uri, envelope)
    eventually(lambda: all(e["data"]["note"] in effect_notes(engine) for e in fine), what="the good events")

    def parked():
        return [p for p in dead_letters.iter_parked(infra.amqp_uri, "probe") if broken["event_id"] in p.body]

    found = eventually(parked, timeout=30, what="the broken event to be parked")[0]
    assert found.queue == "evt-probe_source-thing_happened--probe.on_thing"
    assert "handler broken for this event" in found.error
    assert found.attempts == 3  # the first try and two retries (RETRY_DELAYS_S=0.2,0.4)
    # Its effects were rolled back every time.
    assert broken["data"]["note"] not in effect_notes(engine)


def test_validation_failure_is_parked_at_once_and_can_be_replayed(probe, infra):
    bad = thing(f"invalid-{uuid.uuid4().hex[:8]}", fail="validation")
    publish_event(infra.amqp_uri, bad)

    def parked():
        return [p for p in dead_letters.iter_parked(infra.amqp_uri, "probe", 500) if bad["event_id"] in p.body]

    found = eventually(parked, what="the invalid event to be parked")[0]
    assert found.attempts == 1
    assert found.error_type == "ValidationError"
    calls = handler_calls(probe, "on_thing")
    replayed = dead_letters.replay_parked(infra.amqp_uri, "probe")
    assert replayed >= 1
    eventually(lambda: handler_calls(probe, "on_thing") > calls, what="the replayed event to be handled")
    eventually(parked, what="the replayed event to be parked again")


def test_malformed_event_is_parked_with_the_reason(probe, infra):
    marker = uuid.uuid4().hex
    publish_event(infra.amqp_uri, {"no_event_id": marker})

    def parked():
        return [p for p in dead_letters.iter_parked(infra.amqp_uri, "probe", 500) if marker in p.body]

    found = eventually(parked, what="the malformed event to be parked")[0]
    assert "event_id" in found.error


def test_health_and_metrics(probe):
    health = probe.health()
    assert health["status"] == "ready"
    assert health["checks"] == {"database": "ok", "broker": "ok"}
    metrics = probe.metrics()
    assert 'crm_worker_calls_total{' in metrics
    assert 'crm_outbox_backlog{service="probe"}' in metrics


def test_outbox_rows_carry_the_envelope(call, probe_db):
    _, engine = probe_db
    event_id = call(Actor("u-9", roles=("admin",))).probe.record("envelope")
    with engine.connect() as conn:
        payload = conn.execute(select(text("payload")).select_from(text("outbox")).where(
            text("event_id = :e")), {"e": event_id}).scalar_one()
    envelope = json.loads(payload)
    assert (envelope["event_type"], envelope["version"]) == ("note_recorded", 1)
    assert envelope["subject"] == {"partner_ids": []}
    assert envelope["actor"]["user_id"] == "u-9"
    assert envelope["source"] == "probe"
    assert envelope["data"] == {"note": "envelope"}
    assert envelope["occurred_at"]


def test_an_event_against_its_contract_fails_the_call_when_events_are_checked(probe, probe_db, infra):
    _, engine = probe_db
    note = f"broken-contract-{uuid.uuid4().hex[:8]}"
    with rpc_proxy(infra.amqp_uri) as proxy, pytest.raises(RemoteError) as caught:
        proxy.probe.record_against_the_contract(note)
    assert caught.value.exc_type == "ContractBroken"
    assert "mood" in caught.value.value and "note_recorded" in caught.value.value
    assert f"recorded:{note}" not in effect_notes(engine)  # the whole transaction rolled back


def test_an_event_breaking_its_contract_is_parked_at_once(probe, infra):
    marker = uuid.uuid4().hex
    bad = {**thing("unused"), "event_type": "note_recorded", "source": "probe", "version": 1,
           "subject": {"partner_ids": []}, "data": {"note": "", "marker": marker}}
    publish_event(infra.amqp_uri, bad, routing_key="note_recorded", source="probe")

    def parked():
        return [p for p in dead_letters.iter_parked(infra.amqp_uri, "probe", 500) if marker in p.body]

    found = eventually(parked, what="the event against its contract to be parked")[0]
    assert (found.attempts, found.error_type) == (1, "ValidationError")
    assert "note" in found.error and "marker" not in found.error  # a field it does not know is dropped, not refused


def publish_items(amqp_uri: str, bodies: list) -> None:
    exchange = Exchange("probe.batch", type="topic", durable=True, auto_delete=False)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=exchange)
        for body in bodies:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            producer.publish(raw, routing_key="item.new", content_type="application/json", content_encoding="utf-8",
                             delivery_mode=2)


def test_batch_consumer_applies_once_parks_bad_items_and_survives_poison_and_outages(probe, probe_db, infra):
    _, engine = probe_db
    run = uuid.uuid4().hex[:8]
    good = [{"note": f"{run}-good-{i}"} for i in range(30)]
    transient = {"note": f"{run}-transient", "fail": "once"}
    poison = {"note": f"{run}-poison", "fail": "always"}
    no_note = {"what": f"{run}-no-note"}
    publish_items(infra.amqp_uri, [*good[:10], no_note, transient, *good[10:20], poison, b"{broken " + run.encode(),
                                   *good[20:]])
    expected = [f"batch:{b['note']}" for b in (*good, transient)]
    eventually(lambda: set(expected) <= set(effect_notes(engine)), what="every good item and the transient one")

    def parked():
        found = [p for p in dead_letters.iter_parked(infra.amqp_uri, "probe", 500) if run in p.body]
        return found if len(found) == 3 else None

    by_kind = {p.error_type: p for p in eventually(parked, timeout=30, what="three parked items")}
    assert set(by_kind) == {"ValidationError", "RuntimeError"}
    assert by_kind["RuntimeError"].attempts == 3 and "poison" in by_kind["RuntimeError"].body
    assert all(p.queue == "probe.batch.items" for p in by_kind.values())
    notes = [n for n in effect_notes(engine) if run in n]
    assert sorted(notes) == sorted(expected)  # each applied once, the poison never


def test_events_handled_in_batches_are_applied_once_and_a_bad_one_parked(probe, probe_db, infra):
    _, engine = probe_db
    run = uuid.uuid4().hex[:8]

    def note(text: str, event_id: str | None = None) -> dict:
        return {"event_id": event_id or str(uuid.uuid4()), "event_type": "note_batched", "version": 1, "source": "probe",
                "occurred_at": "2026-11-23T10:00:00+00:00", "actor": {"user_id": "tester"},
                "subject": {"partner_ids": []}, "data": {"note": text}}

    twice = note(f"{run}-twice")
    events = [note(f"{run}-{i}") for i in range(20)]
    for envelope in [*events[:10], twice, note(""), twice, *events[10:], twice]:
        publish_event(infra.amqp_uri, envelope, routing_key="note_batched", source="probe")
    expected = sorted(f"batched:{e['data']['note']}" for e in (*events, twice))
    eventually(lambda: sorted(n for n in effect_notes(engine) if run in n) == expected, what="each event applied once")

    def parked():
        return [p for p in dead_letters.iter_parked(infra.amqp_uri, "probe", 500)
                if p.queue == "probe.note_batched" and '"note": ""' in p.body]

    found = eventually(parked, what="the event against its contract to be parked")[0]
    assert (found.attempts, found.error_type) == (1, "ValidationError")
    assert sorted(n for n in effect_notes(engine) if run in n) == expected
