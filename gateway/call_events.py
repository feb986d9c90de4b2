"""Call events from a PBX that speaks gRPC, onto the broker the way telephony/publisher.py puts them.

A ``crm.v1.CallEvent`` becomes the JSON object of the call-event contract (contracts/telephony.py),
checked with ``validate_call_event``, and is published persistent, as ``application/json``, to
the durable topic exchange ``telephony.calls`` with routing key ``call.<kind>``, mandatory and
with publisher confirms: ``publish`` returns only once the broker has the event. Like the pika
publisher, the gateway declares the exchange and the interactions service's queue
``telephony.calls.interactions`` bound with ``call.#`` before its first event, so nothing is
dropped while the interactions service has never run.

The channel is opened on the RPC bridge's robust connection (one connection per gateway), so a
lost broker shows here as it does for RPC: :class:`DownstreamUnavailable` at once, and the
channel comes back with the connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aio_pika
from aio_pika.exceptions import CONNECTION_EXCEPTIONS, ChannelPreconditionFailed, DeliveryError, PublishError

from contracts.telephony import BINDING_KEY, EXCHANGE, QUEUE, routing_key, validate_call_event
from gateway.bridge import DownstreamTimeout, DownstreamUnavailable, RpcBridge

log = logging.getLogger(__name__)

# The contract's optional text fields, left out when empty (proto3 cannot say "unset").
TEXT_FIELDS = ("call_id", "event_id", "kind", "direction", "caller", "callee", "extension", "occurred_at",
               "transferred_to", "recording_url")


def event_of(message: Any) -> dict[str, Any]:
    """A ``crm.v1.CallEvent`` as the contract's JSON object: empty strings are left out (so a
    missing required field is named by the validation), ``duration_s`` only when set (0 is a
    duration)."""
    event: dict[str, Any] = {field: value for field in TEXT_FIELDS if (value := getattr(message, field))}
    if message.HasField("duration_s"):
        event["duration_s"] = message.duration_s
    return event


def checked_event(message: Any) -> dict[str, Any]:
    """The event to publish; raises ``crm_kit.errors.ValidationError`` naming every bad field."""
    return validate_call_event(event_of(message))


class CallEventPublisher:
    """``await publish(event)`` for events already checked; raises :class:`DownstreamUnavailable`
    when the broker is not reachable or refuses the event, :class:`DownstreamTimeout` when it
    does not confirm within the timeout."""

    def __init__(self, bridge: RpcBridge):
        self.bridge = bridge
        self._channel: aio_pika.abc.AbstractRobustChannel | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._lock = asyncio.Lock()

    async def ready(self) -> aio_pika.abc.AbstractExchange:
        """The exchange, once the channel is open and the topology declared (raises
        :class:`DownstreamUnavailable` when the broker is not reachable). Awaiting it before
        each ``publish`` keeps the publishes in the order they were started: past it, nothing
        in ``publish`` waits before the frame is queued on the channel."""
        if self._exchange is not None and self._channel is not None and not self._channel.is_closed:
            return self._exchange
        async with self._lock:
            if self._exchange is not None and self._channel is not None and not self._channel.is_closed:
                return self._exchange
            connection = self.bridge._connection  # the bridge's robust connection
            if connection is None or not self.bridge.is_connected:
                raise DownstreamUnavailable("the message broker is not reachable")
            try:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
                await self._declare_queue(connection)
            except CONNECTION_EXCEPTIONS as exc:
                raise DownstreamUnavailable(f"the message broker is not reachable ({type(exc).__name__})") from exc
            self._channel, self._exchange = channel, exchange
            return exchange

    @staticmethod
    async def _declare_queue(connection: aio_pika.abc.AbstractRobustConnection) -> None:
        # On channels of their own: a queue its consumer declared with other arguments (dead
        # letters, quorum) refuses this declaration and closes the channel. It exists, which is
        # what matters; it is bound (again) as it is.
        channel = await connection.channel()
        try:
            try:
                queue = await channel.declare_queue(QUEUE, durable=True)
            except ChannelPreconditionFailed:
                log.info("%s exists with its consumer's arguments; bound as it is", QUEUE)
                channel = await connection.channel()
                queue = await channel.get_queue(QUEUE, ensure=False)
            await queue.bind(EXCHANGE, routing_key=BINDING_KEY)
        finally:
            if not channel.is_closed:
                await channel.close()

    async def publish(self, event: dict[str, Any], *, timeout: float) -> None:
        if not self.bridge.is_connected:  # reconnecting: fail now, as RPC calls do
            raise DownstreamUnavailable("the message broker is not reachable")
        exchange = await self.ready()
        message = aio_pika.Message(
            json.dumps(event, ensure_ascii=False).encode(),
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=event["event_id"],
        )
        try:
            await exchange.publish(message, routing_key=routing_key(event["kind"]), mandatory=True, timeout=timeout)
        except PublishError:
            raise DownstreamUnavailable(f"no queue takes call events on {EXCHANGE} (returned by the broker)") from None
        except DeliveryError:
            raise DownstreamUnavailable(f"the broker refused the call event {event['event_id']}") from None
        except TimeoutError:
            raise DownstreamTimeout(f"the broker did not confirm call event {event['event_id']} within {timeout:.3g} s") from None
        except CONNECTION_EXCEPTIONS as exc:
            raise DownstreamUnavailable(f"the message broker is not reachable ({type(exc).__name__})") from exc
