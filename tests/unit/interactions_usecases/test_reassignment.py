"""The work in progress follows the client: a partner's planned interactions and open call-back
tasks go to its new manager when it is reassigned (partner_reassigned); what happened stays."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from contracts import interactions as events
from contracts.partners import PARTNER_REASSIGNED
from crm_kit.actor import MANAGER, Actor
from services.interactions.usecases import agenda, call_ingest, details, reassignment, status_moves, tasks
from tests.support.pbx import PbxCall
from tests.support.usecases import delivered
from tests.unit.interactions_usecases.conftest import ADMIN_ACTOR, ANNA, HEAD_NORTH, PBX, hours

CARL = Actor(user_id="carl", roles=(MANAGER,), regions=("kzn",), department="east")


def reassigned(partner_id: str, manager_id: str, previous: str | None, handover_id: str | None = None) -> dict:
    return delivered(PARTNER_REASSIGNED, {
        "partner_id": partner_id, "manager_id": manager_id, "region": "msk", "department": "north", "segment": None,
        "previous_manager_id": previous, "reason": "vacation", "handover_id": handover_id,
    }, actor=HEAD_NORTH)


def test_planned_interactions_and_open_call_backs_go_to_the_new_manager(session, uow_for, register, partners,
                                                                        callers, client):
    planned = register()
    postponed = register()
    status_moves.set_status(uow_for(ANNA), ANNA, postponed["id"], {"status": "postponed"})
    happened = register()
    status_moves.set_status(uow_for(ANNA), ANNA, happened["id"], {"status": "done", "outcome": "договорились"})
    someone_elses = register(responsible_id="vera")
    call_ingest.ingest(uow_for(PBX), partners, callers, PbxCall("+74951234567").missed())
    [call_back] = tasks.list_tasks(session, ANNA, {})["items"]
    handover_id = str(uuid.uuid4())

    uow = uow_for(PBX)
    counts = reassignment.partner_reassigned(uow, reassigned(client["id"], "carl", "anna", handover_id))

    assert counts == {"interactions": 2, "tasks": 1}
    session.expire_all()
    assert details.get(session, CARL, planned["id"])["responsible_id"] == "carl"
    assert details.get(session, CARL, postponed["id"])["responsible_id"] == "carl"
    assert details.get(session, ADMIN_ACTOR, happened["id"])["responsible_id"] == "anna"
    assert details.get(session, ADMIN_ACTOR, someone_elses["id"])["responsible_id"] == "vera"
    assert [t["id"] for t in tasks.list_tasks(session, CARL, {})["items"]] == [call_back["id"]]
    assert tasks.list_tasks(session, ANNA, {"assignee_id": "anna"})["items"] == []
    moved = uow.of(events.INTERACTION_REASSIGNED)
    assert {d["interaction_id"] for d in moved} == {planned["id"], postponed["id"]}
    assert all((d["previous_responsible_id"], d["responsible_id"], d["handover_id"], d["by"]) ==
               ("anna", "carl", handover_id, "head-north") for d in moved)
    [task] = uow.of(events.TASK_REASSIGNED)
    assert (task["task_id"], task["responsible_id"], task["kind"]) == (call_back["id"], "carl", call_back["kind"])


def test_a_partner_without_a_previous_manager_moves_nothing(uow_for, register, client):
    register()
    uow = uow_for(PBX)
    assert reassignment.partner_reassigned(uow, reassigned(client["id"], "carl", None)) == {"interactions": 0, "tasks": 0}
    assert uow.events == []


def test_the_calendar_of_the_new_manager_shows_the_moved_meetings(session, uow_for, register, client):
    planned = register(planned_at=hours(3))
    reassignment.partner_reassigned(uow_for(PBX), reassigned(client["id"], "carl", "anna"))
    session.expire_all()
    today = date.today()
    shown = agenda.calendar(session, CARL, {"user_id": "carl", "date_from": (today - timedelta(days=1)).isoformat(),
                                            "date_to": (today + timedelta(days=2)).isoformat()})
    assert [i["id"] for i in shown["items"]] == [planned["id"]]
