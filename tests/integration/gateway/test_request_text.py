"""Control characters through the real gateway: every unary method of the public API, every text
field of its request (generated over the descriptors, tests/unit/gateway/test_request_checks.py),
sent with a NUL by a caller allowed to call it, is INVALID_ARGUMENT with a field violation naming
the field, and no service is asked anything (so nothing is written). Honest text with newlines
still reaches the service. The bridge is a recorder: no broker is needed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
import pytest_asyncio
from google.protobuf.message_factory import GetMessageClass
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from gateway.auth import mint_token
from gateway.config import GatewayConfig
from gateway.scopes import service_only
from gateway.server import build_server
from gateway.servicers import servicers_for
from tests.unit.gateway.test_request_checks import HONEST, request_methods, set_text, text_paths

pytestmark = pytest.mark.asyncio

SECRET = "request-text-test-secret-of-sufficient-length"


class RecordingBridge:
    """Records every call a servicer makes and answers nothing useful."""

    _connection = None

    def __init__(self):
        self.calls: list[tuple[str, str]] = []

    async def call(self, service: str, method: str, **kwargs: Any) -> Any:
        self.calls.append((service, method))
        raise TimeoutError("the recorder answers nothing")


@pytest_asyncio.fixture
async def gateway() -> AsyncIterator[tuple[grpc.aio.Channel, RecordingBridge]]:
    config = GatewayConfig(jwt_secret=SECRET, caller_rate=1_000_000.0, caller_burst=1_000_000, reflection=False,
                           card_cache_ttl=0.0)
    bridge = RecordingBridge()
    server = build_server(config, bridge, servicers_for(config))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel, bridge
    await server.stop(None)


def token_for(method) -> tuple:
    """A token that may call ``method``: the PBX's service token for the methods only services
    may call (telephony, a call's lead), an admin's else."""
    if service_only(f"/{method.containing_service.full_name}/{method.name}"):
        token = mint_token(SECRET, "pbx-adapter", ["service"], scopes=["pbx"])
    else:
        token = mint_token(SECRET, "admin-1", ["admin"], regions=["msk"])
    return (("authorization", f"Bearer {token}"),)


def unary_methods():
    return [method for method in request_methods() if not method.client_streaming and not method.server_streaming]


def violations(error: grpc.aio.AioRpcError) -> set[str]:
    status = rpc_status.from_call(error)
    bad = error_details_pb2.BadRequest()
    assert status is not None and any(detail.Unpack(bad) for detail in status.details)
    return {violation.field for violation in bad.field_violations}


async def call(channel: grpc.aio.Channel, method, request) -> grpc.aio.AioRpcError | None:
    cls = GetMessageClass(method.output_type)
    stub = channel.unary_unary(f"/{method.containing_service.full_name}/{method.name}",
                               request_serializer=lambda message: message.SerializeToString(),
                               response_deserializer=cls.FromString)
    try:
        await stub(request, metadata=token_for(method), timeout=10)
    except grpc.aio.AioRpcError as error:
        return error
    return None


async def test_a_nul_in_any_text_field_of_any_method_is_refused_before_any_service(gateway):
    channel, bridge = gateway
    checked, wrong = 0, []
    for method in unary_methods():
        for path in text_paths(method.input_type):
            request = GetMessageClass(method.input_type)()
            name = set_text(request, path, "bad\x00text")
            error = await call(channel, method, request)
            checked += 1
            if error is None or error.code() != grpc.StatusCode.INVALID_ARGUMENT or violations(error) != {name}:
                wrong.append((method.full_name, name, error and error.code(), error and error.details()))
    assert checked >= 100
    assert not wrong, wrong[:10]
    assert bridge.calls == []


async def test_honest_text_with_newlines_reaches_the_service(gateway):
    channel, bridge = gateway
    reached = 0
    for method in unary_methods():
        request = GetMessageClass(method.input_type)()
        for path in text_paths(method.input_type):
            set_text(request, path, HONEST)
        before = len(bridge.calls)
        error = await call(channel, method, request)
        if error is not None and error.code() == grpc.StatusCode.INVALID_ARGUMENT:
            # A servicer's own checks (an update mask naming no field it knows, ...) may refuse
            # it; the text rule never does.
            assert "control character" not in (error.details() or ""), (method.full_name, error.details())
        reached += len(bridge.calls) > before
    assert reached >= 20
