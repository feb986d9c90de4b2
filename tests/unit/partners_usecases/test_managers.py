"""Responsible managers: reassigning one partner, handing a whole base over, the history."""

from __future__ import annotations

import pytest

from contracts import partners as events
from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationError
from services.partners.models import ManagerAssignment, Partner
from services.partners.usecases import managers
from tests.support.usecases import count
from tests.unit.partners_usecases.conftest import ADMIN_ACTOR, HEAD_NORTH, MANAGER_MOSCOW, MANAGER_SPB


@pytest.fixture
def partner(make_partner):
    return make_partner("Romashka", manager_id="m-moscow", region="moscow", department="north")


def test_reassign_writes_history_updates_partner_and_emits(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)

    view = managers.reassign(uow, MANAGER_MOSCOW, partner.id, {"manager_id": "m-new", "reason": "vacation"})

    assert view["partner_id"] == partner.id
    assert (view["manager_id"], view["previous_manager_id"], view["department"]) == ("m-new", "m-moscow", "north")
    assert view["changed_by"] == "m-moscow" and view["reason"] == "vacation" and view["changed_at"]
    assert (partner.manager_id, partner.department) == ("m-new", "north")
    assert count(session, ManagerAssignment) == 1
    assert uow.events == [(events.PARTNER_REASSIGNED, {
        "partner_id": partner.id, "manager_id": "m-new", "previous_manager_id": "m-moscow", "region": "moscow",
        "department": "north", "segment": None, "reason": "vacation", "handover_id": None,
    })]


def test_reassign_with_department(uow_for, partner):
    uow = uow_for(ADMIN_ACTOR)
    view = managers.reassign(uow, ADMIN_ACTOR, partner.id, {"manager_id": "m-spb", "department": "south"})
    assert view["department"] == "south" and partner.department == "south"
    assert uow.events[0][1]["department"] == "south"


