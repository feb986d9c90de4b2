"""The RPC bridge against a real broker and a real nameko service."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import pytest

from crm_kit.actor import ANONYMOUS, Actor
from crm_kit.errors import Conflict, NotFound, ValidationError
from gateway.bridge import DownstreamTimeout, DownstreamUnavailable, RemoteError, RpcBridge, redact_url
from tests.integration.gateway.conftest import unique_name
from tests.support.platform import free_port
from tests.support.waiting import eventually_async

pytestmark = pytest.mark.asyncio


async def test_round_trip_returns_the_result(bridge: RpcBridge, echo_service: str) -> None:
    value = {"name": "ООО Ромашка", "phones": ["+7 495 000-00-00"], "nested": {"n": 1, "ok": True, "none": None}}

    assert await bridge.call(echo_service, "echo", timeout=5, value=value) == value


async def test_decimals_times_and_uuids_cross_intact(bridge: RpcBridge, echo_service: str) -> None:
    values = {
        "amount": Decimal("1234.50"),
        "signed_at": datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        "due": date(2024, 4, 1),
        "partner_id": uuid.uuid4(),
    }

    assert await bridge.call(echo_service, "echo", timeout=5, value=values) == values
    assert await bridge.call(echo_service, "type_names", timeout=5, values=values) == {
        "amount": "Decimal",
        "signed_at": "datetime",
        "due": "date",
        "partner_id": "UUID",
    }


async def test_concurrent_calls_get_their_own_replies(bridge: RpcBridge, echo_service: str) -> None:
    results = await asyncio.gather(*(bridge.call(echo_service, "echo", timeout=10, value=i) for i in range(200)))

    assert results == list(range(200))
    assert not bridge._pending


async def test_validation_error_is_rebuilt_with_field_messages(bridge: RpcBridge, echo_service: str) -> None:
    with pytest.raises(ValidationError) as raised:
        await bridge.call(echo_service, "fail_validation", timeout=5)

    assert raised.value.message == "bad"
    assert raised.value.details == {"name": ["required"]}


async def test_not_found_is_rebuilt_without_details(bridge: RpcBridge, echo_service: str) -> None:
    with pytest.raises(NotFound) as raised:
        await bridge.call(echo_service, "fail_not_found", timeout=5)

    assert str(raised.value) == "partner 42 not found"
    assert raised.value.details is None


async def test_conflict_keeps_its_duplicates(bridge: RpcBridge, echo_service: str) -> None:
    with pytest.raises(Conflict) as raised:
        await bridge.call(echo_service, "fail_conflict", timeout=5)

    assert raised.value.details == [{"partner_id": "p1", "reasons": ["inn"]}, {"partner_id": "p2"}]


async def test_an_untyped_remote_error_becomes_remote_error(bridge: RpcBridge, echo_service: str) -> None:
    with pytest.raises(RemoteError) as raised:
        await bridge.call(echo_service, "fail_unexpected", timeout=5)

    assert raised.value.exc_type == "KeyError"


async def test_actor_travels_in_context_data(bridge: RpcBridge, echo_service: str) -> None:
    actor = Actor(user_id="u-7", roles=("manager",), regions=("north",), department="sales", scopes=("cards",))

    header = await bridge.call(echo_service, "whoami", timeout=5, actor=actor)

    assert Actor.from_header(header) == actor
    assert json.loads(header)["user_id"] == "u-7"


async def test_a_call_without_actor_carries_the_anonymous_actor(bridge: RpcBridge, echo_service: str) -> None:
    # Signed like any other (crm_kit.trust): an unsigned call would be refused.
    assert Actor.from_header(await bridge.call(echo_service, "whoami", timeout=5)) == ANONYMOUS


async def test_no_reply_in_time_is_a_timeout_and_the_late_reply_is_dropped(bridge: RpcBridge, echo_service: str) -> None:
    # The service answers after 0.8 s: a timeout, not its answer, proves the call gave up at 0.3 s.
    with pytest.raises(DownstreamTimeout) as raised:
        await bridge.call(echo_service, "slow", timeout=0.3, seconds=0.8)

    assert isinstance(raised.value, asyncio.TimeoutError)
    assert not bridge._pending
    # A second slow call answers after the first one's late reply has come and been dropped.
    assert await bridge.call(echo_service, "slow", timeout=5, seconds=0.8) == 0.8
    assert await bridge.call(echo_service, "echo", timeout=5, value="after") == "after"


async def test_a_service_nobody_runs_fails_at_once(bridge: RpcBridge) -> None:
    # "not running" (the broker returned the request), not a timeout: it did not wait 30 s.
    with pytest.raises(DownstreamUnavailable, match="not running"):
        await bridge.call(unique_name("ghost"), "anything", timeout=30)

    assert not bridge._pending


async def test_start_fails_clearly_when_the_broker_is_unreachable() -> None:
    uri = f"amqp://guest:secret@127.0.0.1:{free_port()}/"
    unreachable = RpcBridge(uri, connect_timeout=2)

    with pytest.raises(DownstreamUnavailable) as raised:
        await unreachable.start()

    assert "127.0.0.1" in str(raised.value)
    assert "secret" not in str(raised.value)


async def test_a_bridge_that_was_never_started_refuses_calls() -> None:
    with pytest.raises(DownstreamUnavailable):
        await RpcBridge("amqp://guest:guest@127.0.0.1/").call("partners", "get_partner", timeout=1)


async def test_redact_url_hides_the_password() -> None:
    assert redact_url("amqp://crm:hunter2@mq.local:5672/crm") == "amqp://crm:***@mq.local:5672/crm"


class TcpProxy:
    """A TCP forwarder to the broker that the test can cut and restore, like a network outage."""

    def __init__(self, target_host: str, target_port: int):
        self.target_host, self.target_port = target_host, target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        broker_reader, broker_writer = await asyncio.open_connection(self.target_host, self.target_port)
        self._writers.update((client_writer, broker_writer))
        await asyncio.gather(
            self._pipe(client_reader, broker_writer),
            self._pipe(broker_reader, client_writer),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()


async def test_a_lost_broker_fails_calls_fast_and_the_bridge_reconnects(amqp_uri: str, echo_service: str) -> None:
    broker = urlsplit(amqp_uri)
    proxy = TcpProxy(broker.hostname, broker.port or 5672)
    await proxy.start()
    through_proxy = broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{proxy.port}")
    rpc_bridge = RpcBridge(urlunsplit(through_proxy), reconnect_interval=0.2)
    await rpc_bridge.start()
    try:
        assert await rpc_bridge.call(echo_service, "echo", timeout=5, value=1) == 1

        # Unavailable, not a timeout after 30 s: a call in flight and a new one fail on the cut.
        waiting = asyncio.ensure_future(rpc_bridge.call(echo_service, "slow", timeout=30, seconds=0.5))
        await eventually_async(lambda: rpc_bridge._pending, what="the slow call in flight")
        await proxy.cut()
        with pytest.raises(DownstreamUnavailable):
            await waiting
        with pytest.raises(DownstreamUnavailable):
            await rpc_bridge.call(echo_service, "echo", timeout=30, value=2)

        await proxy.start()
        await eventually_async(lambda: rpc_bridge.is_connected, what="the bridge to reconnect")
        assert await rpc_bridge.call(echo_service, "echo", timeout=5, value=3) == 3
    finally:
        await rpc_bridge.close()
        await proxy.cut()
