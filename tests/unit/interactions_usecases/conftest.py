"""Use-case tests of the interactions service without broker: SQLite in memory with the
service's own migrations, a unit of work that records the events it is asked to emit
(tests/support/usecases.py), stand-ins for the partners and deals services
(tests/support/fakes.py), and the caller cache the service keeps in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, SERVICE, Actor
from services.interactions.caller_directory import PhoneCache
from services.interactions.usecases import registration
from tests.support.fakes import FakeDeals, FakePartners

ADMIN_ACTOR = Actor(user_id="admin-1", roles=(ADMIN,))
HEAD_NORTH = Actor(user_id="head-north", roles=(HEAD_OF_SALES,), department="north")
ANNA = Actor(user_id="anna", roles=(MANAGER,), regions=("msk",), department="north")
BORIS = Actor(user_id="boris", roles=(MANAGER,), regions=("spb",), department="south")
PBX = Actor(user_id="pbx-adapter", roles=(SERVICE,))


def hours(offset: float) -> str:
    """An ISO moment ``offset`` hours from now."""
    return (datetime.now(UTC) + timedelta(hours=offset)).isoformat()


@pytest.fixture
def usecase_service() -> str:
    return "interactions"


@pytest.fixture
def partners() -> FakePartners:
    return FakePartners()


@pytest.fixture
def deals() -> FakeDeals:
    return FakeDeals()


@pytest.fixture
def callers() -> PhoneCache:
    """The per-process cache of who is behind a number, empty, as CallerDirectory sets it up
    (caller_directory.py): the whole directory is read when asked for."""
    cache = PhoneCache(ttl_s=300)
    cache.reload_s, cache.loaded_at = 600.0, None
    return cache


@pytest.fixture
def client(partners) -> dict[str, Any]:
    """Anna's client, with a number and a contact person with a number and an address."""
    return partners.add_partner("Romashka", manager_id="anna", phones=("+74951234567",), contacts=(
        {"name": "Пётр", "phones": ("+79161112233",), "emails": ("petr@romashka.ru",)},))


@pytest.fixture
def register(uow_for, client, partners, deals):
    """``register(actor=ANNA, **fields)``: an interaction registered through the use case; a
    meeting with the client tomorrow unless the fields say otherwise (region msk)."""

    def register_(actor: Actor = ANNA, **fields: Any) -> dict[str, Any]:
        payload = {"kind": "meeting", "subject_kind": "partner", "subject_id": client["id"], "planned_at": hours(24),
                   "place": "Офис", "region": "msk", **fields}
        return registration.register(uow_for(actor), actor, payload, partners=partners, deals=deals)

    return register_
