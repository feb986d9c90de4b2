"""A recording listener: another service that hears what a service under test published, as
claims, notifications and analytics will (through the real outbox, broker and inbox), and
records every event it hears in its own database for the test to read.

One listener class for every source: ``recording_listener(name, source, event_types)`` makes
the nameko service class (the test process needs it to declare its queues before the publishers
start); ``start_listener`` runs it as its own process on a database of its own (``python -m crm_ops.serve
tests.support.listener:ListenerService``, which builds the same class from ``LISTENER_*`` variables)
and answers a :class:`Listener`, whose ``heard(event_type, **data)`` reads what it recorded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, create_engine, insert, select, text

import contracts
from crm_kit.db import Database, messaging_tables
from crm_kit.entrypoints import handles
from crm_kit.observability import Observability
from tests.support.platform import Infrastructure, ServiceProcess, sqlalchemy_url

TARGET = "tests.support.listener:ListenerService"

metadata = MetaData()
messaging_tables(metadata)
heard_events = Table(
    "heard",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_type", String(100), index=True),
    Column("event_id", String(36)),
    Column("payload", Text),
)


def _handler(name: str, event_type: str):
    def on_event(self, event: dict[str, Any]) -> None:
        self.db.session.execute(
            insert(heard_events).values(event_type=event["event_type"], event_id=event["event_id"], payload=json.dumps(event))
        )

    # The inbox records (event_id, handler qualname): one name per event type.
    on_event.__name__ = f"on_{event_type}"
    on_event.__qualname__ = f"{name}.on_{event_type}"
    return on_event


def recording_listener(name: str, source: str, event_types: Iterable[str]) -> type:
    """A nameko service ``name`` that records every ``event_types`` event ``source`` publishes."""
    attributes: dict[str, Any] = {
        "name": name,
        "__doc__": f"Records the {source} events it hears.",
        "source": source,
        "event_types": tuple(event_types),
        "db": Database(metadata),
        "observability": Observability(),
    }
    for event_type in attributes["event_types"]:
        attributes[f"on_{event_type}"] = handles(source, event_type)(_handler(name, event_type))
    return type("ListenerService", (), attributes)


def __getattr__(attribute: str) -> type:
    # ``ListenerService`` exists in a listener's own process only, made from what start_listener set.
    if attribute == "ListenerService":
        return recording_listener(
            os.environ["LISTENER_NAME"], os.environ["LISTENER_SOURCE"], os.environ["LISTENER_EVENTS"].split(",")
        )
    raise AttributeError(attribute)


class Listener:
    """A running recording listener: its process and what it has heard."""

    def __init__(self, process: ServiceProcess, engine: Engine):
        self.process = process
        self._engine = engine

    def heard(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        """The envelopes of ``event_type`` heard so far, oldest first; with ``data``, only those
        whose data has those values (``heard("deal_won", deal_id=...)``)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(heard_events.c.payload).where(heard_events.c.event_type == event_type).order_by(heard_events.c.id)
            )
            envelopes = [json.loads(row.payload) for row in rows]
        for envelope in envelopes:  # every event a running service published keeps its contract
            contracts.check_envelope(envelope)
        return [e for e in envelopes if all(e["data"].get(key) == value for key, value in data.items())]

    def heard_at_least(self, count: int, event_type: str, **data: Any) -> list[dict[str, Any]]:
        """``heard(event_type, **data)`` once it holds ``count`` events, else nothing (for
        ``eventually``)."""
        envelopes = self.heard(event_type, **data)
        return envelopes if len(envelopes) >= count else []

    def stop_soon(self) -> None:
        self.process.stop_soon()
        self._engine.dispose()


def start_listener(service_class: type, env: dict[str, str], infra: Infrastructure) -> Listener:
    """Run ``service_class`` (made by ``recording_listener``) as its own process, with the
    package's ``env``, on a fresh database of its own; ready when this returns. (Its queues are
    the package's to declare, with the publishers', before either starts.)"""
    name = service_class.name
    database_url = infra.service_database(f"crm_test_{name}", metadata=metadata)
    process = ServiceProcess(TARGET, {
        **env,
        f"{name.upper()}_DATABASE_URL": database_url,
        "LISTENER_NAME": name,
        "LISTENER_SOURCE": service_class.source,
        "LISTENER_EVENTS": ",".join(service_class.event_types),
    }, name=name)
    process.start()
    return Listener(process, create_engine(sqlalchemy_url(database_url)))


def outbox_reader(engine: Engine) -> Callable[[str], list[dict[str, Any]]]:
    """``read(event_type)``: the data of every ``event_type`` event a service wrote to its outbox
    (its database behind ``engine``), oldest first: what it published or is about to."""

    def read(event_type: str) -> list[dict[str, Any]]:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT payload FROM outbox WHERE event_type = :t ORDER BY id"), {"t": event_type})
            return [json.loads(row.payload)["data"] for row in rows]

    return read
