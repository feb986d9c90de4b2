"""Fixtures for the gateway's integration tests: the session's RabbitMQ vhost (tests/support),
a real nameko echo service.

The echo service runs in its own process (eventlet and grpcio cannot share one) under a name
unique to this test run, so parallel runs on one broker never share its queue.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator

import aio_pika
import pytest
import pytest_asyncio

from gateway.bridge import DownstreamError, RpcBridge
from tests.support.platform import ROOT
from tests.support.waiting import eventually_async

RUN_ECHO_SERVICE = """
import eventlet
eventlet.monkey_patch()
import os, signal
from nameko.runners import ServiceRunner
from tests.integration.gateway.echo_service import EchoService
runner = ServiceRunner({"AMQP_URI": os.environ["AMQP_URI"]})
runner.add_service(EchoService)
signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(runner.stop))
runner.start()
runner.wait()
"""


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def amqp_uri(infra) -> str:
    async def reachable() -> None:
        connection = await aio_pika.connect(infra.amqp_uri, timeout=5)
        await connection.close()

    try:
        asyncio.run(reachable())
    except Exception as exc:  # any failure means the same thing here
        pytest.fail(f"these tests need RabbitMQ at {infra.amqp_uri} (CRM_TEST_AMQP): {exc!r}")
    return infra.amqp_uri


@pytest.fixture(scope="session")
def echo_service(amqp_uri: str) -> Iterator[str]:
    """The name of a running echo service (tests/integration/gateway/echo_service.py)."""
    name = unique_name("gw_echo")
    env = {**os.environ, "AMQP_URI": amqp_uri, "ECHO_SERVICE_NAME": name, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as log_file:
        process = subprocess.Popen(
            [sys.executable, "-W", "ignore", "-c", RUN_ECHO_SERVICE],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            if not asyncio.run(_wait_until_answering(amqp_uri, name, process)):
                log_file.seek(0)
                pytest.fail(f"echo service did not start:\n{log_file.read().decode(errors='replace')}")
            yield name
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            asyncio.run(_delete_queue(amqp_uri, f"rpc-{name}"))


async def _wait_until_answering(amqp_uri: str, name: str, process: subprocess.Popen, limit: float = 30.0) -> bool:
    bridge = RpcBridge(amqp_uri, name="gateway-tests")
    await bridge.start()

    async def answering() -> bool:
        if process.poll() is not None:
            return True  # it exited: stop asking, the caller reports its output
        return await bridge.call(name, "health_ping", timeout=1.0) == "pong"

    try:
        await eventually_async(answering, timeout=limit, what=f"the echo service {name}", ignoring=(DownstreamError,))
        return process.poll() is None
    except AssertionError:
        return False
    finally:
        await bridge.close()


async def _delete_queue(amqp_uri: str, queue_name: str) -> None:
    connection = await aio_pika.connect(amqp_uri)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)


@pytest_asyncio.fixture
async def bridge(amqp_uri: str) -> AsyncIterator[RpcBridge]:
    rpc_bridge = RpcBridge(amqp_uri, name=unique_name("gateway-test"))
    await rpc_bridge.start()
    yield rpc_bridge
    await rpc_bridge.close()
