"""The gateway's configuration, read from the environment and checked before anything starts.

=========================  =============================================  ===================
variable                   meaning                                        default
=========================  =============================================  ===================
GATEWAY_HOST               address the gRPC server listens on             127.0.0.1 (``0.0.0.0`` in a container)
GATEWAY_PORT               gRPC port                                      50051
GATEWAY_TLS_CERT_FILE      PEM certificate chain: TLS on the gRPC port    none (plaintext)
GATEWAY_TLS_KEY_FILE       PEM private key of that certificate            none
GATEWAY_REFLECTION         server reflection on (1) or off (0)            1
GATEWAY_METRICS_HOST       address /metrics listens on                    127.0.0.1
GATEWAY_METRICS_PORT       Prometheus /metrics port (0: no endpoint)      9100
AMQP_URI                   RabbitMQ                                       amqp://guest:guest@127.0.0.1:5672/
CRM_ENVIRONMENT            ``development`` (set by ``crm up``) or not     production
JWT_SECRET                 HS256 secret, at least 32 bytes                required unless JWT_PUBLIC_KEY_FILE is
                                                                          set; in development only, a built-in
                                                                          development secret, with a warning
JWT_PUBLIC_KEY_FILE        PEM public key file for RS256 tokens           none
JWT_ISSUER / JWT_AUDIENCE  expected ``iss`` / ``aud`` claims              crm / crm-gateway
GATEWAY_RPC_TIMEOUT        seconds a downstream RPC may take at most      5
GATEWAY_HEALTH_SERVICES    comma-separated downstream services to ping    every service folder (services/)
GATEWAY_HEALTH_INTERVAL    seconds between health pings                   5
GATEWAY_GRACE_SECONDS      grace period for calls in flight at shutdown   5
GATEWAY_CARD_CACHE_TTL     seconds a cached card section may live         30 (0: no cache)
GATEWAY_CARD_CACHE_MB      MiB the card cache may hold (estimated size    64
                           in memory; least recently used dropped first)
GATEWAY_CARD_SECTIONS      services asked for a client card section       deals,interactions
                           (comma-separated; empty: the partners part only)
GATEWAY_SECTION_TIMEOUT    seconds a card section may take                0.5
GATEWAY_CALLER_CONCURRENCY calls one caller may have in flight            6
GATEWAY_CALLER_RATE        calls a second one caller may make (refill)    100
GATEWAY_CALLER_BURST       calls one caller may make at once from rest    200
CRM_INTERNAL_KEY           the platform's internal key: signs the actor   required (at least 32 bytes) unless
                           of every call (crm_kit.trust); the same in     CRM_ENVIRONMENT=development
                           every process
=========================  =============================================  ===================
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from yarl import URL

from crm_kit import trust
from crm_kit.config import ConfigError as KitConfigError
from crm_kit.config import service_folders

log = logging.getLogger(__name__)

DEV_JWT_SECRET = "crm-development-secret-do-not-use-in-production"
# An HS256 key shorter than its 256-bit hash can be brute-forced (RFC 7518, 3.2).
MIN_SECRET_BYTES = 32
DEVELOPMENT = "development"
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


class ConfigError(Exception):
    """A variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class GatewayConfig:
    host: str = "127.0.0.1"
    port: int = 50051
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9100
    tls_cert: bytes | None = None
    tls_key: bytes | None = None
    reflection: bool = True
    amqp_uri: str = DEFAULT_AMQP_URI
    jwt_secret: str | None = DEV_JWT_SECRET
    jwt_public_key: str | None = None
    jwt_issuer: str = "crm"
    jwt_audience: str = "crm-gateway"
    rpc_timeout: float = 5.0
    health_services: tuple[str, ...] = ("partners",)
    health_interval: float = 5.0
    grace_seconds: float = 5.0
    card_cache_ttl: float = 30.0
    card_cache_bytes: int = 64 * 1024 * 1024
    card_sections: tuple[str, ...] = ("deals", "interactions")
    section_timeout: float = 0.5
    caller_concurrency: int = 6
    caller_rate: float = 100.0
    caller_burst: int = 200
    # CRM_INTERNAL_KEY (load_internal_key; None: the bridge reads it from the environment).
    internal_key: bytes | None = None

    @property
    def listen_address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def uses_dev_secret(self) -> bool:
        return self.jwt_secret == DEV_JWT_SECRET


