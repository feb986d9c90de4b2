"""The gateway's asyncio client of nameko's RPC-over-AMQP protocol.

grpcio and eventlet cannot share a process, so the gateway cannot use nameko's own
``ClusterRpcProxy``; this module speaks the same wire protocol with aio-pika instead
(see ``nameko/rpc.py``):

- a request is published to the ``nameko-rpc`` topic exchange with routing key
  ``<service>.<method>``, body ``{"args": [], "kwargs": {...}}`` as JSON, properties
  ``reply_to`` and ``correlation_id``, and headers ``nameko.call_id_stack`` plus
  ``nameko.<key>`` for each context-data entry (the actor travels as ``nameko.actor``, with
  ``nameko.deadline``, ``nameko.signed_by`` and ``nameko.actor_signature``: crm_kit.trust);
- the service publishes ``{"result": ..., "error": null | {exc_type, exc_path, exc_args,
  value}}`` to ``nameko-rpc`` with routing key = our ``reply_to``.

Bodies are JSON as kombu writes it (kombu is what nameko serializes with): ``Decimal``,
``datetime``, ``date``, ``time`` and ``UUID`` travel as ``{"__type__", "__value__"}`` and
arrive as those types on both sides, so money stays an exact decimal end to end.

One connection, one channel and one exclusive reply queue serve every call; replies are
matched to waiting futures by correlation id. Requests are published ``mandatory`` with
publisher confirms: a request that no queue takes (the service never ran on this broker)
is returned by the broker and fails at once as :class:`DownstreamUnavailable`. A service
that has run but is stopped still has its durable ``rpc-<service>`` queue, so its requests
wait there: such a call ends as :class:`DownstreamTimeout`, and the request carries a
per-message TTL equal to the call's timeout, so the broker drops it instead of letting the
restarted service work through requests nobody waits for.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import CONNECTION_EXCEPTIONS, PublishError
from aiormq import spec
from kombu.utils import json as kombu_json
from yarl import URL

from crm_kit.actor import ANONYMOUS, Actor
from crm_kit.errors import ERROR_CLASSES
from crm_kit.trust import GATEWAY, call_headers, internal_key

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
CONTENT_TYPE = "application/json"
HEADER_PREFIX = "nameko."
CALL_ID_STACK_HEADER = "nameko.call_id_stack"
ERROR_MODULE_PREFIX = "crm_kit.errors."
# Requests are worthless once their caller has given up, so never written to disk.
TRANSIENT = 1


class DownstreamError(Exception):
    """A downstream call that got no answer (as opposed to an error the service sent)."""

    def __init__(self, message: str, service: str | None = None, method: str | None = None):
        super().__init__(message)
        self.message = message
        self.service = service
        self.method = method

    def __str__(self) -> str:
        return self.message


class DownstreamTimeout(DownstreamError, TimeoutError):
    """No reply within the call's timeout. Also an ``asyncio.TimeoutError``."""


class DownstreamUnavailable(DownstreamError):
    """The broker is unreachable, or no service consumes the request."""


class RemoteError(Exception):
    """An error a service sent that is not one of crm_kit's typed errors (a bug, most likely)."""

    def __init__(self, exc_type: str | None, value: Any = ""):
        super().__init__(exc_type, value)
        self.exc_type = exc_type
        self.value = value

    def __str__(self) -> str:
        return f"{self.exc_type} {self.value}"


def redact_url(url: str) -> str:
    """``url`` with its password masked, fit for logs and error messages."""
    try:
        parsed = URL(url)
    except (TypeError, ValueError):
        return "<unparseable AMQP URI>"
    if parsed.password is not None:
        parsed = parsed.with_password("***")
    return str(parsed)


def rebuild_error(error: dict[str, Any]) -> Exception:
    """The exception a nameko error payload describes: a crm_kit typed error, or RemoteError."""
    exc_type = error.get("exc_type")
    exc_path = error.get("exc_path") or ""
    error_class = ERROR_CLASSES.get(exc_type or "")
    if error_class is not None and exc_path.startswith(ERROR_MODULE_PREFIX):
        # crm_kit errors send their details as one JSON string; the class decodes it.
        args = list(error.get("exc_args") or ())
        try:
            return error_class(*args)
        except TypeError:
            return error_class(str(error.get("value") or exc_type))
    return RemoteError(exc_type, error.get("value"))


