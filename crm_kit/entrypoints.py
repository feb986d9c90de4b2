"""The entrypoints every service uses instead of nameko's own ``rpc`` and ``event_handler``.

Nameko answers an RPC (and acks an event) *before* dependencies see the worker's result, so a
session committed in ``worker_result`` would let a caller hear of a change that then failed to
commit, and an event be acked before its effect is stored. These entrypoints commit the
worker's transaction first (``commit_worker`` of every transactional dependency), and only then
reply or ack.

``handles(contract)`` adds the contract, the inbox and dead-letter behaviour to an event
handler: the event's data is read through its contract (crm_kit.contracts), its ``event_id`` is
claimed in the same transaction as the handler's effect, a redelivered event is skipped, and a
failing handler is retried with backoff and then parked (:mod:`crm_kit.dead_letters`); the
queue behind it keeps flowing.

Trust (crm_kit.trust): ``rpc`` runs a method only for a call whose actor is signed with the
internal key and whose deadline has not passed (else Unauthenticated / DeadlineExceeded, before
any worker starts); ``@rpc(internal=True)`` also refuses a call the gateway signed (services
only). ``handles`` parks an event its contract's producer did not sign, with the reason.
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any

import eventlet
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.events import EventHandler
from nameko.rpc import Responder, Rpc, get_rpc_exchange
from nameko.timer import Timer
from sqlalchemy.exc import SQLAlchemyError

from crm_kit import dead_letters, trust
from crm_kit.actor import SYSTEM, context_for
from crm_kit.contracts import EventContract
from crm_kit.db import unit_of_work
from crm_kit.errors import CrmError, PermissionDenied, Unauthenticated, ValidationError

log = logging.getLogger(__name__)


def _commit(container, worker_ctx, result, exc_info):
    """Commit the worker's transactions if it succeeded; a failed commit becomes its error."""
    if exc_info is None:
        try:
            for provider in container.dependencies:
                commit = getattr(provider, "commit_worker", None)
                if commit is not None:
                    commit(worker_ctx)
        except Exception:
            log.exception("commit failed for %s", worker_ctx)
            return None, sys.exc_info()
    return result, exc_info


class TransactionalRpc(Rpc):
    """``@rpc`` that commits before it replies. Typed CRM errors are expected, not crashes.

    A call runs only with a signed actor and before its deadline (crm_kit.trust);
    ``@rpc(internal=True)`` marks a method the gateway never exposes: a call the gateway signed
    is PermissionDenied, only the platform's services call it."""

    def __init__(self, expected_exceptions=(), sensitive_arguments=(), internal: bool = False, **kwargs):
        expected = (CrmError,) + tuple(
            expected_exceptions if isinstance(expected_exceptions, tuple) else (expected_exceptions,)
        )
        self.internal = internal
        super().__init__(expected_exceptions=expected, sensitive_arguments=sensitive_arguments, **kwargs)

    def setup(self):
        super().setup()
        self._key = trust.internal_key()
        self._target = f"{self.container.service_name}.{self.method_name}"

    def handle_message(self, body, message):
        # Raised here, the refusal is the reply (nameko's RpcConsumer answers it) and no worker runs.
        signed_by = trust.verify_call(message.headers or {}, self._key, self._target)
        if self.internal and signed_by == trust.GATEWAY:
            raise PermissionDenied(
                f"{self.container.service_name}.{self.method_name} is called by the platform's services only",
                {"method": ["internal"]},
            )
        super().handle_message(body, message)

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = _commit(self.container, worker_ctx, result, exc_info)
        # nameko's reply and ack (RpcConsumer.handle_result), with the reply unconfirmed.
        config = self.container.config
        responder = _Reply(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config), config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER),
            message, ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        result, exc_info = responder.send_response(result, exc_info)
        self.rpc_consumer.queue_consumer.ack_message(message)
        return result, exc_info


class _Reply(Responder):
    """An RPC's reply, published without waiting for the broker's confirm (nameko waits for
    one per reply: a broker round trip on every RPC). A reply is not a fact to keep: when the
    broker loses one, the caller times out, as it would if the broker refused it. The change
    is committed before either way."""

    publisher_cls = functools.partial(Publisher, use_confirms=False)

    def send_response(self, result, exc_info):
        if exc_info is not None and isinstance(exc_info[1], SQLAlchemyError):
            # A database error's text holds the statement and its parameters: it stays in this
            # service's log (nameko logs the worker's error), the reply names only its kind.
            sent = DatabaseFailure(f"{type(exc_info[1]).__name__} in the database; the service logged the cause")
            result, _ = super().send_response(result, (DatabaseFailure, sent, None))
            return result, exc_info
        return super().send_response(result, exc_info)


class DatabaseFailure(Exception):
    """What an RPC's caller hears of a database error: its kind, no SQL text nor parameters."""


rpc = TransactionalRpc.decorator


class TransactionalTimer(Timer):
    """``@timer`` whose worker's transaction is committed when it succeeds. Its worker acts as
    the platform itself (``SYSTEM``), also in the calls it makes to other services."""

    def handle_timer_tick(self):
        self.container.spawn_worker(self, (), {}, context_data=context_for(SYSTEM), handle_result=self.handle_result)

    def handle_result(self, worker_ctx, result, exc_info):
        result, exc_info = _commit(self.container, worker_ctx, result, exc_info)
        return super().handle_result(worker_ctx, result, exc_info)


timer = TransactionalTimer.decorator


