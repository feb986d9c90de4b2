"""The PBX's gRPC path against a real broker: a stream's events are published with many
confirms in flight, reach the exchange in the order sent, and are acknowledged in that order,
each only after the broker confirmed it; an event the broker refuses (nack) ends the stream with
its error, and nothing after it is acknowledged."""

from __future__ import annotations

import uuid

import aio_pika
import pytest
from crm.v1 import telephony_pb2 as pb

from contracts.telephony import EXCHANGE
from gateway.bridge import DownstreamUnavailable
from gateway.call_events import CallEventPublisher
from gateway.servicers.telephony import TelephonyServicer


class Context:
    def time_remaining(self):
        return None


def ringing(run: str, n: int) -> pb.CallEvent:
    call_id = f"gw-{run}-{n:04d}"
    return pb.CallEvent(call_id=call_id, event_id=f"{call_id}:ringing", kind="ringing", direction="incoming",
                        caller="+7 495 123-45-67", callee="101", extension="101",
                        occurred_at="2026-11-23T10:00:00+03:00")


async def stream_of(messages: list[pb.CallEvent]):
    for message in messages:
        yield message


async def tap(amqp_uri: str, run: str, **arguments):
    """An exclusive queue on the call-event exchange (the tests' vhost; only this test publishes
    call events while it runs)."""
    connection = await aio_pika.connect(amqp_uri)
    channel = await connection.channel()
    await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"test-tap-{run}", exclusive=True, arguments=arguments or None)
    await queue.bind(EXCHANGE, routing_key="call.#")
    return connection, queue


async def test_a_stream_is_published_in_order_and_acknowledged_in_order(amqp_uri, bridge):
    run = uuid.uuid4().hex[:8]
    connection, queue = await tap(amqp_uri, run)
    try:
        sent = [ringing(run, n) for n in range(1500)]
        servicer = TelephonyServicer(CallEventPublisher(bridge))
        acks = [ack async for ack in servicer.StreamCallEvents(stream_of(sent), Context())]
        assert [(a.event_id, a.accepted) for a in acks] == [(m.event_id, True) for m in sent]
        arrived = []
        async with queue.iterator() as messages:
            async for message in messages:
                await message.ack()
                arrived.append(message.message_id)
                if len(arrived) == len(sent):
                    break
        assert arrived == [m.event_id for m in sent]
    finally:
        await connection.close()


async def test_an_event_the_broker_refuses_ends_the_stream_and_nothing_after_it_is_acknowledged(amqp_uri, bridge):
    run = uuid.uuid4().hex[:8]
    # A queue that holds three messages and refuses more (reject-publish): the broker nacks the
    # fourth event and every one after it.
    connection, _ = await tap(amqp_uri, run, **{"x-max-length": 3, "x-overflow": "reject-publish"})
    try:
        sent = [ringing(run, n) for n in range(50)]
        servicer = TelephonyServicer(CallEventPublisher(bridge))
        acks = []
        with pytest.raises(DownstreamUnavailable, match=sent[3].event_id):
            async for ack in servicer.StreamCallEvents(stream_of(sent), Context()):
                acks.append(ack)
        assert [(a.event_id, a.accepted) for a in acks] == [(m.event_id, True) for m in sent[:3]]
    finally:
        await connection.close()