def test_reassign_to_the_same_manager_is_refused(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    with pytest.raises(PreconditionFailed) as caught:
        managers.reassign(uow, MANAGER_MOSCOW, partner.id, {"manager_id": "m-moscow"})
    assert caught.value.details["manager_id"] == "m-moscow"
    assert count(session, ManagerAssignment) == 0 and uow.events == []


def test_reassign_refuses_bad_payload_and_foreign_partner(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    with pytest.raises(ValidationError) as caught:
        managers.reassign(uow, MANAGER_MOSCOW, partner.id, {"manager_id": "", "reason": "x" * 501})
    assert {"manager_id", "reason"} <= set(caught.value.details)
    with pytest.raises(ValidationError) as caught:
        managers.reassign(uow, MANAGER_MOSCOW, partner.id, {})
    assert "manager_id" in caught.value.details
    with pytest.raises(NotFound):
        managers.reassign(uow_for(MANAGER_SPB), MANAGER_SPB, partner.id, {"manager_id": "m-spb"})
    assert partner.manager_id == "m-moscow"
    assert count(session, ManagerAssignment) == 0 and uow.events == []


def test_head_of_sales_cannot_move_a_partner_out_of_their_department(uow_for, make_partner):
    partner = make_partner("Dept", manager_id="m-x", region="kazan", department="north")
    with pytest.raises(PermissionDenied):
        managers.reassign(uow_for(HEAD_NORTH), HEAD_NORTH, partner.id, {"manager_id": "m-y", "department": "south"})


def test_handover_moves_every_active_partner_with_history_and_events(session, uow_for, make_partner):
    moving = [make_partner(f"Base {i}", manager_id="m-leaving", region="kazan", department="north") for i in range(5)]
    make_partner("Merged", manager_id="m-leaving", department="north", status="merged")
    make_partner("Stays", manager_id="m-other", department="north")
    uow = uow_for(ADMIN_ACTOR)

    result = managers.handover(uow, ADMIN_ACTOR, {"from_manager_id": "m-leaving", "manager_id": "m-new",
                                                  "reason": "left the company"})

    ids = {p.id for p in moving}
    assert result["count"] == 5 and set(result["partner_ids"]) == ids
    session.expire_all()
    assert {p.id for p in session.query(Partner).filter_by(manager_id="m-new")} == ids
    assert session.query(Partner).filter_by(manager_id="m-leaving").count() == 1  # the merged tombstone
    history = session.query(ManagerAssignment).all()
    assert len(history) == 5
    assert {(h.partner_id, h.manager_id, h.previous_manager_id, h.department, h.reason, h.changed_by)
            for h in history} == {(pid, "m-new", "m-leaving", "north", "left the company", "admin-1") for pid in ids}
    assert [kind for kind, _ in uow.events] == [events.PARTNER_REASSIGNED] * 5
    assert {data["partner_id"] for _, data in uow.events} == ids
    assert {data["handover_id"] for _, data in uow.events} == {result["handover_id"]}
    assert all(data["previous_manager_id"] == "m-leaving" and data["manager_id"] == "m-new" for _, data in uow.events)
    # The history reads back through manager_history too, newest first.
    assert managers.manager_history(session, ADMIN_ACTOR, moving[0].id)[0]["manager_id"] == "m-new"


def test_handover_in_chunks(session, uow_for, make_partner, monkeypatch):
    monkeypatch.setattr(managers, "HANDOVER_CHUNK", 2)
    for i in range(5):
        make_partner(f"Chunk {i}", manager_id="m-leaving", department="north")
    result = managers.handover(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, {"from_manager_id": "m-leaving", "manager_id": "m-new"})
    assert result["count"] == 5
    assert count(session, ManagerAssignment) == 5
    assert session.query(Partner).filter_by(manager_id="m-leaving").count() == 0


def test_head_of_sales_hands_over_only_their_department(session, uow_for, make_partner):
    north = [make_partner(f"North {i}", manager_id="m-leaving", department="north") for i in range(2)]
    south = make_partner("South", manager_id="m-leaving", department="south")
    uow = uow_for(HEAD_NORTH)

    result = managers.handover(uow, HEAD_NORTH, {"from_manager_id": "m-leaving", "manager_id": "m-new"})

    assert set(result["partner_ids"]) == {p.id for p in north}
    session.expire_all()
    assert session.get(Partner, south.id).manager_id == "m-leaving"
    assert len(uow.events) == 2 == count(session, ManagerAssignment)
    with pytest.raises(PermissionDenied):
        managers.handover(uow, HEAD_NORTH, {"from_manager_id": "m-leaving", "manager_id": "m-new",
                                            "department": "south"})


def test_handover_refused_for_a_manager_and_for_bad_payloads(session, uow_for, make_partner):
    make_partner("Base", manager_id="m-leaving", region="moscow", department="north")
    uow = uow_for(MANAGER_MOSCOW)
    with pytest.raises(PermissionDenied):
        managers.handover(uow, MANAGER_MOSCOW, {"from_manager_id": "m-leaving", "manager_id": "m-moscow"})
    with pytest.raises(ValidationError) as caught:
        managers.handover(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, {"manager_id": "m-new"})
    assert "from_manager_id" in caught.value.details
    with pytest.raises(ValidationError) as caught:
        managers.handover(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, {"from_manager_id": "m-leaving", "manager_id": "m-leaving"})
    assert "manager_id" in caught.value.details
    assert count(session, ManagerAssignment) == 0 and uow.events == []
    assert session.query(Partner).filter_by(manager_id="m-leaving").count() == 1


def test_handover_of_an_empty_base(uow_for):
    uow = uow_for(ADMIN_ACTOR)
    result = managers.handover(uow, ADMIN_ACTOR, {"from_manager_id": "nobody", "manager_id": "m-new"})
    assert (result["count"], result["partner_ids"], uow.events) == (0, [], [])


def test_manager_history_newest_first_and_visibility(session, uow_for, partner):
    uow = uow_for(ADMIN_ACTOR)
    managers.reassign(uow, ADMIN_ACTOR, partner.id, {"manager_id": "m-second"})
    managers.reassign(uow, ADMIN_ACTOR, partner.id, {"manager_id": "m-third"})

    history = managers.manager_history(session, MANAGER_MOSCOW, partner.id)  # still in their region

    assert [(h["manager_id"], h["previous_manager_id"]) for h in history] == [
        ("m-third", "m-second"), ("m-second", "m-moscow"),
    ]
    with pytest.raises(NotFound):
        managers.manager_history(session, MANAGER_SPB, partner.id)
