"""Retry with backoff, then park: what happens to an event whose handler keeps failing.

A failed delivery is republished (with publisher confirms, before the original is acked) to a
delay queue ``<queue>.retry.<n>`` whose TTL is the n-th backoff step and whose dead-letter
target is the original queue, so it comes back after the delay without holding a worker or
blocking the messages behind it. After the last step, or at once for input that can never
succeed (a validation error, an undecodable body), it is parked in ``dlq.<service>`` with the
error, the queue it came from and the attempts made. Operators list and replay parked
messages with ``crm dlq list|replay``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kombu import Connection, Queue

from crm_kit.clock import utcnow
from crm_kit.config import env

ATTEMPT_HEADER = "x-crm-attempt"
ORIGIN_QUEUE_HEADER = "x-crm-queue"
ERROR_HEADER = "x-crm-error"
ERROR_TYPE_HEADER = "x-crm-error-type"
PARKED_AT_HEADER = "x-crm-parked-at"
DEFAULT_DELAYS_S = (1.0, 5.0, 30.0)

log = logging.getLogger(__name__)


def retry_delays() -> tuple[float, ...]:
    """Backoff steps from RETRY_DELAYS_S (comma-separated seconds), default 1,5,30."""
    raw = env("RETRY_DELAYS_S")
    if raw is None:
        return DEFAULT_DELAYS_S
    from crm_kit.config import ConfigError

    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"RETRY_DELAYS_S={raw!r}: expected seconds separated by commas, e.g. 1,5,30") from None
    if any(delay <= 0 for delay in delays):
        raise ConfigError(f"RETRY_DELAYS_S={raw!r}: every delay must be positive")
    return delays


def dlq_name(service: str) -> str:
    return f"dlq.{service}"


def dlq_queue(service: str) -> Queue:
    return Queue(dlq_name(service), durable=True, auto_delete=False, no_declare=False)


def retry_queue(queue_name: str, step: int, delay_s: float) -> Queue:
    """The delay queue of one backoff step; expired messages return to ``queue_name``.

    The delay is part of the name: a queue's TTL cannot change once declared, so a new
    RETRY_DELAYS_S gets new queues instead of a declaration conflict.
    """
    return Queue(
        f"{queue_name}.retry.{step}.{int(delay_s * 1000)}ms",
        durable=True,
        auto_delete=False,
        queue_arguments={
            "x-message-ttl": int(delay_s * 1000),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": queue_name,
        },
    )


def retry_queues(queue_name: str) -> list[Queue]:
    return [retry_queue(queue_name, step, delay) for step, delay in enumerate(retry_delays(), start=1)]


def describe_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:2000]


def next_destination(
    service: str, queue_name: str, attempt: int, permanent: bool
) -> tuple[Queue, dict[str, Any]]:
    """Where a delivery that failed on ``attempt`` (1-based) goes, and the headers to add."""
    delays = retry_delays()
    if not permanent and attempt <= len(delays):
        return retry_queue(queue_name, attempt, delays[attempt - 1]), {ATTEMPT_HEADER: attempt + 1}
    return dlq_queue(service), {PARKED_AT_HEADER: utcnow().isoformat(), ATTEMPT_HEADER: attempt}


def retry_or_park(
    publisher: Any, message: Any, exc: BaseException, *, service: str, queue_name: str, permanent: bool, what: str
) -> Queue:
    """Hand on a delivery that failed on ``queue_name``: republish it (with the publisher's
    confirms) to the next retry queue, or park it in ``dlq.<service>`` after the last step or at
    once when ``permanent``, with the error, the origin queue and the attempts in its headers.
    The caller acks the original only after this returns; it raises when the broker did not
    take the copy. ``what`` names the delivery in the log line ("event deal_opened",
    "message"). Answers the queue it went to."""
    headers = dict(message.headers or {})
    attempt = int(headers.get(ATTEMPT_HEADER, 1) or 1)
    queue, extra = next_destination(service, queue_name, attempt, permanent)
    headers.update(extra)
    headers[ORIGIN_QUEUE_HEADER] = queue_name
    headers[ERROR_HEADER] = describe_error(exc)
    headers[ERROR_TYPE_HEADER] = type(exc).__name__
    log.warning("%s on %s failed (attempt %s): %s -> %s", what, queue_name, attempt, describe_error(exc), queue.name)
    publisher.publish(
        message.body,
        exchange="",
        routing_key=queue.name,
        headers=headers,
        declare=[queue],
        content_type=message.content_type or "application/json",
        content_encoding=message.content_encoding or "utf-8",
    )
    return queue


@dataclass
class ParkedMessage:
    delivery_tag: int
    queue: str
    error: str
    error_type: str
    attempts: int
    parked_at: str
    routing_key: str
    body: str

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "delivery_tag"}


def _parked(message) -> ParkedMessage:
    headers = message.headers or {}
    body = message.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return ParkedMessage(
        delivery_tag=message.delivery_tag,
        queue=str(headers.get(ORIGIN_QUEUE_HEADER, "")),
        error=str(headers.get(ERROR_HEADER, "")),
        error_type=str(headers.get(ERROR_TYPE_HEADER, "")),
        attempts=int(headers.get(ATTEMPT_HEADER, 1) or 1),
        parked_at=str(headers.get(PARKED_AT_HEADER, "")),
        routing_key=str(message.delivery_info.get("routing_key", "")),
        body=body,
    )


def iter_parked(amqp_uri: str, service: str, limit: int = 100) -> Iterator[ParkedMessage]:
    """Read parked messages without removing them (they are requeued when the channel closes)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        queue = dlq_queue(service)(channel)
        queue.declare()
        try:
            for _ in range(limit):
                message = queue.get(no_ack=False)
                if message is None:
                    break
                yield _parked(message)
        finally:
            channel.close()


def replay_parked(amqp_uri: str, service: str, limit: int = 1000) -> int:
    """Send parked messages back to the queues they came from, attempts reset; returns the count."""
    replayed = 0
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        queue = dlq_queue(service)(channel)
        queue.declare()
        producer = conn.Producer(channel=channel)
        for _ in range(limit):
            message = queue.get(no_ack=False)
            if message is None:
                break
            headers = dict(message.headers or {})
            origin = headers.get(ORIGIN_QUEUE_HEADER)
            if not origin:
                message.reject(requeue=True)
                continue
            for key in (ERROR_HEADER, ERROR_TYPE_HEADER, PARKED_AT_HEADER, ATTEMPT_HEADER, ORIGIN_QUEUE_HEADER):
                headers.pop(key, None)
            producer.publish(
                message.body,
                exchange="",
                routing_key=origin,
                headers=headers,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                delivery_mode=2,
            )
            message.ack()
            replayed += 1
        channel.close()
    return replayed

