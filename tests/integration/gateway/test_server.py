"""Configuration checks and ``python -m gateway`` as an operator runs it."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.config import DEV_JWT_SECRET, ConfigError, load_config
from tests.support.platform import ROOT, free_port
from tests.support.waiting import eventually

PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0000000000000000000000000000
-----END PUBLIC KEY-----
"""


def test_defaults(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        config = load_config({"CRM_ENVIRONMENT": "development"})

    assert (config.port, config.metrics_port, config.rpc_timeout) == (50051, 9100, 5.0)
    assert config.amqp_uri == "amqp://guest:guest@127.0.0.1:5672/"
    assert config.jwt_secret == DEV_JWT_SECRET
    assert "JWT_SECRET" in caplog.text


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "JWT_SECRET (at least 32 random bytes) or JWT_PUBLIC_KEY_FILE is required"),
        ({"CRM_ENVIRONMENT": "production"}, "is required"),
        ({"JWT_SECRET": DEV_JWT_SECRET}, "the development secret printed in the repository"),
        ({"JWT_SECRET": "short-secret"}, "JWT_SECRET is 12 bytes"),
    ],
)
def test_outside_development_the_gateway_wants_a_real_secret(env: dict, says: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_config(env)
    assert load_config({"JWT_SECRET": "x" * 32}).jwt_secret == "x" * 32


def test_the_gateway_refuses_to_start_without_a_secret() -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("JWT_SECRET", "CRM_ENVIRONMENT")}
    started = subprocess.run([sys.executable, "-m", "gateway"], env={**env, "GATEWAY_PORT": "1"},
                             capture_output=True, text=True, timeout=60)
    assert started.returncode != 0
    assert "JWT_SECRET" in started.stderr and "Traceback" not in started.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GATEWAY_PORT", "http"),
        ("GATEWAY_PORT", "70000"),
        ("GATEWAY_METRICS_PORT", "-1"),
        ("GATEWAY_RPC_TIMEOUT", "soon"),
        ("GATEWAY_RPC_TIMEOUT", "0"),
        ("AMQP_URI", "http://127.0.0.1/"),
        ("JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pem"),
    ],
)
def test_a_bad_variable_is_named(variable: str, value: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_config({variable: value})


def test_a_public_key_alone_means_rs256_only(tmp_path: Path) -> None:
    key_file = tmp_path / "jwt.pub"
    key_file.write_text(PUBLIC_KEY)

    config = load_config({"JWT_PUBLIC_KEY_FILE": str(key_file)})

    assert config.jwt_public_key == PUBLIC_KEY
    assert config.jwt_secret is None


def run_gateway(env: dict[str, str], timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gateway"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CRM_ENVIRONMENT": "development", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_bad_variable_stops_the_gateway_with_one_line() -> None:
    finished = run_gateway({"GATEWAY_PORT": "http"})

    assert finished.returncode == 2
    assert "GATEWAY_PORT" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_an_unreachable_broker_stops_the_gateway_with_one_line() -> None:
    uri = f"amqp://guest:hunter2@127.0.0.1:{free_port()}/"

    finished = run_gateway({"AMQP_URI": uri, "GATEWAY_PORT": str(free_port()), "GATEWAY_METRICS_PORT": "0"})

    assert finished.returncode == 2
    errors = [line for line in finished.stderr.splitlines() if line.startswith("gateway:")]
    assert len(errors) == 1
    assert "cannot reach RabbitMQ at amqp://guest:***@127.0.0.1" in errors[0]
    assert "AMQP_URI" in errors[0]
    assert "hunter2" not in finished.stderr
    assert "Traceback" not in finished.stderr


def test_a_taken_port_stops_the_gateway_with_one_line(amqp_uri: str) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]

        finished = run_gateway({"AMQP_URI": amqp_uri, "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port), "GATEWAY_METRICS_PORT": "0"})

    assert finished.returncode == 2
    assert f"GATEWAY_PORT={port}" in finished.stderr
    assert "Traceback" not in finished.stderr


@pytest.fixture
def gateway_env() -> dict[str, str]:
    """Variables a test adds to the gateway's environment (TLS, reflection...)."""
    return {}


@pytest.fixture
def running_gateway(amqp_uri: str, echo_service: str, gateway_env: dict[str, str]) -> Iterator[tuple[subprocess.Popen, int, int]]:
    port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AMQP_URI": amqp_uri,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "GATEWAY_METRICS_PORT": str(metrics_port),
        "GATEWAY_HEALTH_SERVICES": echo_service,
        "GATEWAY_HEALTH_INTERVAL": "0.2",
        "CRM_ENVIRONMENT": "development",
        **gateway_env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process, port, metrics_port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def health_of(port: int, service: str) -> int:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=1).status


def serving(port: int, service: str) -> bool:
    """Whether the gateway on ``port`` says ``service`` is SERVING, once it does (15 s at most)."""
    return eventually(lambda: health_of(port, service) == health_pb2.HealthCheckResponse.SERVING, timeout=15,
                      what=f"{service or 'the gateway'} serving", ignoring=(grpc.RpcError,))


def test_the_gateway_serves_health_and_metrics_and_stops_gracefully(
    running_gateway: tuple[subprocess.Popen, int, int], echo_service: str
) -> None:
    process, port, metrics_port = running_gateway

    assert serving(port, "")
    assert serving(port, echo_service)
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        metrics = response.read().decode()
    assert 'crm_gateway_requests_total{code="OK",method="/grpc.health.v1.Health/Check"}' in metrics

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=15)

    assert process.returncode == 0
    assert "gateway stopped" in output
    assert "Traceback" not in output


def _self_signed(directory: Path) -> tuple[Path, Path, bytes]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    (directory / "cert.pem").write_bytes(pem)
    (directory / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return directory / "cert.pem", directory / "key.pem", pem


@pytest.mark.parametrize("gateway_env", [{"GATEWAY_REFLECTION": "0"}])
def test_reflection_can_be_turned_off(running_gateway, gateway_env) -> None:
    _, port, _ = running_gateway
    assert serving(port, "")
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        with pytest.raises(grpc.RpcError) as off:
            next(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5))
    assert off.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_tls_is_one_setting(amqp_uri: str, echo_service: str, tmp_path: Path) -> None:
    cert_file, key_file, pem = _self_signed(tmp_path)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AMQP_URI": amqp_uri, "GATEWAY_PORT": str(port),
           "GATEWAY_METRICS_PORT": "0", "GATEWAY_HEALTH_SERVICES": echo_service, "CRM_ENVIRONMENT": "development",
           "GATEWAY_TLS_CERT_FILE": str(cert_file), "GATEWAY_TLS_KEY_FILE": str(key_file)}
    process = subprocess.Popen([sys.executable, "-m", "gateway"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        credentials = grpc.ssl_channel_credentials(root_certificates=pem)
        options = (("grpc.ssl_target_name_override", "localhost"),)

        def secure_health() -> int:
            with grpc.secure_channel(f"127.0.0.1:{port}", credentials, options=options) as channel:
                return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2).status

        assert eventually(lambda: secure_health() == health_pb2.HealthCheckResponse.SERVING, timeout=15,
                          what="the TLS gateway serving", ignoring=(grpc.RpcError,))
        with pytest.raises(grpc.RpcError):  # plaintext is not spoken there
            health_of(port, "")
    finally:
        process.kill()
        process.wait()
    half = run_gateway({"GATEWAY_TLS_CERT_FILE": str(cert_file)})
    assert half.returncode == 2 and "GATEWAY_TLS_KEY_FILE" in half.stderr
    wrong = run_gateway({"GATEWAY_TLS_CERT_FILE": str(key_file), "GATEWAY_TLS_KEY_FILE": str(key_file)})
    assert wrong.returncode == 2 and "not a PEM certificate" in wrong.stderr
