"""Deals follow their partner (partner_registered / partner_updated / partner_reassigned) and
are handed over on their own (reassign_deal), with their open tasks and a history."""

from __future__ import annotations

import uuid

import pytest

from contracts import deals as events
from contracts.partners import PARTNER_REASSIGNED, PARTNER_REGISTERED, PARTNER_UPDATED
from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, Unavailable, ValidationError
from services.deals.models import Deal
from services.deals.usecases import details, listing, opening, reassignment, stages, work
from tests.support.usecases import count, delivered
from tests.unit.deals_usecases.conftest import ADMIN_ACTOR, ANNA, BORIS, HEAD_NORTH, INTERACTIONS, day

CARL = ANNA.__class__(user_id="carl", roles=ANNA.roles, regions=("kzn",), department="east")


def about(partner_id: str, manager_id: str = "anna", region: str | None = "msk", department: str | None = "north") -> dict:
    return {"partner_id": partner_id, "manager_id": manager_id, "region": region, "department": department,
            "segment": None}


def reassigned(partner_id: str, manager_id: str, previous: str, handover_id: str | None = None,
               occurred_at: str | None = None, **where) -> dict:
    envelope = {"occurred_at": occurred_at} if occurred_at else {}
    return delivered(PARTNER_REASSIGNED, {**about(partner_id, manager_id, **where), "previous_manager_id": previous,
                                          "reason": "vacation", "handover_id": handover_id}, actor=HEAD_NORTH,
                     **envelope)


def _partner(partner_id: str) -> dict:
    """The partner as partner_updated carries it (in kzn, east)."""
    return {"id": partner_id, "short_name": "R", "full_name": None, "kinds": ["client"], "legal_form": "legal_entity",
            "inn": None, "kpp": None, "ogrn": None, "legal_address": None, "website": None, "segment": None,
            "source": None, "region": "kzn", "manager_id": "anna", "department": "east", "status": "active",
            "merged_into": None, "comment": None, "phones": [], "emails": [], "addresses": [], "bank_accounts": [],
            "properties": {}, "contacts": [], "duplicate_override": None, "created_at": "2026-11-23T10:00:00+00:00",
            "created_by": "anna", "updated_at": None}


def test_a_handover_moves_open_deals_and_their_open_tasks_not_closed_ones(session, uow_for, open_deal, client):
    deal = open_deal(process_code="manual")
    postponed = open_deal(process_code="manual")
    stages.set_status(uow_for(ANNA), ANNA, postponed["id"], {"status": "postponed"})
    won = open_deal(process_code="manual")
    stages.set_status(uow_for(ANNA), ANNA, won["id"], {"status": "won"})
    todo = work.add_task(uow_for(ANNA), ANNA, deal["id"], {"title": "Позвонить", "due_date": day(3)})
    done = work.add_task(uow_for(ANNA), ANNA, deal["id"], {"title": "Было", "due_date": day(1)})
    work.complete_task(uow_for(ANNA), ANNA, done["id"])
    someone_elses = work.add_task(uow_for(ANNA), ANNA, deal["id"], {"title": "Юрист", "due_date": day(2),
                                                                   "responsible_id": "lawyer"})
    boris_deal = open_deal(actor=ADMIN_ACTOR, manager_id="boris")  # Boris's work on the partner stays his
    # ...opened while the partner sat in spb (deals had not heard of it moving yet).
    session.get(Deal, boris_deal["id"]).region, session.get(Deal, boris_deal["id"]).department = "spb", "south"
    session.flush()
    handover_id = str(uuid.uuid4())

    uow = uow_for(INTERACTIONS)
    counts = reassignment.partner_reassigned(uow, reassigned(client["id"], "carl", "anna", handover_id))

    assert counts == {"deals": 3, "tasks": 1}  # the won deal already sits where its partner does
    session.expire_all()
    moved = details.get_deal(session, CARL, deal["id"])
    assert moved["manager_id"] == "carl"
    assert {t["title"]: t["responsible_id"] for t in moved["tasks"]} == {"Позвонить": "carl", "Было": "anna",
                                                                           "Юрист": "lawyer"}
    [history] = moved["assignments"]
    assert (history["manager_id"], history["previous_manager_id"], history["handover_id"], history["reason"],
            history["changed_by"], history["tasks_moved"]) == ("carl", "anna", handover_id, "vacation", "head-north", 1)
    assert details.get_deal(session, CARL, postponed["id"])["manager_id"] == "carl"
    closed = details.get_deal(session, ADMIN_ACTOR, won["id"])
    assert closed["manager_id"] == "anna" and (closed["region"], closed["department"]) == ("msk", "north")
    assert details.get_deal(session, BORIS, boris_deal["id"])["manager_id"] == "boris"
    # Carl sees the moved work at once; Anna still sees it only through her region.
    assert {d["id"] for d in listing.list_deals(session, CARL, {"manager_id": "carl"})["items"]} == {
        deal["id"], postponed["id"]}
    by_deal = {data["deal_id"]: data for data in uow.of(events.DEAL_REASSIGNED)}
    assert set(by_deal) == {deal["id"], postponed["id"], boris_deal["id"]}
    assert by_deal[deal["id"]]["task_ids"] == [todo["id"]] and by_deal[deal["id"]]["handover_id"] == handover_id
    assert by_deal[boris_deal["id"]]["previous_region"] == "spb" and by_deal[boris_deal["id"]]["region"] == "msk"
    assert someone_elses["responsible_id"] == "lawyer"


