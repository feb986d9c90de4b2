"""The use-case tier: a service's use-case functions run against SQLite in memory, with a unit
of work that records the events it is asked to emit, and fakes of the other services
(tests/support/fakes.py). No broker, no PostgreSQL, no process: the quick tier.

The database is the service's own schema as its alembic migrations make it (SQLite is the
embedded default of a local run, so the migrations must work there too), built once per
session into a template and copied into a fresh in-memory database for every test.

A tier's conftest says which service it tests with a ``usecase_service`` fixture; ``session``
and ``uow_for`` (loaded by tests/conftest.py) do the rest.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from crm_kit.actor import SYSTEM, Actor
from crm_kit.contracts import EventContract, as_travelled

_templates: dict[str, sqlite3.Connection] = {}


class EmittedEvent(str):
    """The name of an emitted event, equal to its name and to its contract, so a test says
    either ``"deal_opened"`` or ``events.DEAL_OPENED``."""

    def __new__(cls, contract: EventContract) -> EmittedEvent:
        emitted = super().__new__(cls, contract.name)
        emitted.contract = contract
        return emitted

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventContract):
            return other is self.contract
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


class RecordingUnitOfWork:
    """What the use cases need of crm_kit.db.UnitOfWork: the session, the actor, ``emit()`` and
    ``commit()``. Events are recorded in ``events`` as ``(event name, data)`` instead of being
    written to an outbox, each checked against its contract as it will travel (JSON), so a use
    case that emits a wrong payload fails its test."""

    def __init__(self, session: Session, actor: Actor = SYSTEM, *, service: str | None = None):
        self.session = session
        self.actor = actor
        self.service = service
        self.events: list[tuple[EmittedEvent, dict[str, Any]]] = []
        self.commits = 0

    def emit(self, contract: EventContract, data: dict[str, Any], *, actor: Actor | None = None) -> str:
        assert isinstance(contract, EventContract), f"emit takes an event contract, not {contract!r}"
        assert self.service is None or contract.source == self.service, f"the {self.service} service emitted {contract!r}"
        contract.check(as_travelled(data))
        self.events.append((EmittedEvent(contract), data))
        return f"event-{len(self.events)}"

    def of(self, event: EventContract | str) -> list[dict[str, Any]]:
        """The data of every ``event`` (a contract, or its name) emitted, in order."""
        name = event.name if isinstance(event, EventContract) else event
        return [data for kind, data in self.events if kind == name]

    def commit(self) -> None:
        """Scans commit batch by batch, as the real unit of work lets them."""
        self.session.commit()
        self.commits += 1


def _template(service: str) -> sqlite3.Connection:
    """``service``'s schema after all its migrations (and the rows they seed), built once."""
    if service not in _templates:
        from crm_ops.migrations import upgrade

        with tempfile.TemporaryDirectory(prefix=f"crm-{service}-schema-") as folder:
            path = Path(folder) / f"{service}.db"
            upgrade(service, f"sqlite:///{path}")
            template = sqlite3.connect(":memory:", check_same_thread=False)
            source = sqlite3.connect(path)
            try:
                source.backup(template)
            finally:
                source.close()
        _templates[service] = template
    return _templates[service]


def memory_engine(service: str) -> Engine:
    """A fresh in-memory database of ``service``'s schema, on one connection."""
    template = _template(service)

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        template.backup(connection)
        return connection

    engine = create_engine("sqlite://", creator=connect, poolclass=StaticPool)

    # pysqlite begins transactions on its own and not before a SAVEPOINT; the use cases lean on
    # savepoints (session.begin_nested) to survive a duplicate, so SQLAlchemy begins instead
    # (SQLAlchemy's documented recipe for SQLite savepoints).
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")

    return engine


def count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def session(usecase_service: str) -> Iterator[Session]:
    """A session on a fresh in-memory database of the tier's service."""
    engine = memory_engine(usecase_service)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def uow_for(session: Session, usecase_service: str) -> Callable[[Actor], RecordingUnitOfWork]:
    """``uow_for(actor)``: a fresh recording unit of work on the test's session, for events of
    the tier's service only."""

    def make(actor: Actor) -> RecordingUnitOfWork:
        return RecordingUnitOfWork(session, actor, service=usecase_service)

    return make


def delivered(contract: EventContract, data: dict[str, Any], actor: Actor = SYSTEM, **envelope: Any) -> dict[str, Any]:
    """The event ``contract`` with ``data`` as a ``@handles`` handler gets it: the envelope as it
    travelled (JSON), its data read through the contract; ``envelope`` overrides fields of it
    (``occurred_at``...)."""
    import json

    from crm_kit.db import event_envelope

    travelled = {**json.loads(json.dumps(event_envelope(contract.source, contract, data, actor), default=str)), **envelope}
    return {**travelled, "data": contract.read(travelled)}
