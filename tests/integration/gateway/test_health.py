"""The health service reflects whether the downstream services answer."""

from __future__ import annotations

import pytest
from grpc_health.v1 import health_pb2

from gateway.bridge import RpcBridge
from gateway.health import NOT_SERVING, OVERALL, SERVING, DownstreamHealthMonitor, HealthServicer
from tests.integration.gateway.conftest import unique_name
from tests.support.waiting import eventually_async

pytestmark = pytest.mark.asyncio


async def status_of(servicer: HealthServicer, service: str) -> int:
    # Check only touches its context for an unknown service.
    response = await servicer.Check(health_pb2.HealthCheckRequest(service=service), None)
    return response.status


async def test_each_service_is_serving_only_while_it_answers(bridge: RpcBridge, echo_service: str) -> None:
    ghost = unique_name("ghost")
    servicer = HealthServicer()
    monitor = DownstreamHealthMonitor(bridge, servicer, [echo_service, ghost], timeout=1.0)

    seen = await monitor.check_once()

    assert seen == {echo_service: True, ghost: False}
    assert await status_of(servicer, echo_service) == SERVING
    assert await status_of(servicer, ghost) == NOT_SERVING
    # Nothing is required by default: the gateway serves degraded cards.
    assert await status_of(servicer, OVERALL) == SERVING


async def test_the_whole_gateway_is_not_serving_when_a_required_service_is_down(bridge: RpcBridge, echo_service: str) -> None:
    ghost = unique_name("ghost")
    servicer = HealthServicer()
    monitor = DownstreamHealthMonitor(bridge, servicer, [echo_service, ghost], required=[ghost], timeout=1.0)

    await monitor.check_once()

    assert await status_of(servicer, OVERALL) == NOT_SERVING


async def test_the_background_task_runs_and_stops(bridge: RpcBridge, echo_service: str) -> None:
    servicer = HealthServicer()
    monitor = DownstreamHealthMonitor(bridge, servicer, [echo_service], interval=0.05)

    monitor.start()
    try:
        await eventually_async(lambda: monitor.last_seen, what="the monitor's first round")
    finally:
        await monitor.stop()

    assert monitor.last_seen == {echo_service: True}


async def test_graceful_shutdown_turns_everything_not_serving(bridge: RpcBridge, echo_service: str) -> None:
    servicer = HealthServicer()
    monitor = DownstreamHealthMonitor(bridge, servicer, [echo_service])
    await monitor.check_once()

    await servicer.enter_graceful_shutdown()
    await monitor.check_once()

    assert await status_of(servicer, echo_service) == NOT_SERVING
    assert await status_of(servicer, OVERALL) == NOT_SERVING


async def test_required_services_must_be_monitored(bridge: RpcBridge) -> None:
    with pytest.raises(ValueError, match="not monitored"):
        DownstreamHealthMonitor(bridge, HealthServicer(), ["partners"], required=["deals"])
