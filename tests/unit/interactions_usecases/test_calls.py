"""Calls from the PBX through the use-case functions: a batch of call events folded into one call
interaction per call, numbers matched through the partners service (a fake), call-back tasks,
prospects and leads for unknown callers, and matching later while partners is down."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from crm_kit.errors import NotFound, Unavailable, ValidationError
from services.interactions.models import CallEvent, CallLead, Interaction, Task
from services.interactions.usecases import call_ingest, call_leads, call_queries, caller_matching, extensions, tasks
from tests.support.pbx import PbxCall
from tests.support.usecases import count
from tests.unit.interactions_usecases.conftest import ADMIN_ACTOR, ANNA, BORIS, PBX


@pytest.fixture
def ingest(uow_for, partners, callers):
    """``ingest(bodies)``: one batch through call_ingest.ingest, as the batch consumer hands it; answers
    (the result, the unit of work)."""

    def ingest_(bodies: list) -> tuple[dict, object]:
        uow = uow_for(PBX)
        return call_ingest.ingest(uow, partners, callers, bodies), uow

    return ingest_


def call_view(session, call_id: str, actor=ADMIN_ACTOR) -> dict:
    session.expire_all()
    return call_queries.get_call(session, actor, call_id)


def test_events_in_any_order_and_repeated_make_one_call(session, ingest, client):
    call = PbxCall("8 (495) 123-45-67")
    events = call.talked()
    shuffled = random.Random(3).sample(events + events[:2], len(events) + 2)

    result, uow = ingest(shuffled)

    assert (result["applied"], result["duplicates"], result["calls"], result["rejected"]) == (3, 2, 1, {})
    view = call_view(session, call.call_id)
    assert (view["kind"], view["status"], view["call_state"], view["duration_s"]) == ("call", "done", "ended", 90)
    assert (view["external_number"], view["match_state"], view["partner_id"]) == ("+74951234567", "matched", client["id"])
    assert (view["subject_kind"], view["subject_id"], view["responsible_id"]) == ("partner", client["id"], "anna")
    assert view["answered_at"] and view["ended_at"] and view["recording_url"] == "https://pbx.example/r/1.mp3"
    assert [kind for kind, _ in uow.events] == ["call_registered", "interaction_completed"]

    again, again_uow = ingest(events)  # redelivered: every event was applied before
    assert (again["applied"], again["duplicates"]) == (0, 3) and again_uow.events == []
    assert count(session, Interaction) == 1 and count(session, CallEvent) == 3


def test_a_call_told_over_several_batches_is_one_call(session, ingest):
    call = PbxCall("+74957654321", direction="outgoing")
    first, first_uow = ingest([call.event("ringing", 0)])
    ended, ended_uow = ingest([call.event("answered", 3), call.event("ended", 33, duration_s=30)])

    assert [kind for kind, _ in first_uow.events] == ["call_registered"]
    assert [kind for kind, _ in ended_uow.events] == ["interaction_completed"]
    assert call_view(session, call.call_id)["call_state"] == "ended"
    assert count(session, Interaction) == 1


def test_a_malformed_event_is_rejected_and_the_batch_goes_on(session, ingest):
    call = PbxCall("+74957654321")
    bad = {**call.event("answered", 3), "kind": "hung_up"}

    result, _ = ingest([call.event("ringing", 0), bad, "not even a dict", call.event("ended", 9, duration_s=0)])

    assert set(result["rejected"]) == {1, 2}
    assert all(isinstance(error, ValidationError) for error in result["rejected"].values())
    assert "kind" in result["rejected"][1].details
    assert result["applied"] == 2 and call_view(session, call.call_id)["call_state"] == "ended"


def test_the_user_at_the_extension_answers_for_the_call(session, uow_for, ingest, client):
    extensions.set_extension(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, {"extension": "205", "user_id": "vera", "region": "msk",
                                                             "department": "north"})
    call = PbxCall("+74951234567", extension="205")
    ingest(call.talked())
    view = call_view(session, call.call_id)
    assert (view["responsible_id"], view["region"], view["department"]) == ("vera", "msk", "north")
    assert view["participants"][1]["user_id"] == "vera"


def test_a_missed_call_makes_one_call_back_task_for_the_partners_manager(session, ingest, client):
    call = PbxCall("+7 (916) 111-22-33")  # the contact's number

    _, uow = ingest(call.missed())
    ingest(call.missed())  # told again
    _, late_uow = ingest([call.event("ringing", 1)])  # a late event of the same call, with an id of its own

    [task] = tasks.list_tasks(session, ANNA, {})["items"]
    assert (task["kind"], task["assignee_id"], task["partner_id"], task["call_id"]) == ("call_back", "anna", client["id"], call.call_id)
    assert task["contact_id"] == client["contacts"][0]["id"] and task["title"] == "Call back +7 916 111-22-33"
    [missed] = uow.of("call_missed")
    assert missed["task_id"] == task["id"] and missed["contact_id"] == client["contacts"][0]["id"]
    assert count(session, Task) == 1 and late_uow.of("call_missed") == []


def test_an_outgoing_missed_call_makes_no_task(session, ingest):
    call = PbxCall("+74957654321", direction="outgoing")
    _, uow = ingest(call.missed())
    assert count(session, Task) == 0
    assert [e["task_id"] for e in uow.of("call_missed")] == [None]


def test_a_stranger_gets_one_prospect_and_one_lead(session, uow_for, ingest, partners, deals):
    stranger = "+74959990011"
    first, second = PbxCall(stranger), PbxCall("8 495 999-00-11")
    ingest(first.talked())
    ingest(second.missed())
    assert call_view(session, first.call_id)["match_state"] == "unknown"
    assert count(session, CallLead) == 1  # once per number

    uow = uow_for(PBX)
    done = call_leads.process(uow, partners, deals)

    assert done["done"] == 1
    [(prospect, options)] = partners.registered
    assert prospect["kinds"] == ["prospect"] and options == {"request_id": f"pbx-prospect:{stranger}"}
    [lead] = deals.leads.values()
    assert (lead["call_id"], lead["partner_id"], lead["phone"]) == (first.call_id, prospect["id"], stranger)
    first_view, second_view = call_view(session, first.call_id), call_view(session, second.call_id)
    assert first_view["partner_id"] == second_view["partner_id"] == prospect["id"]
    assert first_view["created_deal_id"] == lead["id"] and second_view["created_deal_id"] is None
    assert {e["call_id"] for e in uow.of("interaction_updated")} == {first.call_id, second.call_id}
    assert tasks.list_tasks(session, ADMIN_ACTOR, {"partner_id": prospect["id"]})["items"][0]["call_id"] == second.call_id

    assert call_leads.process(uow_for(PBX), partners, deals)["due"] == 0  # nothing left to do
    assert deals.times_asked("open_lead_from_call") == 1


def test_many_strangers_leads_are_made_in_one_round_and_one_failure_holds_back_no_other(
        session, uow_for, ingest, partners, deals):
    numbers = [f"+7495998{n:04d}" for n in range(45)]  # more than one chunk of rows
    ingest([event for number in numbers for event in PbxCall(number).talked()])
    refused = numbers[3]

    class PartnersDownForOneNumber:
        def register(self, partner, options):
            if partner["phones"][0]["number"] == refused:
                raise Unavailable("the partners service did not answer register in 5s")
            return partners.register(partner, options)

    uow = uow_for(PBX)
    done = call_leads.process(uow, PartnersDownForOneNumber(), deals, budget_s=3600)  # no clock in a test

    assert (done["due"], done["done"], done["retry"], done["failed"]) == (45, 44, 1, 0)
    assert uow.commits >= 1  # the first chunk was committed before the second was taken
    assert sorted(lead["phone"] for lead in deals.leads.values()) == sorted(set(numbers) - {refused})
    [waiting] = call_leads.list_leads(session, "pending", 10)
    assert (waiting["number"], waiting["attempts"]) == (refused, 1) and "partners" in waiting["last_error"]
    assert all(lead["partner_id"] and lead["deal_id"] for lead in call_leads.list_leads(session, "done", 100))


def test_while_deals_is_down_the_lead_waits_and_is_made_later(session, uow_for, ingest, partners, deals):
    call = PbxCall("+74959990022")
    ingest(call.talked())
    deals.down = True

    waiting = call_leads.process(uow_for(PBX), partners, deals)

    assert (waiting["retry"], waiting["done"]) == (1, 0)
    [row] = call_leads.list_leads(session, "pending", 10)
    assert row["attempts"] == 1 and "deals" in row["last_error"]
    assert call_leads.process(uow_for(PBX), partners, deals)["due"] == 0  # not before its backoff
    deals.down = False
    session.execute(update(CallLead).values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))

    assert call_leads.process(uow_for(PBX), partners, deals)["done"] == 1
    assert len(partners.registered) == 1  # the retried prospect was the same one (request id)
    assert call_leads.list_leads(session, "done", 10)[0]["deal_id"] == next(iter(deals.leads.values()))["id"]


def test_a_number_someone_has_by_now_is_linked_without_a_lead(session, uow_for, ingest, partners, deals):
    number = "+74959990033"
    call = PbxCall(number)
    ingest(call.talked())
    known = partners.add_partner("Успели", manager_id="anna", phones=(number,))

    call_leads.process(uow_for(PBX), partners, deals)

    assert deals.leads == {} and partners.registered == []
    view = call_view(session, call.call_id)
    assert (view["partner_id"], view["match_state"]) == (known["id"], "matched")


def test_calls_stored_while_partners_is_down_are_matched_later(session, uow_for, ingest, partners, callers, client):
    partners.down = True
    call = PbxCall("+74951234567")
    ingest(call.missed())
    view = call_view(session, call.call_id)
    assert (view["match_state"], view["partner_id"]) == ("pending", None)
    [task] = session.scalars(select(Task)).all()
    assert task.assignee_id is None  # nobody known yet

    partners.down = False
    uow = uow_for(PBX)
    assert caller_matching.retry_pending_matches(uow, partners, callers) == {"pending": 1, "matched": 1}

    view = call_view(session, call.call_id)
    assert (view["match_state"], view["partner_id"], view["responsible_id"]) == ("matched", client["id"], "anna")
    session.refresh(task)
    assert (task.assignee_id, task.partner_id) == ("anna", client["id"])
    assert [e["match_state"] for e in uow.of("interaction_updated")] == ["matched"]


def test_a_loaded_directory_matches_without_asking_partners(session, ingest, partners, callers, client):
    assert caller_matching.refresh_directory(callers, partners)["loaded"] is True
    asked = len(partners.asked)
    known, stranger = PbxCall("+74951234567"), PbxCall("+74950000000")

    ingest(known.talked() + stranger.talked())

    assert partners.asked[asked:] == []
    assert call_view(session, known.call_id)["partner_id"] == client["id"]
    assert call_view(session, stranger.call_id)["match_state"] == "unknown"


def test_calls_are_seen_as_row_level_access_allows(session, ingest, client):
    call = PbxCall("+74951234567")
    ingest(call.talked())
    assert call_queries.get_call(session, ANNA, call.call_id)["partner_id"] == client["id"]
    with pytest.raises(NotFound):
        call_queries.get_call(session, BORIS, call.call_id)
    assert [c["call_id"] for c in call_queries.list_calls(session, ANNA, {"state": "ended"})["items"]] == [call.call_id]
    assert call_queries.list_calls(session, ANNA, {"state": "missed"})["items"] == []


def test_old_event_ids_are_pruned(session, ingest):
    ingest(PbxCall("+74957654321").talked())
    session.execute(update(CallEvent).values(received_at=datetime.now(UTC) - timedelta(days=31)))
    assert call_ingest.prune_call_events(session, 30) == 3
    assert count(session, CallEvent) == 0