class RpcBridge:
    """Calls nameko RPC methods from asyncio.

    ``await start()`` once, then ``await call(...)`` from any number of tasks, then
    ``await close()``. ``default_timeout`` is for callers that have no deadline of their own
    (servicers derive theirs with :func:`gateway.interceptors.downstream_timeout`).
    """

    def __init__(
        self,
        amqp_uri: str,
        *,
        default_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        reconnect_interval: float = 1.0,
        name: str = "gateway",
        key: bytes | None = None,
    ):
        self.amqp_uri = amqp_uri
        # The internal key (CRM_INTERNAL_KEY) every call's actor is signed with.
        self._key = key if key is not None else internal_key()
        self.default_timeout = default_timeout
        self.connect_timeout = connect_timeout
        self.reconnect_interval = reconnect_interval
        self.name = name
        self.reply_queue_name = f"rpc.reply-{name}-{uuid.uuid4()}"
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._channel: aio_pika.abc.AbstractRobustChannel | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._pending: dict[str, asyncio.Future[bytes]] = {}
        # aio_pika marks a robust connection connected before it has restored its channels,
        # so the reply queue (exclusive, gone with the old connection) may not exist yet:
        # a call published then would have its answer dropped. Ready only after the restore.
        self._replies_ready = False

    @property
    def is_connected(self) -> bool:
        """Whether a call can be published right now (false while reconnecting)."""
        connection, channel = self._connection, self._channel
        return (
            connection is not None
            and channel is not None
            and not connection.is_closed
            and connection.connected.is_set()
            and not channel.is_closed
            and self._replies_ready
        )

    async def start(self) -> None:
        """Connect, declare the exchange and the reply queue, start consuming replies.

        Raises :class:`DownstreamUnavailable` when the broker cannot be reached.
        """
        try:
            self._connection = await aio_pika.connect_robust(
                self.amqp_uri,
                timeout=self.connect_timeout,
                reconnect_interval=self.reconnect_interval,
                client_properties={"connection_name": f"crm-{self.name}"},
            )
        except (TimeoutError, *CONNECTION_EXCEPTIONS, OSError) as exc:
            raise DownstreamUnavailable(f"cannot connect to RabbitMQ at {redact_url(self.amqp_uri)}: {exc or type(exc).__name__}") from exc
        self._connection.close_callbacks.add(self._on_connection_lost)
        self._connection.reconnect_callbacks.add(self._on_reconnected)
        # Publisher confirms make the broker tell us, per message, when a mandatory
        # request found no queue (on_return_raises turns that into PublishError).
        self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await self._channel.declare_exchange(RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await self._channel.declare_queue(self.reply_queue_name, exclusive=True, auto_delete=True)
        await queue.bind(self._exchange, routing_key=self.reply_queue_name)
        await queue.consume(self._on_reply, no_ack=True)
        self._replies_ready = True
        log.info(
            "RPC bridge connected to %s, replies on %s",
            redact_url(self.amqp_uri),
            self.reply_queue_name,
        )

    async def close(self) -> None:
        """Fail the calls still waiting and close the connection."""
        connection, self._connection = self._connection, None
        self._fail_pending(DownstreamUnavailable("the gateway is shutting down"))
        if connection is not None and not connection.is_closed:
            await connection.close()

    async def call(
        self,
        service: str,
        method: str,
        *,
        timeout: float,
        actor: Actor | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``service.method(**kwargs)`` and return its result.

        Raises the crm_kit typed error the service raised, :class:`RemoteError` for any
        other remote exception, :class:`DownstreamTimeout` when no reply comes within
        ``timeout`` seconds, :class:`DownstreamUnavailable` when the broker is unreachable
        or nothing consumes the request. RPC keyword arguments named ``timeout`` or
        ``actor`` cannot be passed through this signature.
        """
        if not self.is_connected or self._channel is None:
            raise DownstreamUnavailable("the message broker is not reachable", service, method)
        correlation_id = uuid.uuid4().hex
        # The actor (anonymous for the gateway's own calls, health pings) signed with the
        # internal key and the call's absolute deadline (crm_kit.trust): the service verifies
        # both before it starts, so nobody with broker access alone can act as anyone.
        headers: dict[str, Any] = call_headers(self._key, GATEWAY, (actor or ANONYMOUS).to_header(), timeout, f"{service}.{method}")
        headers[CALL_ID_STACK_HEADER] = [f"{self.name}.{method}.{correlation_id}"]
        body = kombu_json.dumps({"args": [], "kwargs": kwargs}, separators=(",", ":")).encode()
        # pamqp properties straight to aiormq: aio_pika.Message costs more than the rest of
        # the call's publishing path put together.
        properties = spec.Basic.Properties(
            content_type=CONTENT_TYPE,
            content_encoding="utf-8",
            headers=headers,
            delivery_mode=TRANSIENT,
            correlation_id=correlation_id,
            message_id=correlation_id,
            reply_to=self.reply_queue_name,
            expiration=str(max(int(timeout * 1000), 1)),
        )
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = future
        try:
            async with asyncio.timeout(timeout):
                try:
                    channel = await self._channel.get_underlay_channel()
                    await channel.basic_publish(
                        body,
                        exchange=RPC_EXCHANGE,
                        routing_key=f"{service}.{method}",
                        properties=properties,
                        mandatory=True,
                    )
                except PublishError:
                    raise DownstreamUnavailable(
                        f"the {service} service is not running (nothing consumes {service}.{method})",
                        service,
                        method,
                    ) from None
                except (*CONNECTION_EXCEPTIONS, ConnectionError, RuntimeError) as exc:
                    raise DownstreamUnavailable(
                        f"the message broker is not reachable ({type(exc).__name__})",
                        service,
                        method,
                    ) from exc
                reply_body = await future
        except TimeoutError:
            raise DownstreamTimeout(
                f"the {service} service did not answer {method} within {timeout:.3g} s",
                service,
                method,
            ) from None
        finally:
            self._pending.pop(correlation_id, None)
        reply = kombu_json.loads(reply_body)
        error = reply.get("error")
        if error:
            raise rebuild_error(error)
        return reply.get("result")

    async def _on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self._pending.get(message.correlation_id or "")
        if future is None or future.done():
            # The caller gave up (timeout, cancellation); the answer has no one to go to.
            log.debug("dropping late or unknown reply %s", message.correlation_id)
            return
        future.set_result(message.body)

    def _on_connection_lost(self, _sender: Any, exc: BaseException | None = None) -> None:
        self._replies_ready = False
        if self._pending:
            log.warning(
                "connection to RabbitMQ lost with %d calls waiting: %s",
                len(self._pending),
                exc,
            )
        self._fail_pending(DownstreamUnavailable("the connection to the message broker was lost"))

    def _on_reconnected(self, _sender: Any) -> None:
        # Called by aio_pika after every channel, with the reply queue and its consumer, is back.
        self._replies_ready = True
        log.info("RPC bridge reconnected to %s", redact_url(self.amqp_uri))

    def _fail_pending(self, exc: DownstreamUnavailable) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(exc)
