"""Publishing call events to the test broker: confirmed, persistent, durable, each once per publish."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pika
import pytest
from pika.exceptions import StreamLostError

from contracts.telephony import EXCHANGE, QUEUE
from crm_kit.errors import ValidationError
from telephony.publisher import CallEventPublisher
from telephony.simulator import simulate
from tests.support.platform import ROOT, free_port

pytestmark = pytest.mark.integration


def crm(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crm_ops.cli", *args],
        cwd=ROOT, env={**os.environ, "COLUMNS": "200", **env}, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def broker(infra):
    """A clean slate: no telephony exchange or queue before the test (the publisher declares them)."""
    connection = pika.BlockingConnection(pika.URLParameters(infra.amqp_uri))
    channel = connection.channel()
    channel.queue_delete(QUEUE)
    channel.exchange_delete(EXCHANGE)
    yield infra.amqp_uri
    if connection.is_open:
        connection.close()


def drain(amqp_uri: str) -> list[tuple[pika.spec.Basic.GetOk, pika.BasicProperties, dict]]:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        channel = connection.channel()
        got = []
        while True:
            method, properties, body = channel.basic_get(QUEUE, auto_ack=True)
            if method is None:
                return got
            got.append((method, properties, json.loads(body)))
    finally:
        connection.close()


def test_every_published_event_arrives_once_persistent_json(broker):
    events = simulate(15, 21, duplicate_rate=0.3)
    with CallEventPublisher(broker) as publisher:
        assert publisher.publish_many(events) == len(events)
    got = drain(broker)
    assert [body for _, _, body in got] == events  # once per publish, duplicates included, in order
    for method, properties, body in got:
        assert method.exchange == EXCHANGE and method.routing_key == f"call.{body['kind']}"
        assert properties.delivery_mode == 2 and properties.content_type == "application/json"


def test_exchange_and_queue_are_durable_and_declared_by_the_publisher(broker):
    with CallEventPublisher(broker) as publisher:
        publisher.publish(simulate(1, 1)[0])
    connection = pika.BlockingConnection(pika.URLParameters(broker))
    try:
        channel = connection.channel()
        # Redeclaring with the same (durable) arguments succeeds; a mismatch would close the channel.
        channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True, passive=False)
        declared = channel.queue_declare(QUEUE, durable=True)
        assert declared.method.message_count == 1
    finally:
        connection.close()


def test_a_bad_event_is_refused_before_publishing(broker):
    with CallEventPublisher(broker) as publisher:
        with pytest.raises(ValidationError) as caught:
            publisher.publish({"call_id": "c-1", "kind": "exploded"})
        assert {"kind", "event_id", "direction"} <= set(caught.value.details)
        publisher.publish(simulate(1, 2)[0])
    assert len(drain(broker)) == 1


def test_publish_many_keeps_confirms_in_flight_and_refuses_a_bad_batch_whole(broker):
    events = simulate(300, 8)
    with CallEventPublisher(broker) as publisher:
        bad = [*events[:5], {"call_id": "c-x", "kind": "exploded"}]
        with pytest.raises(ValidationError) as caught:
            publisher.publish_many(bad)
        assert caught.value.message.startswith("event 5:")
        assert publisher.publish_many(events) == len(events)
        assert publisher.publish_many(events[:3]) == 3  # the same pipeline again
    got = drain(broker)
    assert [body for _, _, body in got] == [*events, *events[:3]]  # nothing of the refused batch
    assert all(properties.delivery_mode == 2 for _, properties, _ in got)


def test_publish_many_reports_an_unroutable_event(broker):
    from pika.exceptions import UnroutableError

    with CallEventPublisher(broker, declare=False) as publisher:
        connection = pika.BlockingConnection(pika.URLParameters(broker))
        connection.channel().exchange_declare(EXCHANGE, exchange_type="topic", durable=True)  # no queue bound
        connection.close()
        with pytest.raises(UnroutableError):
            publisher.publish_many(simulate(2, 9))


def test_publish_many_says_at_once_when_it_cannot_set_up(broker):
    from pika.exceptions import AMQPConnectionError

    connection = pika.BlockingConnection(pika.URLParameters(broker))
    connection.channel().queue_declare(QUEUE, durable=True, arguments={"x-max-length": 10})  # other arguments
    connection.close()
    with CallEventPublisher(broker) as publisher:
        with pytest.raises(AMQPConnectionError) as caught:
            publisher.publish_many(simulate(1, 10))
        assert "PRECONDITION_FAILED" in str(caught.value) or "inequivalent" in str(caught.value)


def test_a_lost_connection_is_reopened_once(broker):
    first, second = simulate(1, 3, missed_rate=1.0, duplicate_rate=0, reorder_rate=0)
    with CallEventPublisher(broker) as publisher:
        publisher.publish(first)
        channel = publisher._channel
        original = channel.basic_publish
        calls = []

        def lose_once(*args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise StreamLostError("simulated lost connection")
            return original(*args, **kwargs)

        channel.basic_publish = lose_once
        publisher.publish(second)
        assert publisher._channel is not channel  # a new connection and channel
    assert [body for _, _, body in drain(broker)] == [first, second]


def test_a_connection_lost_twice_raises(broker):
    with CallEventPublisher(broker) as publisher:
        publisher.publish(simulate(1, 4)[0])

        def lost(*args, **kwargs):
            raise StreamLostError("simulated lost connection")

        original_open = publisher._open

        def open_broken():
            channel = original_open()
            channel.basic_publish = lost
            return channel

        publisher._open = open_broken
        with pytest.raises(StreamLostError):
            publisher.publish(simulate(1, 5)[0])


def test_crm_pbx_simulate_publishes_the_expected_count(broker):
    expected = len(simulate(20, 42))
    result = crm("pbx", "simulate", "--calls", "20", "--rate", "200", "--seed", "42", AMQP_URI=broker)
    assert result.returncode == 0, result.stderr
    assert f"published {expected} event(s)" in result.stdout and f"{expected} confirmed" in result.stdout
    got = drain(broker)
    assert len(got) == expected
    assert [body for _, _, body in got] == simulate(20, 42)


def test_crm_pbx_send_publishes_one_event(broker):
    result = crm("pbx", "send", "--call-id", "c-77", "--kind", "ringing", "--caller", "8 (495) 123-45-67",
                 "--callee", "+74951500000", "--extension", "101", AMQP_URI=broker)
    assert result.returncode == 0, result.stderr
    [(method, _, body)] = drain(broker)
    assert method.routing_key == "call.ringing"
    assert body["call_id"] == "c-77" and body["direction"] == "incoming" and body["caller"] == "8 (495) 123-45-67"
    ended = crm("pbx", "send", "--call-id", "c-77", "--kind", "ended", "--caller", "1", "--callee", "2", AMQP_URI=broker)
    assert ended.returncode == 2 and "duration_s" in ended.stderr and "Traceback" not in ended.stderr


def test_an_unreachable_broker_is_one_clear_line():
    dead_port = free_port()
    for args in (("pbx", "simulate", "--calls", "3", "--rate", "100"),
                 ("pbx", "send", "--call-id", "c", "--kind", "ringing", "--caller", "1", "--callee", "2")):
        result = crm(*args, AMQP_URI=f"amqp://guest:secret@127.0.0.1:{dead_port}/")
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "cannot reach RabbitMQ" in result.stderr and str(dead_port) in result.stderr
        assert "secret" not in result.stderr and "Traceback" not in result.stderr
