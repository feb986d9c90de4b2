"""Configuration from the environment, checked at start-up with a clear message.

Every setting has an embedded default for a local run (`make run`): SQLite files under
``var/`` and the RabbitMQ at ``AMQP_URI``. Production sets the variables.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CRM_VAR_DIR", ROOT / "var"))

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"

# The services that exist: every folder here with a service.py (crm_ops.registry lists them).
SERVICES_DIR = ROOT / "services"

# Each service's HTTP port for /metrics and /health; override with <SERVICE>_METRICS_PORT.
# The services named here keep these ports; every other service folder gets the ports after
# them, in name order (default_metrics_port), so a new service needs no edit here. The deploy
# files (crm deploy render) carry the same ports.
DEFAULT_METRICS_PORTS = {
    "partners": 9201,
    "deals": 9202,
    "interactions": 9203,
    "claims": 9204,
    "notifications": 9205,
    "analytics": 9206,
}
UNKNOWN_SERVICE_METRICS_PORT = 9299


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and what to do."""


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = env(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name}={value} is out of range {minimum}..{maximum}")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def amqp_uri() -> str:
    uri = env("AMQP_URI", DEFAULT_AMQP_URI)
    scheme = urlsplit(uri).scheme
    if scheme not in ("amqp", "amqps", "pyamqp"):
        raise ConfigError(f"AMQP_URI={redact(uri)!r} must start with amqp:// or amqps://")
    return uri


def database_url(service: str) -> str:
    """``<SERVICE>_DATABASE_URL``, or a SQLite file under var/ for a local run."""
    name = f"{service.upper()}_DATABASE_URL"
    url = env(name)
    if url is None:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{VAR_DIR / (service + '.db')}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        # psycopg2 is the driver we cooperate with eventlet through psycogreen.
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    if not url.startswith(("sqlite:", "postgresql+psycopg2://")):
        raise ConfigError(f"{name}={redact(url)!r}: use postgresql://... or sqlite:///path")
    return url


def service_folders() -> list[str]:
    """The names of the folders under ``services/`` with a ``service.py`` (not ``_private`` ones)."""
    return sorted(
        path.parent.name
        for path in SERVICES_DIR.glob("*/service.py")
        if not path.parent.name.startswith("_")
    )


def default_metrics_port(service: str) -> int:
    """The service's own entry in DEFAULT_METRICS_PORTS; else, for a service folder not listed
    there, the next port after the listed ones by its place among the unlisted in name order."""
    if service in DEFAULT_METRICS_PORTS:
        return DEFAULT_METRICS_PORTS[service]
    unlisted = [name for name in service_folders() if name not in DEFAULT_METRICS_PORTS]
    if service not in unlisted:
        return UNKNOWN_SERVICE_METRICS_PORT
    return max(DEFAULT_METRICS_PORTS.values()) + 1 + unlisted.index(service)


def metrics_port(service: str) -> int:
    return env_int(f"{service.upper()}_METRICS_PORT", default_metrics_port(service), maximum=65535)


def nameko_config(service: str | None = None) -> dict:
    """The nameko config dict for a service process (or a standalone client)."""
    config = {
        "AMQP_URI": amqp_uri(),
        "serializer": "json",
        "max_workers": env_int("CRM_MAX_WORKERS", 10, minimum=1, maximum=1000),
        "parent_calls_tracked": 10,
        # Event exchanges must outlive their publishers: a relay that publishes while no
        # consumer is connected must still find the exchange and the bound queues.
        "AUTO_DELETE_EVENT_EXCHANGES": False,
    }
    if service:
        config["SERVICE_NAME"] = service
    config["METRICS_HOST"] = env("METRICS_HOST") or "127.0.0.1"
    if env("METRICS_PORT") is not None:
        # One process, one service: a plain METRICS_PORT wins over <SERVICE>_METRICS_PORT.
        config["METRICS_PORT"] = env_int("METRICS_PORT", 0, maximum=65535)
    return config


def redact(url: str) -> str:
    """A URL with its password replaced, fit for a log line or an error message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
