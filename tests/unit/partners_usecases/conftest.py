"""Use-case tests of the partners service without broker: SQLite in memory and a stand-in unit
of work that records the events it is asked to emit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, Actor
from crm_kit.contracts import EventContract, as_travelled
from services.partners.domain.names import name_key
from services.partners.models import Base, Partner, PartnerKind

ADMIN_ACTOR = Actor(user_id="admin-1", roles=(ADMIN,))
HEAD_NORTH = Actor(user_id="head-north", roles=(HEAD_OF_SALES,), department="north")
MANAGER_MOSCOW = Actor(user_id="m-moscow", roles=(MANAGER,), regions=("moscow",), department="north")
MANAGER_SPB = Actor(user_id="m-spb", roles=(MANAGER,), regions=("spb",), department="south")


class RecordingUnitOfWork:
    """What the use cases need of crm_kit.db.UnitOfWork: a session, the actor, and emit(). Every
    event is checked against its contract as it will travel, so a wrong payload fails the test."""

    def __init__(self, session: Session, actor: Actor):
        self.session = session
        self.actor = actor
        self.events: list[tuple[EventContract, dict[str, Any]]] = []

    def emit(self, contract: EventContract, data: dict[str, Any], *, actor: Actor | None = None) -> str:
        assert contract.source == "partners", f"the partners service emitted {contract!r}"
        contract.check(as_travelled(data))
        self.events.append((contract, data))
        return f"event-{len(self.events)}"

    def of(self, contract: EventContract) -> list[dict[str, Any]]:
        return [data for kind, data in self.events if kind == contract]


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def uow_for(session):
    """``uow_for(actor)``: a fresh recording unit of work on the test's session."""

    def make(actor: Actor) -> RecordingUnitOfWork:
        return RecordingUnitOfWork(session, actor)

    return make


@pytest.fixture
def make_partner(session):
    """``make_partner(name, manager_id=..., region=..., department=..., segment=...)``: a partner
    written straight to the database (registration has its own tests)."""

    def make(name: str = "Romashka", *, manager_id: str | None = None, region: str | None = None,
             department: str | None = None, segment: str | None = None, status: str = "active") -> Partner:
        partner = Partner(
            legal_form="legal_entity", short_name=name, name_key=name_key(name), manager_id=manager_id,
            region=region, department=department, segment=segment, status=status,
        )
        partner.kinds = [PartnerKind(kind="client")]
        session.add(partner)
        session.flush()
        return partner

    return make


def count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))