class _SignedEvents(EventHandler):
    """What every event entrypoint checks first: its producer's signature (crm_kit.trust)."""

    def setup(self):
        super().setup()
        self._key = trust.internal_key()

    def unpack_message_headers(self, message):
        # A worker handling an event has no caller's deadline nor signature: its actor is the
        # event's (signed with it); its own calls out are signed afresh (crm_kit.remote).
        context = super().unpack_message_headers(message)
        for key in (trust.DEADLINE_KEY, trust.SIGNED_BY_KEY, trust.SIGNATURE_KEY):
            context.pop(key, None)
        return context

    def forged(self, message) -> Unauthenticated | None:
        """Why ``message`` is not to be believed (not signed by the contract's producer), or None."""
        try:
            trust.verify_event(message.headers, message.body, self.source_service, self.event_type, self._key)
        except Unauthenticated as exc:
            return exc
        return None


class InboxEventHandler(_SignedEvents):
    """An event handler that commits before acking and retries, then parks, on failure."""

    def setup(self):
        super().setup()
        config = self.container.config
        self._publisher = Publisher(config["AMQP_URI"], use_confirms=True)
        # A consumer that backfills from this source (crm_kit.replay.Backfill) holds its live
        # events until the source's snapshot is applied. Found by duck typing: no import cycle.
        self._backfill = next((dep for dep in self.container.dependencies if hasattr(dep, "wait_live")), None)

    def handle_message(self, body, message):
        forged = self.forged(message)
        if forged is not None:
            # Forged, or published by another service than the contract's: never applied.
            self._park(message, forged, permanent=True)
            self.queue_consumer.ack_message(message)
            return
        if not isinstance(body, dict) or not body.get("event_id"):
            # Not an event envelope: it can never succeed, so park it at once.
            self._park(message, ValidationError("event has no event_id", {"event_id": ["missing"]}), permanent=True)
            self.queue_consumer.ack_message(message)
            return
        if self._backfill is not None and not self._backfill.is_live(self.source_service):
            # Held unacknowledged (at most the prefetch): a crash gives it back to the queue.
            eventlet.spawn_n(self._handle_when_live, body, message)
            return
        super().handle_message(body, message)

    def _handle_when_live(self, body, message) -> None:
        self._backfill.wait_live(self.source_service)
        super().handle_message(body, message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        result, exc_info = _commit(self.container, worker_ctx, result, exc_info)
        if exc_info is not None:
            permanent = isinstance(exc_info[1], ValidationError)
            try:
                self._park(message, exc_info[1], permanent=permanent)
            except Exception:
                # Could not hand it on: give it back to the broker rather than lose it.
                log.exception("could not retry or park a failed event; requeueing it in a second")
                eventlet.sleep(1.0)  # the broker is struggling: do not spin on it
                self.queue_consumer.requeue_message(message)
                return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _park(self, message, exc: BaseException, *, permanent: bool) -> None:
        dead_letters.retry_or_park(
            self._publisher, message, exc, service=self.container.service_name, queue_name=self.queue.name,
            permanent=permanent, what=f"event {self.event_type}",
        )


class SignedEventHandler(_SignedEvents):
    """nameko's ``event_handler`` that drops (with a log line why) an event its producer did not
    sign (crm_kit.trust): for handlers without an inbox, like a BROADCAST one keeping a cache."""

    def handle_message(self, body, message):
        forged = self.forged(message)
        if forged is not None:
            log.warning("dropping event %s on %s: %s", self.event_type, self.queue.name, forged.message)
            self.queue_consumer.ack_message(message)
            return
        super().handle_message(body, message)


def hears(contract: EventContract, **kwargs: Any):
    """``@hears(CONTRACT, handler_type=BROADCAST, reliable_delivery=False)``: nameko's
    ``event_handler`` for the contract's event, its producer's signature checked
    (SignedEventHandler); the method gets the envelope as it came."""
    return SignedEventHandler.decorator(contract.source, contract.routing_key, **kwargs)


def handles(contract_or_source: EventContract | str, event_type: str | None = None, **kwargs: Any):
    """Handle an event once per event, with retry and parking.

    ``@handles(contracts.partners.PARTNERS_MERGED)``: the method receives the event envelope
    (``event_id``, ``event_type``, ``version``, ``occurred_at``, ``actor``, ``source``,
    ``subject``) with its ``data`` read through the contract (validated and typed, fields the
    contract does not know dropped); an event that breaks the contract is parked at once
    (ValidationError), before the handler runs, and so is an event the contract's producer did
    not sign (Unauthenticated, crm_kit.trust). ``@handles(source, event_type)`` hears an event
    no contract describes (tests, probes) and gets the envelope as it came.
    """
    if isinstance(contract_or_source, EventContract):
        if event_type is not None:
            raise TypeError("handles(contract) takes no event_type: the contract names it")
        contract, source_service, routing_key = contract_or_source, contract_or_source.source, contract_or_source.routing_key
    else:
        if event_type is None:
            raise TypeError("handles(source, event_type) needs the event type, or pass an event contract")
        contract, source_service, routing_key = None, contract_or_source, event_type

    def decorator(method):
        handler_name = f"{method.__qualname__}"

        @functools.wraps(method)
        def wrapper(self, event: dict[str, Any]):
            if contract is not None:
                event = {**event, "data": contract.read(event)}
            unit = unit_of_work(self)
            if not unit.claim_event(str(event["event_id"]), handler_name):
                log.info("skipping redelivered event %s for %s", event["event_id"], handler_name)
                return None
            return method(self, event)

        return InboxEventHandler.decorator(source_service, routing_key, **kwargs)(wrapper)

    return decorator
