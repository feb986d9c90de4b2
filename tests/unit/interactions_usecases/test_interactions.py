"""Registering interactions, their statuses (complete, postpone, reschedule, cancel), changes,
chains, follow-ups, links to what was created from them, and partner merges."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.partners import PARTNERS_MERGED
from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationError
from services.interactions.models import Interaction
from services.interactions.usecases import (
    agenda,
    details,
    follow_ups,
    history,
    last_interaction,
    merges,
    registration,
    status_moves,
)
from tests.support.usecases import count
from tests.unit.interactions_usecases.conftest import ADMIN_ACTOR, ANNA, BORIS, PBX, hours


def test_a_meeting_is_planned_for_its_registrar(uow_for, client, partners):
    uow = uow_for(ANNA)
    planned_at = hours(24)

    view = registration.register(uow, ANNA, {
        "kind": "meeting", "subject_kind": "partner", "subject_id": client["id"], "planned_at": planned_at,
        "place": "Офис", "title": " Встреча ", "region": "msk",
        "participants": [{"name": "Пётр", "phone": "+79161112233"}, {"user_id": "vera"}],
    }, partners=partners)

    assert (view["status"], view["responsible_id"], view["department"], view["partner_id"]) == (
        "planned", "anna", "north", client["id"])
    assert view["chain_id"] == view["id"] and view["title"] == "Встреча" and view["occurred_at"] is None
    assert [(p["name"], p["linked_by"]) for p in view["participants"]] == [("Пётр", None), (None, "hand")]
    [(kind, data)] = uow.events
    assert kind == "interaction_registered"
    assert (data["interaction_id"], data["kind"], data["status"], data["partner_id"]) == (view["id"], "meeting", "planned", client["id"])
    assert "participants" not in data["interaction"] and "body" not in data["interaction"]


def test_a_call_or_email_is_done_when_registered_and_counts_as_contact(session, register, uow_for, client, partners):
    uow = uow_for(ANNA)
    call = registration.register(uow, ANNA, {"kind": "call", "subject_kind": "partner", "subject_id": client["id"],
                                             "direction": "outgoing", "duration_s": 95, "region": "msk"},
                                 partners=partners)
    assert (call["status"], call["duration_s"]) == ("done", 95) and call["completed_at"] and call["occurred_at"]
    assert [kind for kind, _ in uow.events] == ["interaction_registered", "interaction_completed"]
    assert agenda.forgotten_clients(session, ANNA, "anna", 30)["items"] == []  # in touch just now
    in_40_days = datetime.now(UTC) + timedelta(days=40)
    forgotten = agenda.forgotten_clients(session, ANNA, "anna", 30, in_40_days)["items"]
    assert [(f["partner_id"], f["last_interaction_id"], f["days_since"]) for f in forgotten] == [(client["id"], call["id"], 40)]


def test_fields_of_another_kind_are_named_and_nothing_is_written(session, uow_for, client):
    uow = uow_for(ANNA)
    with pytest.raises(ValidationError) as refused:
        registration.register(uow, ANNA, {"kind": "call", "subject_kind": "partner", "subject_id": client["id"],
                                          "place": "Офис", "email_subject": "Привет"})
    assert set(refused.value.details) == {"direction", "place", "email_subject"}
    assert count(session, Interaction) == 0 and uow.events == []


def test_a_manager_may_not_register_for_another_region(session, register):
    with pytest.raises(PermissionDenied):
        register(region="spb", responsible_id="boris")
    assert count(session, Interaction) == 0


def test_completing_records_the_outcome_once(uow_for, register):
    meeting = register()
    starting, completing = uow_for(ANNA), uow_for(ANNA)

    started = status_moves.set_status(starting, ANNA, meeting["id"], {"status": "in_progress"})
    done = status_moves.set_status(completing, ANNA, meeting["id"], {"status": "done", "outcome": "Договорились"})

    assert started["occurred_at"] and (done["status"], done["outcome"]) == ("done", "Договорились") and done["completed_at"]
    assert [kind for kind, _ in starting.events] == ["interaction_updated"]
    [(kind, data)] = completing.events
    assert kind == "interaction_completed" and data["outcome"] == "Договорились"
    with pytest.raises(PreconditionFailed) as refused:
        status_moves.set_status(uow_for(ANNA), ANNA, meeting["id"], {"status": "done"})
    assert refused.value.details["allowed"] == []


def test_postponing_reschedules_and_a_planned_time_can_move(uow_for, register):
    meeting = register()
    later, much_later = hours(72), hours(96)
    postponing = uow_for(ANNA)

    postponed = status_moves.set_status(postponing, ANNA, meeting["id"], {"status": "postponed", "planned_at": later})

    assert postponed["status"] == "postponed" and postponed["planned_at"] == later
    assert postponing.events[0][1]["changed"] == ["status", "planned_at"]
    moving = uow_for(ANNA)
    moved = details.update_interaction(moving, ANNA, meeting["id"], {"planned_at": much_later, "place": "Склад"})
    assert (moved["planned_at"], moved["place"]) == (much_later, "Склад")
    assert set(moving.events[0][1]["changed"]) == {"planned_at", "place"}
    assert status_moves.set_status(uow_for(ANNA), ANNA, meeting["id"], {"status": "planned"})["status"] == "planned"


def test_a_done_interaction_changes_only_its_outcome(uow_for, register):
    meeting = register()
    status_moves.set_status(uow_for(ANNA), ANNA, meeting["id"], {"status": "done"})
    with pytest.raises(PreconditionFailed):
        details.update_interaction(uow_for(ANNA), ANNA, meeting["id"], {"place": "Другое"})
    assert details.update_interaction(uow_for(ANNA), ANNA, meeting["id"], {"outcome": "Итог"})["outcome"] == "Итог"
    with pytest.raises(ValidationError):
        details.update_interaction(uow_for(ANNA), ANNA, meeting["id"], {"kind": "call"})


def test_replies_form_a_chain_about_the_same_subject(session, register, uow_for):
    first = register(kind="email", planned_at=None, place=None, email_subject="КП", email_from="anna@crm.example",
                     email_to=["petr@romashka.ru"])
    reply = register(kind="email", planned_at=None, place=None, email_subject="Re: КП", email_from="petr@romashka.ru",
                     email_to=["anna@crm.example"], reply_to_id=first["id"])
    assert reply["chain_id"] == first["chain_id"] == first["id"]
    with pytest.raises(ValidationError) as refused:
        register(subject_id=str(uuid.uuid4()), reply_to_id=first["id"])
    assert "reply_to_id" in refused.value.details
    assert [i["id"] for i in history.list_chain(session, ANNA, reply["id"])] == [first["id"], reply["id"]]


def test_a_follow_up_keeps_subject_chain_and_link(uow_for, register, client):
    meeting = register()
    uow = uow_for(ANNA)

    follow = follow_ups.follow_up(uow, ANNA, meeting["id"], {"planned_at": hours(48), "title": "Перезвонить"})

    assert (follow["kind"], follow["status"], follow["follow_up_of_id"], follow["chain_id"]) == (
        "planned", "planned", meeting["id"], meeting["chain_id"])
    assert (follow["subject_id"], follow["responsible_id"], follow["reply_to_id"]) == (client["id"], "anna", meeting["id"])
    assert [kind for kind, _ in uow.events] == ["interaction_registered"]


def test_what_was_created_from_an_interaction_is_linked_once(uow_for, register, deals, client):
    meeting = register()
    deal_id = deals.add_deal(client["id"])["id"]
    with pytest.raises(ValidationError):
        details.link_created(uow_for(ANNA), ANNA, meeting["id"], "invoice", deal_id)
    unseen = str(uuid.uuid4())  # a deal the deals service does not show Anna
    with pytest.raises(NotFound) as refused:
        details.link_created(uow_for(ANNA), ANNA, meeting["id"], "deal", unseen, deals=deals)
    assert refused.value.details == {"id": unseen}
    first, again = uow_for(ANNA), uow_for(ANNA)
    assert details.link_created(first, ANNA, meeting["id"], "deal", deal_id, deals=deals)["created_deal_id"] == deal_id
    details.link_created(again, ANNA, meeting["id"], "deal", deal_id, deals=deals)
    assert [data["changed"] for _, data in first.events] == [["created_deal_id"]] and again.events == []


def test_interactions_are_seen_as_row_level_access_allows(session, uow_for, register, client):
    meeting = register()
    with pytest.raises(NotFound):
        details.get(session, BORIS, meeting["id"])
    with pytest.raises(NotFound):
        status_moves.set_status(uow_for(BORIS), BORIS, meeting["id"], {"status": "cancelled"})
    assert details.get(session, ADMIN_ACTOR, meeting["id"])["id"] == meeting["id"]
    assert [i["id"] for i in history.list_by_subject(session, ANNA, "partner", client["id"])] == [meeting["id"]]
    assert history.list_by_subject(session, BORIS, "partner", client["id"]) == []


def test_a_partners_merge_repoints_subjects_and_participants(session, uow_for, register, partners, client):
    meeting = register(participants=[{"name": "Директор", "partner_id": client["id"]}])
    survivor = partners.add_partner("Остаётся", manager_id="anna")

    counts = merges.partners_merged(uow_for(PBX), {"data": {"survivor_id": survivor["id"], "merged_id": client["id"]}})

    assert counts["subjects"] == 1 and counts["interactions"] == 1
    session.expire_all()
    view = details.get(session, ANNA, meeting["id"])
    assert (view["subject_id"], view["partner_id"], view["participants"][0]["partner_id"]) == (survivor["id"],) * 3
    with pytest.raises(ValidationError):
        PARTNERS_MERGED.load({})  # a merge that names no partners never reaches the use case


def test_a_partner_contact_or_deal_the_caller_may_not_see_or_that_does_not_exist_is_not_found(
        session, uow_for, partners, deals, client):
    # Anna's client as partners' events told interactions (partner_activity): out of Boris's sight.
    last_interaction.follow_partners(session, [{
        "partner_id": client["id"], "manager_id": "anna", "region": "msk", "department": "north",
        "partner": {"short_name": "Romashka", "kinds": ["client"], "status": "active",
                    "created_at": datetime.now(UTC) - timedelta(days=90)}}])
    partners.hidden.add(client["id"])  # and partners, asked as Boris, says so too
    his = partners.add_partner("Lyutik", manager_id="boris")  # Boris's, not heard of yet: partners is asked
    nobody = str(uuid.uuid4())
    call = {"kind": "call", "subject_kind": "partner", "subject_id": his["id"], "direction": "outgoing", "region": "spb"}
    refusals = [
        ({**call, "subject_id": client["id"]}, "subject_id", client["id"]),
        ({**call, "subject_id": nobody}, "subject_id", nobody),
        ({**call, "subject_kind": "deal", "subject_id": nobody}, "subject_id", nobody),
        ({**call, "subject_kind": "deal", "subject_id": deals.add_deal(his["id"])["id"], "partner_id": client["id"]},
         "partner_id", client["id"]),
        ({**call, "participants": [{"name": "Гость"}, {"partner_id": client["id"]}]}, "participants.1.partner_id", client["id"]),
        ({**call, "participants": [{"contact_id": nobody}]}, "participants.0.contact_id", nobody),
    ]
    for payload, field, named in refusals:
        uow = uow_for(BORIS)
        with pytest.raises(NotFound) as refused:
            registration.register(uow, BORIS, payload, partners=partners, deals=deals)
        assert refused.value.details == {field: named} and uow.events == []
    assert count(session, Interaction) == 0
    # So Boris cannot take over Anna's forgotten client: it is still hers and never contacted.
    [forgotten] = agenda.forgotten_clients(session, ANNA, "anna", 30)["items"]
    assert (forgotten["partner_id"], forgotten["never_contacted"]) == (client["id"], True)
    # A contact person of another partner than the one named is refused too.
    other = partners.add_partner("Vasilek", manager_id="boris", contacts=({"name": "Ivan"},))
    with pytest.raises(ValidationError) as refused:
        registration.register(uow_for(BORIS), BORIS, {**call, "participants": [
            {"partner_id": his["id"], "contact_id": other["contacts"][0]["id"]}]}, partners=partners, deals=deals)
    assert set(refused.value.details) == {"participants.0.contact_id"}
    # Honest callers are not affected: Boris about his own partner, with its contact, Anna about hers.
    mine = registration.register(uow_for(BORIS), BORIS, {**call, "participants": [
        {"partner_id": other["id"], "contact_id": other["contacts"][0]["id"]}]}, partners=partners, deals=deals)
    assert mine["partner_id"] == his["id"]
    asked = partners.times_asked("get")
    theirs = registration.register(uow_for(ANNA), ANNA, {**call, "subject_id": client["id"], "region": "msk"},
                                   partners=partners, deals=deals)
    assert theirs["partner_id"] == client["id"] and partners.times_asked("get") == asked  # known here: not asked
