"""Reachability checks that turn a missing broker or database into one clear line."""

from __future__ import annotations

from kombu import Connection
from sqlalchemy import create_engine

from crm_kit.config import database_url, redact


class Unreachable(Exception):
    """A dependency cannot be reached; the message names the URL and what to do."""


def check_broker(amqp_uri: str) -> None:
    try:
        with Connection(amqp_uri, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        raise Unreachable(
            f"cannot reach RabbitMQ at {redact(amqp_uri)} ({type(exc).__name__}: {exc}); "
            "start it (rabbitmq-server -detached) or set AMQP_URI"
        ) from None


def check_database(service: str) -> None:
    url = database_url(service)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unreachable(
            f"cannot reach the {service} database at {redact(url)} ({reason}); "
            f"start PostgreSQL or set {service.upper()}_DATABASE_URL"
        ) from None
    finally:
        engine.dispose()
