"""Row-level access to partners."""

from __future__ import annotations

import itertools

import pytest

from crm_kit.access import (
    can_see,
    row_visible,
    visibility_filter,
)
from crm_kit.actor import (
    ADMIN,
    ANONYMOUS,
    HEAD_OF_SALES,
    MANAGER,
    SERVICE,
    SYSTEM,
    Actor,
)

MANAGER_ACTOR = Actor(user_id="m1", roles=(MANAGER,), regions=("77", "50"), department="sales-msk")
HEAD = Actor(user_id="h1", roles=(HEAD_OF_SALES,), department="sales-msk")
ADMIN_ACTOR = Actor(user_id="a1", roles=(ADMIN,))
SERVICE_ACTOR = Actor(user_id="pbx", roles=(SERVICE,))
NO_ROLE = Actor(user_id="u1", regions=("77",), department="sales-msk")


@pytest.mark.parametrize("actor", [ADMIN_ACTOR, SERVICE_ACTOR, SYSTEM])
def test_admins_and_services_see_everything(actor: Actor) -> None:
    assert visibility_filter(actor) is None
    assert can_see(actor, None, None, None)
    assert can_see(actor, "someone", "99", "other")


def test_anonymous_sees_nothing() -> None:
    assert not can_see(ANONYMOUS, None, None, None)
    assert not can_see(ANONYMOUS, "", "77", "sales-msk")
    assert not can_see(Actor(user_id="", roles=(ADMIN,)), "m1", None, None)


def test_user_without_a_sales_role_sees_nothing() -> None:
    assert not can_see(NO_ROLE, "u1", "77", "sales-msk")


class TestManager:
    def test_sees_own_partners(self) -> None:
        assert can_see(MANAGER_ACTOR, "m1", "99", None)

    def test_sees_partners_of_own_regions(self) -> None:
        assert can_see(MANAGER_ACTOR, "m2", "50", None)

    def test_does_not_see_others(self) -> None:
        assert not can_see(MANAGER_ACTOR, "m2", "99", "sales-msk")  # department is for heads only
        assert not can_see(MANAGER_ACTOR, None, None, None)

    def test_sees_others_in_own_regions_only(self) -> None:
        assert can_see(MANAGER_ACTOR, "m2", "77", None)
        assert not can_see(MANAGER_ACTOR, "m2", "99", None)

    def test_filter(self) -> None:
        assert visibility_filter(MANAGER_ACTOR) == {"manager_id": "m1", "regions": ["50", "77"], "department": None}


class TestHeadOfSales:
    def test_sees_own_department(self) -> None:
        assert can_see(HEAD, "m2", "99", "sales-msk")

    def test_sees_own_partners(self) -> None:
        assert can_see(HEAD, "h1", None, "sales-spb")

    def test_does_not_see_other_departments(self) -> None:
        assert not can_see(HEAD, "m2", "99", "sales-spb")
        assert not can_see(HEAD, "m2", "99", None)

    def test_without_department_sees_only_own(self) -> None:
        head = Actor(user_id="h2", roles=(HEAD_OF_SALES,))
        assert visibility_filter(head) == {"manager_id": "h2", "regions": [], "department": None}
        assert not can_see(head, "m2", None, None)

    def test_filter(self) -> None:
        assert visibility_filter(HEAD) == {"manager_id": "h1", "regions": [], "department": "sales-msk"}


ACTORS = [MANAGER_ACTOR, HEAD, ADMIN_ACTOR, SERVICE_ACTOR, ANONYMOUS, NO_ROLE]
ROWS = list(itertools.product(["m1", "h1", "m2", None], ["77", "99", None], ["sales-msk", "sales-spb", None]))


@pytest.mark.parametrize("actor", ACTORS, ids=lambda actor: actor.user_id or "anonymous")
def test_filter_and_row_check_agree(actor: Actor) -> None:
    """What the service turns into SQL is what ``can_see`` decides row by row, written as
    the documented OR of three conditions."""
    visibility = visibility_filter(actor)
    for manager_id, region, department in ROWS:
        if visibility is None:
            expected = True
        else:
            expected = (
                (visibility["manager_id"] is not None and manager_id == visibility["manager_id"])
                or region in visibility["regions"]
                or (visibility["department"] is not None and department == visibility["department"])
            )
        assert can_see(actor, manager_id, region, department) == expected
        assert row_visible(visibility, manager_id, region, department) == expected