def load_config(environ: Mapping[str, str] | None = None) -> GatewayConfig:
    """The configuration in ``environ`` (default: the process environment).

    Raises :class:`ConfigError` naming the first bad variable.
    """
    env = os.environ if environ is None else environ
    config = dict(
        host=env.get("GATEWAY_HOST") or "127.0.0.1",
        port=_port(env, "GATEWAY_PORT", 50051),
        metrics_host=env.get("GATEWAY_METRICS_HOST") or "127.0.0.1",
        reflection=_switch(env, "GATEWAY_REFLECTION", True),
        **_tls(env),
        metrics_port=_port(env, "GATEWAY_METRICS_PORT", 9100, allow_zero=True),
        amqp_uri=_amqp_uri(env.get("AMQP_URI") or DEFAULT_AMQP_URI),
        jwt_issuer=env.get("JWT_ISSUER") or "crm",
        jwt_audience=env.get("JWT_AUDIENCE") or "crm-gateway",
        rpc_timeout=_seconds(env, "GATEWAY_RPC_TIMEOUT", 5.0),
        health_services=_names(env, "GATEWAY_HEALTH_SERVICES", tuple(service_folders())),
        health_interval=_seconds(env, "GATEWAY_HEALTH_INTERVAL", 5.0),
        grace_seconds=_seconds(env, "GATEWAY_GRACE_SECONDS", 5.0),
        card_cache_ttl=0.0 if env.get("GATEWAY_CARD_CACHE_TTL") in ("0", "0.0") else _seconds(env, "GATEWAY_CARD_CACHE_TTL", 30.0),
        card_cache_bytes=_count(env, "GATEWAY_CARD_CACHE_MB", 64) * 1024 * 1024,
        card_sections=_names(env, "GATEWAY_CARD_SECTIONS", ("deals", "interactions")),
        section_timeout=_seconds(env, "GATEWAY_SECTION_TIMEOUT", 0.5),
        caller_concurrency=_count(env, "GATEWAY_CALLER_CONCURRENCY", 6),
        caller_rate=float(_count(env, "GATEWAY_CALLER_RATE", 100)),
        caller_burst=_count(env, "GATEWAY_CALLER_BURST", 200),
    )
    public_key = _public_key(env.get("JWT_PUBLIC_KEY_FILE"))
    secret = env.get("JWT_SECRET") or None
    development = (env.get("CRM_ENVIRONMENT") or "").strip().lower() == DEVELOPMENT
    if secret is None and public_key is None:
        if not development:
            # The development secret is printed in the repository: anyone could mint an admin token.
            raise ConfigError(
                f"JWT_SECRET (at least {MIN_SECRET_BYTES} random bytes) or JWT_PUBLIC_KEY_FILE is required; "
                "only CRM_ENVIRONMENT=development (what `crm up` sets) falls back to the development secret"
            )
        log.warning(
            "JWT_SECRET is not set: tokens are checked with the development secret (CRM_ENVIRONMENT=development); "
            "set JWT_SECRET or JWT_PUBLIC_KEY_FILE anywhere else"
        )
        secret = DEV_JWT_SECRET
    elif secret is not None and not development:
        if secret == DEV_JWT_SECRET:
            raise ConfigError("JWT_SECRET is the development secret printed in the repository: set a secret of your own")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(
                f"JWT_SECRET is {len(secret.encode())} bytes: use at least {MIN_SECRET_BYTES} random bytes "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
    return GatewayConfig(jwt_secret=secret, jwt_public_key=public_key, **config)


def load_internal_key(environ: Mapping[str, str] | None = None) -> bytes:
    """``CRM_INTERNAL_KEY``, which signs the actor of every call behind the gateway
    (crm_kit.trust): required outside development, of real length, like ``JWT_SECRET``."""
    try:
        return trust.load_key(environ)
    except KitConfigError as exc:
        raise ConfigError(str(exc)) from None


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not 1 <= value <= 1_000_000:
        raise ConfigError(f"{name} must be between 1 and 1000000, got {value}")
    return value


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _tls(env: Mapping[str, str]) -> dict[str, bytes | None]:
    """The certificate chain and key for TLS on the gRPC port: both files or neither."""
    cert_file, key_file = env.get("GATEWAY_TLS_CERT_FILE"), env.get("GATEWAY_TLS_KEY_FILE")
    if not cert_file and not key_file:
        return {"tls_cert": None, "tls_key": None}
    if not (cert_file and key_file):
        raise ConfigError("GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE go together: set both for TLS, or neither")
    loaded = {}
    for name, path, marker in (("GATEWAY_TLS_CERT_FILE", cert_file, b"CERTIFICATE"), ("GATEWAY_TLS_KEY_FILE", key_file, b"PRIVATE KEY")):
        try:
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise ConfigError(f"{name}: cannot read {path}: {exc.strerror}") from None
        if b"-----BEGIN" not in content or marker not in content:
            raise ConfigError(f"{name}: {path} is not a PEM {marker.decode().lower()}")
        loaded[name] = content
    return {"tls_cert": loaded["GATEWAY_TLS_CERT_FILE"], "tls_key": loaded["GATEWAY_TLS_KEY_FILE"]}


def _port(env: Mapping[str, str], name: str, default: int, allow_zero: bool = False) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a port number, got {raw!r}") from None
    lowest = 0 if allow_zero else 1
    if not lowest <= port <= 65535:
        raise ConfigError(f"{name} must be between {lowest} and 65535, got {port}")
    return port


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not seconds > 0:
        raise ConfigError(f"{name} must be more than 0 seconds, got {raw!r}")
    return seconds


def _names(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _amqp_uri(raw: str) -> str:
    try:
        url = URL(raw)
    except (TypeError, ValueError):
        raise ConfigError("AMQP_URI is not a URL") from None
    if url.scheme not in ("amqp", "amqps") or not url.host:
        raise ConfigError(f"AMQP_URI must look like amqp://user:password@host:5672/vhost, got scheme {url.scheme!r}")
    return raw


def _public_key(path: str | None) -> str | None:
    if not path:
        return None
    try:
        with open(path, encoding="ascii") as key_file:
            key = key_file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"JWT_PUBLIC_KEY_FILE {path!r} cannot be read: {exc.strerror or exc}") from None
    if "PUBLIC KEY" not in key:
        raise ConfigError(f"JWT_PUBLIC_KEY_FILE {path!r} is not a PEM public key")
    return key
