"""Use-case tests of the deals service without broker: SQLite in memory with the service's own
migrations (the built-in sales processes included), a unit of work that records the events it
is asked to emit (tests/support/usecases.py), and a stand-in for the partners service
(tests/support/fakes.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, SERVICE, Actor
from services.deals.models import PartnerPlacement
from services.deals.usecases import opening, stages
from tests.support.fakes import FakePartners

ADMIN_ACTOR = Actor(user_id="admin-1", roles=(ADMIN,))
HEAD_NORTH = Actor(user_id="head-north", roles=(HEAD_OF_SALES,), department="north")
ANNA = Actor(user_id="anna", roles=(MANAGER,), regions=("msk",), department="north")
BORIS = Actor(user_id="boris", roles=(MANAGER,), regions=("spb",), department="south")
INTERACTIONS = Actor(user_id="interactions", roles=(SERVICE,))

TODAY = date.today()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def usecase_service() -> str:
    return "deals"


@pytest.fixture
def partners() -> FakePartners:
    return FakePartners()


@pytest.fixture
def client(partners) -> dict[str, Any]:
    """A partner the partners service knows as a client (Anna's)."""
    return partners.add_partner("Romashka", kinds=("client",), manager_id="anna", region="msk", department="north")


@pytest.fixture
def borises(session, partners) -> dict[str, Any]:
    """A partner of Boris's in spb that deals has heard of (``partner_placements``): out of
    Anna's sight (partners, asked, says so too)."""
    partner = partners.add_partner("Lyutik", kinds=("client",), manager_id="boris", region="spb", department="south")
    partners.hidden.add(partner["id"])
    session.add(PartnerPlacement(partner_id=partner["id"], manager_id="boris", region="spb", department="south"))
    session.flush()
    return partner


@pytest.fixture
def open_deal(uow_for, client, partners):
    """``open_deal(actor=ANNA, **fields)``: a deal opened through the use case (region msk, the
    client's), answering its view."""

    def open_(actor: Actor = ANNA, **fields: Any) -> dict[str, Any]:
        payload = {"title": "Поставка", "partner_id": client["id"], "region": "msk", **fields}
        return opening.open_deal(uow_for(actor), actor, payload, partners=partners)

    return open_


@pytest.fixture
def move(uow_for, partners):
    """``move(deal, stage, actor=ANNA)``: move_to_stage through the use case."""

    def move_(deal: dict[str, Any], stage: str, actor: Actor = ANNA, note: str | None = None) -> dict[str, Any]:
        return stages.move_to_stage(uow_for(actor), actor, partners, deal["id"], {"stage": stage, "note": note})

    return move_
