"""Use-case tests of the partners service without broker: SQLite in memory and a unit of work
that records the events it is asked to emit (tests/support/usecases.py)."""

from __future__ import annotations

import pytest

from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, Actor
from services.partners.domain.names import name_key
from services.partners.models import Partner, PartnerKind

ADMIN_ACTOR = Actor(user_id="admin-1", roles=(ADMIN,))
HEAD_NORTH = Actor(user_id="head-north", roles=(HEAD_OF_SALES,), department="north")
MANAGER_MOSCOW = Actor(user_id="m-moscow", roles=(MANAGER,), regions=("moscow",), department="north")
MANAGER_SPB = Actor(user_id="m-spb", roles=(MANAGER,), regions=("spb",), department="south")


@pytest.fixture
def usecase_service() -> str:
    return "partners"


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

