"""A small pika client that publishes call events with publisher confirms.

It declares the durable topic exchange ``telephony.calls`` and the durable queue
``telephony.calls.interactions`` bound with ``call.#``, so no event is dropped before the
interactions service first starts. Messages are persistent JSON, published ``mandatory``.

- ``publish(event)``: one event on a blocking connection, returning once the broker confirmed
  it (a round trip per event: about 1,900 events/s on one connection here). A lost connection
  is reopened once (tenacity) and the publish retried.
- ``publish_many(events)``: many events with many confirms in flight at once, on a pika
  ``SelectConnection`` run by a thread of its own (pika's blocking adapter waits for each
  confirm). Returns once every event is confirmed; raises ``NackError``/``UnroutableError``
  when the broker refused or could not route one, ``AMQPConnectionError`` when the connection
  is lost (what was not confirmed then may or may not have arrived: publishing again is safe,
  the consumer applies each ``event_id`` once). Every event is checked before any is sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from concurrent.futures import wait as wait_all

import pika
from pika.exceptions import (
    AMQPConnectionError,
    ChannelClosed,
    ConnectionClosed,
    NackError,
    StreamLostError,
    UnroutableError,
)
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_fixed

from contracts.telephony import BINDING_KEY, EXCHANGE, QUEUE, routing_key, validate_call_event
from crm_kit.errors import ValidationError

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
        self._pipeline: _Pipeline | None = None

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

    def publish_many(self, events: Iterable[dict], *, timeout: float = 60.0) -> int:
        """Publish every event, many confirms in flight; returns how many were confirmed."""
        events = list(events)
        bodies = []
        for index, event in enumerate(events):
            if self.validate:
                try:
                    event = validate_call_event(event)
                except ValidationError as exc:
                    raise ValidationError(f"event {index}: {exc.message}", exc.details) from None
            bodies.append((routing_key(event.get("kind", "unknown")), json.dumps(event, ensure_ascii=False).encode(),
                           str(event.get("event_id", index))))
        if not bodies:
            return 0
        if self._pipeline is None or not self._pipeline.alive:
            self._pipeline = _Pipeline(self.amqp_uri, declare=self.declare)
        try:
            return self._pipeline.publish_all(bodies, timeout)
        except Exception:
            self._pipeline.close()
            self._pipeline = None
            raise

    def close(self) -> None:
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.close()
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


class _Pipeline:
    """A pika SelectConnection on a thread of its own, publishing with confirms in flight.

    Only the connection's thread touches the connection and channel; other threads hand it
    work with ``add_callback_threadsafe`` (the one thread-safe pika call) and wait on futures.
    """

    def __init__(self, amqp_uri: str, *, declare: bool, connect_timeout: float = 10.0):
        params = pika.URLParameters(amqp_uri)
        params.connection_attempts = 1
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._pending: dict[int, Future] = {}
        self._returned: set[int] = set()
        self._tags: dict[str, int] = {}  # message id (event id) -> delivery tag, for returns
        self._tag = 0
        self._declare = declare
        self._channel = None
        self._closed_reason = None
        self.alive = True
        self._connection = pika.SelectConnection(
            params, on_open_callback=self._on_open, on_open_error_callback=self._on_open_error,
            on_close_callback=self._on_closed,
        )
        self._thread = threading.Thread(target=self._connection.ioloop.start, name="pbx-publisher", daemon=True)
        self._thread.start()
        if not self._ready.wait(connect_timeout) or self._error is not None or not self.alive:
            self.close()
            reason = self._error or self._closed_reason or "timed out"
            raise AMQPConnectionError(f"could not open a publishing channel: {reason}")

    # --- on the connection's thread -------------------------------------------------------
    def _on_open(self, connection) -> None:
        connection.channel(on_open_callback=self._on_channel)

    def _on_open_error(self, _connection, error) -> None:
        self._error = error
        self.alive = False
        self._ready.set()
        self._connection.ioloop.stop()

    def _on_channel(self, channel) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        channel.add_on_return_callback(self._on_return)
        channel.confirm_delivery(self._on_confirm, callback=lambda _frame: self._declare_topology())

    def _declare_topology(self) -> None:
        if not self._declare:
            self._ready.set()
            return
        channel = self._channel
        channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True, callback=lambda _f: channel.queue_declare(
            QUEUE, durable=True, callback=lambda _f: channel.queue_bind(
                QUEUE, EXCHANGE, routing_key=BINDING_KEY, callback=lambda _f: self._ready.set())))

    def _send(self, bodies: list[tuple[str, bytes, str]], futures: list[Future]) -> None:
        for (key, body, message_id), future in zip(bodies, futures, strict=True):
            if not self.alive:
                future.set_exception(ConnectionClosed(320, "the publishing connection is closed"))
                continue
            self._tag += 1
            self._pending[self._tag] = future
            self._tags[message_id] = self._tag
            properties = pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=message_id)
            self._channel.basic_publish(EXCHANGE, key, body, properties=properties, mandatory=True)

    def _on_return(self, _channel, _method, properties, _body) -> None:
        # RabbitMQ returns an unroutable mandatory message before it confirms it: its confirm
        # then fails its future.
        tag = self._tags.get(properties.message_id)
        if tag is not None:
            self._returned.add(tag)

    def _on_confirm(self, frame) -> None:
        method = frame.method
        acked = isinstance(method, pika.spec.Basic.Ack)
        tags = [t for t in self._pending if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        for tag in tags:
            future = self._pending.pop(tag, None)
            if future is None:
                continue
            self._tags_done(tag)
            if tag in self._returned:
                self._returned.discard(tag)
                future.set_exception(UnroutableError([]))
            elif acked:
                future.set_result(True)
            else:
                future.set_exception(NackError([]))

    def _tags_done(self, tag: int) -> None:
        if len(self._tags) > 4 * len(self._pending) + 1024:  # forget the ids of settled messages
            self._tags = {mid: t for mid, t in self._tags.items() if t in self._pending}

    def _fail_pending(self, reason: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionClosed(320, reason))
        self._pending.clear()

    def _on_channel_closed(self, _channel, reason) -> None:
        self.alive = False
        self._closed_reason = reason
        self._ready.set()
        self._fail_pending(f"channel closed: {reason}")
        if self._connection.is_open:
            self._connection.close()

    def _on_closed(self, _connection, reason) -> None:
        self.alive = False
        self._closed_reason = self._closed_reason or reason
        self._fail_pending(f"connection closed: {reason}")
        self._ready.set()
        self._connection.ioloop.stop()

    # --- from the caller's thread ---------------------------------------------------------
    def publish_all(self, bodies: list[tuple[str, bytes, str]], timeout: float) -> int:
        if not self.alive:
            raise AMQPConnectionError(f"the publishing connection is closed: {self._closed_reason}")
        futures = [Future() for _ in bodies]
        self._connection.ioloop.add_callback_threadsafe(lambda: self._send(bodies, futures))
        done, not_done = wait_all(futures, timeout=timeout)
        if not_done:
            raise AMQPConnectionError(f"{len(not_done)} call events not confirmed within {timeout:g}s")
        for future in futures:
            future.result()  # raises the first refusal
        return len(futures)

    def close(self) -> None:
        if self._thread.is_alive():
            try:
                self._connection.ioloop.add_callback_threadsafe(
                    lambda: self._connection.close() if self._connection.is_open else self._connection.ioloop.stop())
            except Exception:  # the loop is gone already
                pass
            self._thread.join(timeout=5)
        self.alive = False


__all__ = ["CallEventPublisher", "NackError", "UnroutableError"]
