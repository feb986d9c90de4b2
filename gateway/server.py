"""Assembling and running the gateway: the gRPC server, health, reflection, metrics, shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import start_http_server

from crm_kit import logs
from gateway.auth import TokenVerifier
from gateway.bridge import DownstreamUnavailable, RpcBridge, redact_url
from gateway.config import ConfigError, GatewayConfig, load_config, load_internal_key
from gateway.health import DownstreamHealthMonitor, HealthServicer, preset_serving
from gateway.interceptors import AuthInterceptor, MetricsInterceptor
from gateway.limits import CallerLimits
from gateway.servicers import ServicerRegistration

log = logging.getLogger("gateway")

HEALTH_SERVICE = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
# Unlimited streams per connection are fine, but not unlimited message sizes: 4 MiB both ways.
SERVER_OPTIONS = (
    # Without this grpc binds with SO_REUSEPORT, and a second gateway on the same port
    # would start "successfully" and share the traffic.
    ("grpc.so_reuseport", 0),
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
    ("grpc.max_send_message_length", 4 * 1024 * 1024),
)


def token_verifier(config: GatewayConfig) -> TokenVerifier:
    return TokenVerifier(
        secret=config.jwt_secret,
        public_key=config.jwt_public_key,
        issuer=config.jwt_issuer,
        audience=config.jwt_audience,
    )


def build_server(
    config: GatewayConfig,
    bridge: RpcBridge,
    servicers: Iterable[ServicerRegistration],
    *,
    health_servicer: HealthServicer | None = None,
) -> grpc.aio.Server:
    """A grpc.aio server with the interceptors, the given servicers, health and reflection.

    Each servicer registration is called with ``(server, bridge)``; the names of the services
    it registers are listed by reflection and reported SERVING by the health service. The
    server has no port yet: the caller adds one (``server.add_insecure_port``) and starts it.
    """
    server = grpc.aio.server(
        interceptors=[
            MetricsInterceptor(),
            AuthInterceptor(token_verifier(config), limits=CallerLimits(
                config.caller_concurrency, config.caller_rate, config.caller_burst)),
        ],
        options=SERVER_OPTIONS,
    )
    recorder = _RegistrationRecorder(server)
    for register in servicers:
        register(recorder, bridge)
    served = list(dict.fromkeys(recorder.service_names))

    health_servicer = health_servicer or HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    preset_serving(health_servicer, served)
    if config.reflection:
        reflection.enable_server_reflection([*served, HEALTH_SERVICE, reflection.SERVICE_NAME], server)
    return server


class _RegistrationRecorder:
    """Stands in for the server during registration and notes the service names registered."""

    def __init__(self, server: grpc.aio.Server):
        self._server = server
        self.service_names: list[str] = []

    def add_generic_rpc_handlers(self, handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        for handler in handlers:
            service_name = getattr(handler, "service_name", None)
            if callable(service_name):
                self.service_names.append(service_name())
        self._server.add_generic_rpc_handlers(handlers)

    def add_registered_method_handlers(self, service_name: str, method_handlers: dict[str, Any]) -> None:
        self.service_names.append(service_name)
        self._server.add_registered_method_handlers(service_name, method_handlers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


async def serve(config: GatewayConfig, servicers: Iterable[ServicerRegistration] | None = None) -> int:
    """Run the gateway until SIGTERM/SIGINT; the process exit code (2: could not start)."""
    if servicers is None:
        from gateway.servicers import servicers_for

        servicers = servicers_for(config)

    bridge = RpcBridge(config.amqp_uri, default_timeout=config.rpc_timeout, key=config.internal_key)
    try:
        await bridge.start()
    except DownstreamUnavailable:
        _fail(f"cannot reach RabbitMQ at {redact_url(config.amqp_uri)}: start RabbitMQ or point AMQP_URI at a running broker")
        return 2

    health = HealthServicer()
    server = build_server(config, bridge, servicers, health_servicer=health)
    try:
        if config.tls_cert:
            credentials = grpc.ssl_server_credentials([(config.tls_key, config.tls_cert)])
            server.add_secure_port(config.listen_address, credentials)
        else:
            server.add_insecure_port(config.listen_address)
    except RuntimeError:
        _fail(f"cannot listen on {config.listen_address}: is GATEWAY_PORT={config.port} taken by another process?")
        await bridge.close()
        return 2
    metrics_server = None
    if config.metrics_port:
        try:
            metrics_server, _thread = start_http_server(config.metrics_port, addr=config.metrics_host)
        except OSError as exc:
            _fail(f"cannot serve metrics on port {config.metrics_port} (GATEWAY_METRICS_PORT): {exc.strerror}")
            await bridge.close()
            return 2

    await server.start()
    monitor = DownstreamHealthMonitor(bridge, health, config.health_services, interval=config.health_interval)
    monitor.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    log.info(
        "gateway listening on %s (metrics on :%s), RabbitMQ at %s",
        config.listen_address,
        config.metrics_port or "off",
        redact_url(config.amqp_uri),
    )

    await stopping.wait()
    log.info("shutting down: draining calls for up to %s s", config.grace_seconds)
    await health.enter_graceful_shutdown()
    await monitor.stop()
    await server.stop(config.grace_seconds)
    await bridge.close()
    if metrics_server is not None:
        metrics_server.shutdown()
    log.info("gateway stopped")
    return 0


def main() -> int:
    """Entry point of ``python -m gateway``."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    # One JSON line per record, like every service (crm_kit/logs.py).
    logs.configure("gateway", level if isinstance(logging.getLevelName(level), int) else "INFO")
    # aiormq logs a lost connection and every failed reconnect with a traceback; the bridge
    # logs the loss and the recovery in one line each, and the health monitor which
    # services stopped answering.
    logging.getLogger("aiormq").setLevel(logging.CRITICAL)
    logging.getLogger("aio_pika").setLevel(logging.ERROR)
    try:
        config = dataclasses.replace(load_config(), internal_key=load_internal_key())
    except ConfigError as exc:
        _fail(str(exc))
        return 2
    return asyncio.run(serve(config))


def _fail(message: str) -> None:
    print(f"gateway: {message}", file=sys.stderr)
