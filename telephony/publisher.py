"""A small blocking pika client that publishes call events with publisher confirms.

It declares the durable topic exchange ``telephony.calls`` and the durable queue
``telephony.calls.interactions`` bound with ``call.#``, so no event is dropped before the
interactions service first starts. Messages are persistent JSON; a lost connection is
reopened once (tenacity) and the publish retried.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pika
from pika.exceptions import AMQPConnectionError, ChannelClosed, ConnectionClosed, StreamLostError, UnroutableError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_fixed

from telephony.events import BINDING_KEY, EXCHANGE, QUEUE, routing_key, validate_call_event

LOST = (AMQPConnectionError, ConnectionClosed, StreamLostError, ChannelClosed)


class CallEventPublisher:
    """``publish(event)`` sends one event and returns once the broker confirmed it;
    ``publish_many(events)`` returns how many were confirmed."""

    def __init__(self, amqp_uri: str, *, validate: bool = True, declare: bool = True):
        self.amqp_uri = amqp_uri
        self.validate = validate
        self.declare = declare
        self._connection: pika.BlockingConnection | None = None
        self._channel = None

    def _open(self):
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        params = pika.URLParameters(self.amqp_uri)
        params.connection_attempts = 1
        params.socket_timeout = 5
        params.blocked_connection_timeout = 30
        self._connection = pika.BlockingConnection(params)
        channel = self._connection.channel()
        channel.confirm_delivery()
        if self.declare:
            channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
            channel.queue_declare(QUEUE, durable=True)
            channel.queue_bind(QUEUE, EXCHANGE, routing_key=BINDING_KEY)
        self._channel = channel
        return channel

    def _drop(self, retry_state=None) -> None:
        self._channel = None
        self.close()

    @retry(
        retry=retry_if_exception_type(LOST),
        stop=stop_after_attempt(2),
        wait=wait_fixed(0.5),
        before_sleep=lambda state: state.args[0]._drop(),
        reraise=True,
    )
    def _send(self, kind: str, body: bytes) -> None:
        channel = self._open()
        channel.basic_publish(
            EXCHANGE,
            routing_key(kind),
            body,
            properties=pika.BasicProperties(content_type="application/json", delivery_mode=2),
            mandatory=True,
        )

    def publish(self, event: dict) -> None:
        """Publish one event; raises ``ValidationError`` for a bad event, pika's
        ``NackError``/``UnroutableError`` when the broker refuses it."""
        if self.validate:
            event = validate_call_event(event)
        kind = event.get("kind", "unknown")
        body = json.dumps(event, ensure_ascii=False).encode()
        self._send(kind, body)

    def publish_many(self, events: Iterable[dict]) -> int:
        confirmed = 0
        for event in events:
            self.publish(event)
            confirmed += 1
        return confirmed

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # closing a broken connection: nothing more to do
                pass

    def __enter__(self) -> CallEventPublisher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["CallEventPublisher", "UnroutableError"]