def test_the_old_manager_no_longer_sees_deals_outside_her_regions(session, uow_for, open_deal, client):
    deal = open_deal()
    reassignment.partner_reassigned(uow_for(INTERACTIONS), reassigned(client["id"], "carl", "anna",
                                                                      region="kzn", department="east"))
    session.expire_all()
    with pytest.raises(NotFound):
        details.get_deal(session, ANNA, deal["id"])
    assert details.get_deal(session, CARL, deal["id"])["region"] == "kzn"


def test_an_older_event_than_the_one_applied_changes_nothing(session, uow_for, open_deal, client):
    deal = open_deal()
    newer = reassigned(client["id"], "carl", "anna")
    older = reassigned(client["id"], "boris", "anna", occurred_at="2020-01-01T00:00:00+00:00")
    reassignment.partner_reassigned(uow_for(INTERACTIONS), newer)
    assert reassignment.partner_reassigned(uow_for(INTERACTIONS), older) == {"deals": 0, "tasks": 0}
    session.expire_all()
    assert details.get_deal(session, ADMIN_ACTOR, deal["id"])["manager_id"] == "carl"


def test_a_deal_takes_its_partner_s_region_and_department_not_the_caller_s(session, uow_for, partners, client):
    client.update(region="spb", department="south")
    view = opening.open_deal(uow_for(ANNA), ANNA, {"title": "X", "partner_id": client["id"], "region": "msk"},
                             partners=partners)
    assert (view["region"], view["department"], view["manager_id"]) == ("spb", "south", "anna")
    # Deals heard of the partner later: its deals follow where it moves.
    uow = uow_for(INTERACTIONS)
    partner = _partner(client["id"])
    reassignment.partner_placed(uow, delivered(PARTNER_UPDATED, {**about(client["id"], region="kzn", department="east"),
                                                                 "changed": ["region"], "partner": partner}))
    session.expire_all()
    moved = details.get_deal(session, ADMIN_ACTOR, view["id"])
    assert (moved["region"], moved["department"], moved["manager_id"]) == ("kzn", "east", "anna")
    [(kind, data)] = uow.events
    assert kind == events.DEAL_REASSIGNED and data["previous_region"] == "spb" and data["task_ids"] == []
    # Now deals knows it: the partners service is not asked again.
    asked = partners.times_asked("get")
    again = opening.open_deal(uow_for(ANNA), ANNA, {"title": "Y", "partner_id": client["id"]}, partners=partners)
    assert (again["region"], again["department"]) == ("kzn", "east") and partners.times_asked("get") == asked
    registered = delivered(PARTNER_REGISTERED, {**about(client["id"], region="kzn", department="east"),
                                                "kinds": ["client"], "partner": partner})
    assert reassignment.partner_placed(uow_for(INTERACTIONS), registered)["deals"] == 0


def test_a_partner_unknown_to_partners_is_not_found_and_partners_down_refuses_the_deal(session, uow_for, partners, client):
    with pytest.raises(NotFound) as refused:
        opening.open_deal(uow_for(ANNA), ANNA, {"title": "X", "partner_id": str(uuid.uuid4()), "region": "msk"},
                          partners=partners)
    assert set(refused.value.details) == {"partner_id"}
    partners.down = True  # a partner not heard of cannot be checked: refused, to be retried
    with pytest.raises(Unavailable):
        opening.open_deal(uow_for(ANNA), ANNA, {"title": "Y", "partner_id": client["id"], "region": "msk"},
                          partners=partners)
    assert count(session, Deal) == 0


