"""The gateway's gRPC server end to end: a probe service behind the real interceptors, health
and reflection, calling the echo service over RabbitMQ."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
import pytest_asyncio
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status
from prometheus_client import REGISTRY

from crm_kit.errors import Conflict, PreconditionFailed, ValidationError
from gateway.auth import mint_token
from gateway.bridge import RpcBridge
from gateway.config import GatewayConfig
from gateway.errors import conflict_details
from gateway.interceptors import current_actor, downstream_timeout, require_actor
from gateway.server import build_server
from tests.support.waiting import eventually_async

pytestmark = pytest.mark.asyncio

SECRET = "interceptor-test-secret-of-sufficient-length"
PROBE = "crm.test.v1.Probe"


def probe_service(echo_service: str):
    """A servicer registration in the shape the lead's servicers take: (server, bridge) -> None.

    Requests and responses are raw JSON bytes, so no generated stubs are needed.
    """

    def register(server: grpc.aio.Server, bridge: RpcBridge) -> None:
        async def whoami(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            return json.dumps(require_actor().to_dict()).encode()

        async def fail(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            kind = request.decode()
            if kind == "validation":
                raise ValidationError("bad input", {"name": ["required", "too short"], "inn": ["not a tax id"]})
            if kind == "conflict":
                raise Conflict("duplicate partner", [{"partner_id": "p1", "score": 0.9}])
            if kind == "precondition":
                raise PreconditionFailed("partner is merged", {"partner": "merged into p2"})
            raise RuntimeError("a bug with secret internals")

        async def call(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            """Calls the echo service: {"method": ..., "kwargs": {...}}."""
            body = json.loads(request)
            service = body.get("service", echo_service)
            result = await bridge.call(
                service,
                body["method"],
                timeout=downstream_timeout(context, bridge.default_timeout),
                actor=current_actor.get(),
                **body.get("kwargs", {}),
            )
            return json.dumps(result).encode()

        async def timeout(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            return json.dumps(downstream_timeout(context, 5.0)).encode()

        async def count(request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
            for number in range(int(request.decode())):
                yield f"{require_actor().user_id}:{number}".encode()

        handlers = {
            "Whoami": grpc.unary_unary_rpc_method_handler(whoami),
            "Fail": grpc.unary_unary_rpc_method_handler(fail),
            "Call": grpc.unary_unary_rpc_method_handler(call),
            "Timeout": grpc.unary_unary_rpc_method_handler(timeout),
            "Count": grpc.unary_stream_rpc_method_handler(count),
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(PROBE, handlers),))

    return register


@pytest_asyncio.fixture
async def channel(bridge: RpcBridge, echo_service: str) -> AsyncIterator[grpc.aio.Channel]:
    config = GatewayConfig(jwt_secret=SECRET)
    server = build_server(config, bridge, [probe_service(echo_service)])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as grpc_channel:
        yield grpc_channel
    await server.stop(None)


def bearer(user_id: str = "u-1", roles: tuple[str, ...] = ("manager",), secret: str = SECRET) -> tuple:
    return (("authorization", f"Bearer {mint_token(secret, user_id, roles, regions=['north'])}"),)


def unary(channel: grpc.aio.Channel, method: str) -> grpc.aio.UnaryUnaryMultiCallable:
    return channel.unary_unary(f"/{PROBE}/{method}")


async def rpc_error(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value


def requests_counted(method: str, code: str) -> float:
    return REGISTRY.get_sample_value("crm_gateway_requests_total", {"method": method, "code": code}) or 0.0


async def test_a_call_without_token_is_unauthenticated(channel: grpc.aio.Channel) -> None:
    error = await rpc_error(unary(channel, "Whoami")(b""))

    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "missing bearer token" in error.details()


async def test_a_forged_token_is_unauthenticated(channel: grpc.aio.Channel) -> None:
    forged = bearer(secret="an-attacker-secret-of-sufficient-length")

    error = await rpc_error(unary(channel, "Whoami")(b"", metadata=forged))

    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_non_bearer_authorization_is_unauthenticated(channel: grpc.aio.Channel) -> None:
    error = await rpc_error(unary(channel, "Whoami")(b"", metadata=(("authorization", "Basic dTpw"),)))

    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_the_servicer_sees_the_authenticated_actor(channel: grpc.aio.Channel) -> None:
    reply = await unary(channel, "Whoami")(b"", metadata=bearer("u-42", ("head_of_sales",)))

    actor = json.loads(reply)
    assert actor["user_id"] == "u-42"
    assert actor["roles"] == ["head_of_sales"]
    assert actor["regions"] == ["north"]


async def test_the_actor_reaches_the_downstream_service(channel: grpc.aio.Channel) -> None:
    request = json.dumps({"method": "whoami"}).encode()

    reply = await unary(channel, "Call")(request, metadata=bearer("u-9"))

    assert json.loads(json.loads(reply))["user_id"] == "u-9"


async def test_validation_error_is_invalid_argument_with_field_violations(channel: grpc.aio.Channel) -> None:
    call = unary(channel, "Fail")(b"validation", metadata=bearer())
    error = await rpc_error(call)

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = await rpc_status.aio.from_call(call)
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    assert [(v.field, v.description) for v in bad_request.field_violations] == [
        ("name", "required"),
        ("name", "too short"),
        ("inn", "not a tax id"),
    ]


async def test_a_downstream_validation_error_crosses_rpc_and_grpc(channel: grpc.aio.Channel) -> None:
    call = unary(channel, "Call")(json.dumps({"method": "fail_validation"}).encode(), metadata=bearer())
    error = await rpc_error(call)

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == "bad"
    bad_request = error_details_pb2.BadRequest()
    (await rpc_status.aio.from_call(call)).details[0].Unpack(bad_request)
    assert [(v.field, v.description) for v in bad_request.field_violations] == [("name", "required")]


async def test_a_downstream_not_found_is_not_found(channel: grpc.aio.Channel) -> None:
    error = await rpc_error(unary(channel, "Call")(json.dumps({"method": "fail_not_found"}).encode(), metadata=bearer()))

    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert error.details() == "partner 42 not found"


async def test_a_conflict_is_already_exists_with_the_duplicates(channel: grpc.aio.Channel) -> None:
    call = unary(channel, "Call")(json.dumps({"method": "fail_conflict"}).encode(), metadata=bearer())
    error = await rpc_error(call)

    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    assert conflict_details(await rpc_status.aio.from_call(call)) == [
        {"partner_id": "p1", "reasons": ["inn"]},
        {"partner_id": "p2"},
    ]


async def test_a_local_conflict_keeps_its_numbers(channel: grpc.aio.Channel) -> None:
    call = unary(channel, "Fail")(b"conflict", metadata=bearer())
    await rpc_error(call)

    assert conflict_details(await rpc_status.aio.from_call(call)) == [{"partner_id": "p1", "score": 0.9}]


async def test_a_failed_precondition_names_what_is_missing(channel: grpc.aio.Channel) -> None:
    call = unary(channel, "Fail")(b"precondition", metadata=bearer())
    error = await rpc_error(call)

    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    failure = error_details_pb2.PreconditionFailure()
    (await rpc_status.aio.from_call(call)).details[0].Unpack(failure)
    assert [(v.subject, v.description) for v in failure.violations] == [("partner", "merged into p2")]


@pytest.mark.parametrize("request_body", [b"bug", json.dumps({"method": "fail_unexpected"}).encode()])
async def test_a_bug_is_internal_without_its_internals(channel: grpc.aio.Channel, request_body: bytes) -> None:
    method = "Fail" if request_body == b"bug" else "Call"

    error = await rpc_error(unary(channel, method)(request_body, metadata=bearer()))

    assert error.code() == grpc.StatusCode.INTERNAL
    assert "secret internals" not in (error.details() or "")
    assert "Traceback" not in (error.details() or "")


async def test_a_downstream_service_nobody_runs_is_unavailable(channel: grpc.aio.Channel) -> None:
    request = json.dumps({"service": "nobody_runs_this_service", "method": "anything"}).encode()

    error = await rpc_error(unary(channel, "Call")(request, metadata=bearer()))

    assert error.code() == grpc.StatusCode.UNAVAILABLE


async def test_a_slow_downstream_service_is_deadline_exceeded(channel: grpc.aio.Channel) -> None:
    request = json.dumps({"method": "slow", "kwargs": {"seconds": 1.0}}).encode()

    error = await rpc_error(unary(channel, "Call")(request, metadata=bearer(), timeout=0.4))

    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED


async def test_the_downstream_timeout_follows_the_client_deadline(channel: grpc.aio.Channel) -> None:
    without_deadline = json.loads(await unary(channel, "Timeout")(b"", metadata=bearer()))
    with_deadline = json.loads(await unary(channel, "Timeout")(b"", metadata=bearer(), timeout=1.0))

    assert without_deadline == 5.0
    assert 0 < with_deadline < 1.0  # what was left of the client's second, however long the way in took


async def test_a_response_stream_is_authenticated_too(channel: grpc.aio.Channel) -> None:
    stream = channel.unary_stream(f"/{PROBE}/Count")

    replies = [reply async for reply in stream(b"3", metadata=bearer("u-5"))]

    assert replies == [b"u-5:0", b"u-5:1", b"u-5:2"]
    error = await rpc_error(stream(b"3").read())
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_health_needs_no_token(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)

    overall = await health.Check(health_pb2.HealthCheckRequest(service=""))
    probe = await health.Check(health_pb2.HealthCheckRequest(service=PROBE))

    assert overall.status == health_pb2.HealthCheckResponse.SERVING
    assert probe.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_services_without_a_token(channel: grpc.aio.Channel) -> None:
    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)

    responses = reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    listed = [service.name async for response in responses for service in response.list_services_response.service]

    assert set(listed) == {PROBE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"}


async def test_calls_are_counted_by_method_and_code(channel: grpc.aio.Channel) -> None:
    method = f"/{PROBE}/Whoami"
    ok_before = requests_counted(method, "OK")
    refused_before = requests_counted(method, "UNAUTHENTICATED")

    await unary(channel, "Whoami")(b"", metadata=bearer())
    await rpc_error(unary(channel, "Whoami")(b""))
    # The client may hear the status before the server's handler task has unwound.
    await eventually_async(lambda: requests_counted(method, "UNAUTHENTICATED") > refused_before,
                           what="the refusal counted")

    assert requests_counted(method, "OK") == ok_before + 1
    assert requests_counted(method, "UNAUTHENTICATED") == refused_before + 1
    assert REGISTRY.get_sample_value("crm_gateway_request_seconds_count", {"method": method}) >= 2
