"""Repeated missed calls from one number count on one call-back task, which closes by itself when
the number is called back or calls in again and is answered; a call from a client with one open
deal is about that deal (deals' events followed here). Use cases on SQLite, partners faked."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.interactions.domain import call_backs as rules
from services.interactions.models import Task
from services.interactions.usecases import call_deals, call_ingest, call_leads, call_queries, last_interaction, tasks
from tests.support.pbx import PbxCall
from tests.support.usecases import count
from tests.unit.interactions_usecases.conftest import ADMIN_ACTOR, ANNA, PBX


@pytest.fixture
def ingest(uow_for, partners, callers):
    def ingest_(bodies: list):
        uow = uow_for(PBX)
        return call_ingest.ingest(uow, partners, callers, bodies), uow

    return ingest_


def call_at(number: str, minutes: int, **kwargs) -> PbxCall:
    call = PbxCall(number, **kwargs)
    call.start += timedelta(minutes=minutes)
    return call


def open_call_backs(session, partner_id: str) -> list[dict]:
    session.expire_all()
    return tasks.list_tasks(session, ADMIN_ACTOR, {"partner_id": partner_id})["items"]


def test_the_rule_counts_missed_calls_and_closes_on_a_later_answer():
    t = PbxCall("+74951234567").start
    [task] = rules.settle(None, [(t, rules.MISSED, "a"), (t + timedelta(minutes=5), rules.MISSED, "b")])
    assert (task.existing, task.missed_count, task.last_missed_at, task.closed_at) == (False, 2, t + timedelta(minutes=5), None)
    # An answer older than the last missed call (told late) closes nothing; a later one does.
    [kept] = rules.settle((2, t), [(t - timedelta(minutes=1), rules.ANSWERED, "old")])
    assert not kept.changed
    closed, again = rules.settle((2, t + timedelta(minutes=2)), [(t + timedelta(minutes=3), rules.MISSED, "c"),
                                          (t + timedelta(minutes=1), rules.ANSWERED, "early"),
                                          (t + timedelta(minutes=9), rules.ANSWERED, "back"),
                                          (t + timedelta(minutes=20), rules.MISSED, "d")])
    assert (closed.existing, closed.missed_count, closed.closed_by_call_id) == (True, 3, "back")
    assert (again.existing, again.missed_count, again.missed_call_ids, again.closed_at) == (False, 1, ["d"], None)


def test_three_missed_calls_from_one_number_make_one_task_with_the_count_and_last_time(session, ingest, client):
    first, second, third = (call_at("+74951234567", minutes) for minutes in (0, 10, 30))
    _, uow = ingest(first.missed())
    ingest(second.missed() + third.missed())  # two in one batch

    [task] = open_call_backs(session, client["id"])
    assert (task["missed_count"], task["call_id"], task["status"]) == (3, first.call_id, "open")
    assert task["last_missed_at"].startswith("2026-11-23T07:30:25")  # the third one's miss, 10:30:25 in Moscow
    assert uow.of("call_missed")[0]["missed_count"] == 1 and count(session, Task) == 1


def test_an_answered_call_back_closes_the_task_by_itself(session, ingest, client):
    ingest(call_at("+74951234567", 0).missed())
    ingest(call_at("+74951234567", 5).missed())
    back = call_at("+74951234567", 20, direction="outgoing")
    _, uow = ingest(back.talked())

    assert open_call_backs(session, client["id"]) == []
    [done] = tasks.list_tasks(session, ADMIN_ACTOR, {"partner_id": client["id"], "status": "done"})["items"]
    assert (done["missed_count"], done["closed_by_call_id"], done["completed_by"]) == (2, back.call_id, None)
    [event] = uow.of("task_completed")
    assert (event["task_id"], event["closed_by_call_id"], event["completed_by"]) == (done["id"], back.call_id, None)

    ingest(call_at("+74951234567", 40).missed())  # missed again later: a new task
    [again] = open_call_backs(session, client["id"])
    assert again["missed_count"] == 1 and again["id"] != done["id"]
    ingest(call_at("+74951234567", 50).talked())  # calls in again and is answered
    assert open_call_backs(session, client["id"]) == []


def test_an_unanswered_call_back_leaves_the_task_open(session, ingest, client):
    ingest(call_at("+74951234567", 0).missed())
    ingest(call_at("+74951234567", 5, direction="outgoing").missed())
    [task] = open_call_backs(session, client["id"])
    assert task["missed_count"] == 1


def deal(session, uow_for, partner_id: str, *, closed: bool = False) -> str:
    deal_id = str(uuid.uuid4())
    data = {"deal_id": deal_id, "partner_id": partner_id, "status": "in_progress"}
    call_deals.deal_opened(session, data, "2026-11-20T10:00:00+00:00")
    if closed:
        call_deals.deal_closed(session, data)
    return deal_id


def test_a_call_from_a_client_with_one_open_deal_is_about_that_deal(session, uow_for, ingest, client):
    only = deal(session, uow_for, client["id"])
    deal(session, uow_for, client["id"], closed=True)
    call = PbxCall("+74951234567")
    ingest(call.talked())
    view = call_queries.get_call(session, ADMIN_ACTOR, call.call_id)
    assert (view["subject_kind"], view["subject_id"], view["partner_id"]) == ("deal", only, client["id"])

    deal(session, uow_for, client["id"])  # a second open deal: the partner only
    second = call_at("+74951234567", 10)
    ingest(second.talked())
    view = call_queries.get_call(session, ADMIN_ACTOR, second.call_id)
    assert (view["subject_kind"], view["subject_id"]) == ("partner", client["id"])


def test_a_deal_closed_before_its_opening_is_heard_stays_closed(session):
    partner_id, deal_id = str(uuid.uuid4()), str(uuid.uuid4())
    call_deals.deal_closed(session, {"deal_id": deal_id, "partner_id": partner_id})
    call_deals.deal_opened(session, {"deal_id": deal_id, "partner_id": partner_id, "status": "in_progress"})
    assert call_deals.only_open_deals(session, {partner_id}) == {}


def test_a_task_through_the_partners_manager_carries_the_partners_region_and_department(session, ingest, client):
    last_interaction.follow_partners(session, [{"partner_id": client["id"], "manager_id": "anna", "region": "msk",
                                                "department": "north"}])
    call = PbxCall("+74951234567", extension="999")  # nobody at that extension
    ingest(call.missed())
    [task] = open_call_backs(session, client["id"])
    assert (task["assignee_id"], task["region"], task["department"]) == ("anna", "msk", "north")
    assert tasks.list_tasks(session, ANNA, {})["items"][0]["id"] == task["id"]


def test_one_batch_missed_answered_and_missed_again_leaves_one_open_task(session, ingest, client):
    first, answered, again = call_at("+74951234567", 0), call_at("+74951234567", 10), call_at("+74951234567", 20)
    stranger = PbxCall("anonymous")  # no number to call back: a task of its own
    _, uow = ingest(first.missed() + answered.talked() + again.missed() + stranger.missed())

    [still_open] = open_call_backs(session, client["id"])
    assert (still_open["call_id"], still_open["missed_count"]) == (again.call_id, 1)
    [done] = tasks.list_tasks(session, ADMIN_ACTOR, {"partner_id": client["id"], "status": "done"})["items"]
    assert (done["call_id"], done["closed_by_call_id"]) == (first.call_id, answered.call_id)
    named = {e["call_id"]: e["task_id"] for e in uow.of("call_missed")}
    assert (named[first.call_id], named[again.call_id]) == (done["id"], still_open["id"])
    assert named[stranger.call_id] not in (None, done["id"], still_open["id"])
    assert count(session, Task) == 3


def test_calls_of_a_partner_found_late_get_its_manager_region_and_department(session, uow_for, ingest, partners, deals):
    number = "+74959990044"
    missed = PbxCall(number, extension="999")
    ingest(missed.missed())
    known = partners.add_partner("Нашёлся", manager_id="anna", phones=(number,))  # registered meanwhile
    last_interaction.follow_partners(session, [{"partner_id": known["id"], "manager_id": "anna", "region": "msk",
                                                "department": "north"}])

    call_leads.process(uow_for(PBX), partners, deals)

    view = call_queries.get_call(session, ADMIN_ACTOR, missed.call_id)
    assert (view["partner_id"], view["responsible_id"], view["region"], view["department"]) == (
        known["id"], "anna", "msk", "north")
    [task] = open_call_backs(session, known["id"])
    assert (task["assignee_id"], task["region"], task["department"]) == ("anna", "msk", "north")