def test_reassign_deal_is_for_heads_of_sales_and_admins_with_a_reason(session, uow_for, open_deal):
    deal = open_deal()
    task = work.add_task(uow_for(ANNA), ANNA, deal["id"], {"title": "Позвонить", "due_date": day(3)})
    with pytest.raises(PermissionDenied):
        reassignment.reassign_deal(uow_for(ANNA), ANNA, deal["id"], {"manager_id": "carl", "reason": "отпуск"})
    with pytest.raises(ValidationError) as refused:
        reassignment.reassign_deal(uow_for(HEAD_NORTH), HEAD_NORTH, deal["id"], {"manager_id": "carl"})
    assert "reason" in refused.value.details
    with pytest.raises(PreconditionFailed):
        reassignment.reassign_deal(uow_for(HEAD_NORTH), HEAD_NORTH, deal["id"], {"manager_id": "anna", "reason": "x"})

    uow = uow_for(HEAD_NORTH)
    view = reassignment.reassign_deal(uow, HEAD_NORTH, deal["id"], {"manager_id": "carl", "reason": "отпуск"})

    assert view["manager_id"] == "carl" and (view["region"], view["department"]) == ("msk", "north")
    assert [t["responsible_id"] for t in view["tasks"]] == ["carl"]
    assert [(a["previous_manager_id"], a["manager_id"], a["reason"], a["changed_by"], a["handover_id"])
            for a in view["assignments"]] == [("anna", "carl", "отпуск", "head-north", None)]
    [data] = uow.of(events.DEAL_REASSIGNED)
    assert data["task_ids"] == [task["id"]] and data["by"] == "head-north" and data["partner_event_id"] is None
    stages.set_status(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, deal["id"], {"status": "lost", "loss_reason": "price"})
    with pytest.raises(PreconditionFailed):
        reassignment.reassign_deal(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, deal["id"], {"manager_id": "anna", "reason": "x"})


def test_a_batch_moves_every_partner_and_a_partner_handed_on_twice_ends_with_the_last(session, uow_for, partners,
                                                                                      open_deal, client):
    other = partners.add_partner("Лютик", manager_id="anna")
    first = open_deal()
    second = open_deal(partner_id=other["id"])
    handover_id = str(uuid.uuid4())
    batch = [
        reassigned(client["id"], "boris", "carl", occurred_at="2030-01-01T10:00:02+00:00"),
        reassigned(client["id"], "carl", "anna", handover_id, occurred_at="2030-01-01T10:00:01+00:00"),
        reassigned(other["id"], "carl", "anna", handover_id, occurred_at="2030-01-01T10:00:01+00:00"),
    ]

    uow = uow_for(INTERACTIONS)
    counts = reassignment.partners_reassigned(uow, batch)

    assert counts["deals"] == 3
    session.expire_all()
    assert details.get_deal(session, ADMIN_ACTOR, first["id"])["manager_id"] == "boris"
    assert details.get_deal(session, ADMIN_ACTOR, second["id"])["manager_id"] == "carl"
    assert [(a["previous_manager_id"], a["manager_id"]) for a in
            details.get_deal(session, ADMIN_ACTOR, first["id"])["assignments"]] == [("anna", "carl"), ("carl", "boris")]


def test_a_reassignment_heard_after_a_later_update_still_moves_the_deals(session, uow_for, open_deal, client):
    deal = open_deal()
    update = delivered(PARTNER_UPDATED, {**about(client["id"], manager_id="carl", region="kzn", department="east"),
                                         "changed": ["region"], "partner": _partner(client["id"])},
                       occurred_at="2030-01-01T10:00:02+00:00")
    reassignment.partner_placed(uow_for(INTERACTIONS), update)
    reassignment.partner_reassigned(uow_for(INTERACTIONS), reassigned(
        client["id"], "carl", "anna", occurred_at="2030-01-01T10:00:01+00:00"))
    session.expire_all()
    moved = details.get_deal(session, ADMIN_ACTOR, deal["id"])
    assert (moved["manager_id"], moved["region"], moved["department"]) == ("carl", "kzn", "east")


def test_deals_of_a_merged_partner_sit_where_the_survivor_sits(session, uow_for, partners, open_deal):
    from contracts.partners import PARTNERS_MERGED
    from services.deals.usecases import merges

    merged = open_deal(partner_id=partners.add_partner("Сливаемый", manager_id="anna")["id"])
    survivor = partners.add_partner("Выживший", manager_id="anna")["id"]
    event = delivered(PARTNERS_MERGED, {**about(survivor, region="kzn", department="east"), "survivor_id": survivor,
                                        "merged_id": merged["partner_id"], "contact_ids_moved": [],
                                        "partner": _partner(survivor)})
    uow = uow_for(INTERACTIONS)
    merges.partners_merged(uow, event)  # as the service's on_partners_merged does
    reassignment.partner_placed(uow, event)
    session.expire_all()
    moved = details.get_deal(session, ADMIN_ACTOR, merged["id"])
    assert (moved["partner_id"], moved["region"], moved["department"], moved["manager_id"]) == (
        survivor, "kzn", "east", "anna")
