"""The interactions service through real RabbitMQ and PostgreSQL, in its own process, asking the
real partners service about phone numbers and hearing its merges."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationError
from tests.integration.interactions.conftest import ADMIN, ANNA, BORIS
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def tag() -> str:
    return uuid.uuid4().hex[:8]


def phone() -> str:
    return "+7916" + "".join(random.choice("0123456789") for _ in range(7))


def at(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def register_partner(call, actor=ANNA, name=None, **extra) -> dict:
    payload = {"kinds": ["client"], "legal_form": "legal_entity", "short_name": name or f"Контакты {tag()}",
               "region": "msk", **extra}
    return call(actor).partners.register(payload, {"duplicate_policy": "skip"})["partner"]


def register(call, actor=ANNA, **fields) -> dict:
    """An interaction about a partner (a new one of the actor's unless ``subject_id`` names one:
    a write names only partners that exist for its caller)."""
    if "subject_id" not in fields:
        fields["subject_id"] = register_partner(call, actor)["id"]
    interaction = {"kind": "call", "direction": "incoming", "subject_kind": "partner", "region": "msk", **fields}
    return call(actor).interactions.register(interaction)


def refused(exc_type, fn, *args):
    with pytest.raises(exc_type) as caught:
        fn(*args)
    return caught.value


def count_rows(interactions_db, table: str) -> int:
    with interactions_db.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_meeting_is_planned_then_completed_with_events(call, listener):
    partner_id = register_partner(call)["id"]
    meeting = register(call, kind="meeting", direction=None, subject_id=partner_id, title="Знакомство",
                       planned_at=at(days=2), place="Офис клиента", participants=[{"name": "Иван", "phone": "+7 916 000 00 01"}])
    assert (meeting["status"], meeting["responsible_id"], meeting["partner_id"]) == ("planned", "anna", partner_id)
    assert meeting["chain_id"] == meeting["id"] and meeting["participants"][0]["linked_by"] is None

    ixs = call(ANNA).interactions
    assert ixs.set_status(meeting["id"], {"status": "in_progress"})["status"] == "in_progress"
    done = ixs.complete(meeting["id"], "Договорились о поставке")
    assert done["status"] == "done" and done["outcome"] == "Договорились о поставке" and done["completed_at"]
    error = refused(PreconditionFailed, ixs.set_status, meeting["id"], {"status": "planned"})
    assert error.details["allowed"] == []

    registered = eventually(lambda: listener.heard("interaction_registered", interaction_id=meeting["id"]), what="registered")
    assert registered[0]["data"]["kind"] == "meeting" and registered[0]["data"]["subject_id"] == partner_id
    completed = eventually(lambda: listener.heard("interaction_completed", interaction_id=meeting["id"]), what="completed")
    assert len(completed) == 1 and completed[0]["data"]["outcome"] == "Договорились о поставке"
    assert eventually(lambda: listener.heard("interaction_updated", interaction_id=meeting["id"]), what="updated")


def test_call_and_email_are_done_when_registered(call, outbox):
    phone_call = register(call, from_number="+79160000002", to_number="101", duration_s=95,
                          recording_url="https://pbx.example/rec/1.mp3")
    assert phone_call["status"] == "done" and phone_call["duration_s"] == 95
    email = register(call, kind="email", direction=None, email_subject="Счёт", body="Во вложении",
                     email_from="sales@example.com", email_to=["client@example.com"], thread_id="t-1")
    assert email["status"] == "done" and email["email_to"] == ["client@example.com"]
    completed = [e for e in outbox("interaction_completed") if e["interaction_id"] in (phone_call["id"], email["id"])]
    assert len(completed) == 2


def test_chain_lists_replies_in_order(call):
    subject = register_partner(call)["id"]
    first = register(call, kind="email", direction=None, subject_id=subject, email_subject="Вопрос",
                     email_from="c@example.com", email_to=["m@example.com"])
    second = register(call, kind="email", direction=None, subject_id=subject, reply_to_id=first["id"],
                      email_subject="Re: Вопрос", email_from="m@example.com", email_to=["c@example.com"])
    third = register(call, subject_id=subject, reply_to_id=second["id"])
    other = register(call, subject_id=subject)
    ixs = call(ANNA).interactions
    chain = ixs.list_chain(third["id"])
    assert [i["id"] for i in chain] == [first["id"], second["id"], third["id"]]
    assert {i["chain_id"] for i in chain} == {first["id"]} and chain[2]["reply_to_id"] == second["id"]
    by_subject = ixs.list_by_subject("partner", subject)
    assert [i["id"] for i in by_subject] == [first["id"], second["id"], third["id"], other["id"]]
    error = refused(ValidationError, ixs.register, {"kind": "call", "direction": "outgoing", "subject_kind": "deal",
                                                    "subject_id": str(uuid.uuid4()), "reply_to_id": first["id"]})
    assert "reply_to_id" in error.details


def test_follow_up_keeps_the_link_and_created_things_are_linked(call, listener, deals_service):
    partner = register_partner(call, contacts=[{"full_name": "Новый контакт"}])
    origin = register(call, subject_id=partner["id"])
    ixs = call(ANNA).interactions
    follow = ixs.follow_up(origin["id"], {"title": "Перезвонить", "planned_at": at(days=1)})
    assert (follow["follow_up_of_id"], follow["reply_to_id"], follow["chain_id"]) == (origin["id"], origin["id"], origin["id"])
    assert follow["status"] == "planned" and follow["subject_id"] == origin["subject_id"]
    deal_id = call(ANNA).deals.open_deal({"title": f"Из звонка {tag()}", "partner_id": partner["id"]})["id"]
    contact_id = partner["contacts"][0]["id"]
    ixs.link_created(origin["id"], "deal", deal_id)
    linked = ixs.link_created(origin["id"], "contact", contact_id)
    assert (linked["created_deal_id"], linked["created_contact_id"], linked["created_claim_id"]) == (deal_id, contact_id, None)
    assert "kind" in refused(ValidationError, ixs.link_created, origin["id"], "invoice", deal_id).details
    assert "id" in refused(ValidationError, ixs.link_created, origin["id"], "claim", "nope").details


def test_participants_are_linked_by_phone_or_email_through_partners(call, listener, partners_service):
    number = phone()
    partner = register_partner(call, phones=[{"number": number}])
    domain = f"writer-{tag()}.ru"
    writer = register_partner(call, contacts=[{"full_name": "Пишущий", "emails": [{"address": f"boss@{domain}"}]}])
    interaction = register(call, participants=[
        {"name": "Звонивший", "phone": number[:2] + " (" + number[2:5] + ") " + number[5:]},
        {"name": "Незнакомец", "phone": phone()},
        {"name": "Коллега", "user_id": "boris"},
        {"email": "only@example.com"},
        {"name": "Письмо", "email": f"Boss@{domain.upper()}"},
    ])
    result = call(ANNA).interactions.link_participants(interaction["id"])
    assert result["partners_available"] is True
    assert [(p["partner_id"], p["linked_by"]) for p in result["linked"]] == [(partner["id"], "phone"), (writer["id"], "email")]
    assert result["linked"][1]["contact_id"] == writer["contacts"][0]["id"]
    assert {p["name"] for p in result["unlinked"]} == {"Незнакомец", None}
    event = eventually(lambda: listener.heard("participants_linked", interaction_id=interaction["id"]), what="participants_linked")
    assert event[0]["data"]["linked"][0]["partner_id"] == partner["id"]

    # Linked by hand.
    stranger = next(p for p in result["unlinked"] if p["name"] == "Незнакомец")
    by_hand = call(ANNA).interactions.link_participant(stranger["id"], {"contact_id": writer["contacts"][0]["id"]})
    assert by_hand["linked_by"] == "hand"


def test_without_the_partners_service_participants_stay_unlinked(call, partners_service, interactions_db):
    interaction = register(call, participants=[{"name": "Кто-то", "phone": phone()}])
    partners_service.stop()
    try:
        result = call(ANNA).interactions.link_participants(interaction["id"])
    finally:
        partners_service.start()
    assert result["partners_available"] is False and result["linked"] == []
    assert [p["name"] for p in result["unlinked"]] == ["Кто-то"]


def test_reminders_fire_once(call, listener, outbox):
    due = register(call, kind="planned", direction=None, planned_at=at(hours=1), remind_at=at(minutes=-5))
    later = register(call, kind="planned", direction=None, planned_at=at(days=3), remind_at=at(days=2))
    cancelled = register(call, kind="planned", direction=None, planned_at=at(hours=1), remind_at=at(minutes=-5))
    call(ANNA).interactions.set_status(cancelled["id"], {"status": "cancelled"})

    assert "required_roles" in refused(PermissionDenied, call(ANNA).interactions.run_reminder_scan).details
    admin = call(ADMIN).interactions
    assert admin.run_reminder_scan()["raised"] >= 1
    assert admin.run_reminder_scan()["raised"] == 0
    raised = [e["interaction_id"] for e in outbox("reminder_due")]
    assert raised.count(due["id"]) == 1 and later["id"] not in raised and cancelled["id"] not in raised
    heard = eventually(lambda: listener.heard("reminder_due", interaction_id=due["id"]), what="reminder_due")
    assert len(heard) == 1 and heard[0]["data"]["responsible_id"] == "anna"
    assert call(ANNA).interactions.get(due["id"])["reminded_at"]

    # Moving the reminder arms it again; a scan as of later raises the later one.
    call(ANNA).interactions.update(due["id"], {"remind_at": at(minutes=-1)})
    admin.run_reminder_scan(at(days=2, minutes=1))
    raised = [e["interaction_id"] for e in outbox("reminder_due")]
    assert raised.count(due["id"]) == 2 and raised.count(later["id"]) == 1


def test_calendar_and_overdue(call):
    user = f"cal-{tag()}"
    admin = call(ADMIN).interactions
    base = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    monday = register(call, ADMIN, kind="meeting", direction=None, responsible_id=user, planned_at=base.isoformat(),
                      place="Офис")
    tuesday = register(call, ADMIN, kind="planned", direction=None, responsible_id=user,
                       planned_at=(base + timedelta(days=1, hours=-2)).isoformat())
    register(call, ADMIN, kind="planned", direction=None, responsible_id=user,
             planned_at=(base + timedelta(days=10)).isoformat())
    done = register(call, ADMIN, kind="planned", direction=None, responsible_id=user,
                    planned_at=(base + timedelta(hours=1)).isoformat())
    admin.complete(done["id"], "ok")

    week = admin.calendar({"user_id": user, "date_from": "2026-03-09", "date_to": "2026-03-15"})
    assert [i["id"] for i in week["items"]] == [monday["id"], done["id"], tuesday["id"]]
    assert "date_to" in refused(ValidationError, admin.calendar,
                                {"user_id": user, "date_from": "2026-03-15", "date_to": "2026-03-09"}).details

    overdue = admin.overdue(user, (base + timedelta(days=2)).isoformat())
    assert [i["id"] for i in overdue["items"]] == [monday["id"], tuesday["id"]]
    assert admin.overdue(user, (base - timedelta(days=1)).isoformat())["items"] == []


def test_forgotten_clients_per_manager(call):
    forgotten, recent = register_partner(call)["id"], register_partner(call)["id"]
    register(call, subject_id=forgotten, occurred_at=at(days=-60))
    register(call, subject_id=recent, occurred_at=at(days=-60))
    register(call, subject_id=recent, occurred_at=at(days=-2))
    # A planned interaction is not being in touch.
    register(call, kind="planned", direction=None, subject_id=forgotten, planned_at=at(days=1))

    result = call(ANNA).interactions.forgotten_clients("anna", 30)
    partners = [item["partner_id"] for item in result["items"]]
    assert forgotten in partners and recent not in partners
    assert next(i for i in result["items"] if i["partner_id"] == forgotten)["days_since"] >= 59
    assert call(BORIS).interactions.forgotten_clients("anna", 30)["items"] == []
    assert "days" in refused(ValidationError, call(ANNA).interactions.forgotten_clients, "anna", 0).details


def test_card_section(call):
    partner_id = register_partner(call)["id"]
    happened = [register(call, subject_id=partner_id) for _ in range(6)]
    planned = register(call, kind="planned", direction=None, subject_id=partner_id, planned_at=at(days=1))
    card = call(ANNA).interactions.card_section(partner_id)
    assert [i["id"] for i in card["last_interactions"]] == [i["id"] for i in reversed(happened[1:])]
    assert [i["id"] for i in card["upcoming"]] == [planned["id"]] and card["open_tasks"] == []
    assert call(BORIS).interactions.card_section(partner_id) == {
        "partner_id": partner_id, "last_interactions": [], "upcoming": [], "open_tasks": [],
    }


def test_bad_input_is_refused_with_field_names_and_nothing_written(call, interactions_db):
    before = (count_rows(interactions_db, "interactions"), count_rows(interactions_db, "participants"),
              count_rows(interactions_db, "outbox"))
    ixs = call(ANNA).interactions
    error = refused(ValidationError, ixs.register, {
        "kind": "meeting", "subject_kind": "supplier", "subject_id": "not-an-id", "direction": "incoming",
        "email_to": ["bad"], "duration_s": -1, "remind_at": "tomorrow",
        "participants": [{"email": "nope"}, {}],
    })
    assert {"subject_kind", "subject_id", "planned_at", "place", "direction", "email_to.0", "duration_s",
            "remind_at", "participants.0.email", "participants.1.name"} <= set(error.details)
    error = refused(ValidationError, ixs.register, {"kind": "email", "subject_kind": "deal",
                                                    "subject_id": str(uuid.uuid4())})
    assert {"email_subject", "email_from", "email_to"} <= set(error.details)
    assert "kind" in refused(ValidationError, ixs.register, {"kind": "fax", "subject_kind": "deal",
                                                             "subject_id": str(uuid.uuid4())}).details
    assert "interaction_id" in refused(ValidationError, ixs.get, "42").details
    assert "changes" in refused(ValidationError, ixs.update, str(uuid.uuid4()), {}).details
    after = (count_rows(interactions_db, "interactions"), count_rows(interactions_db, "participants"),
             count_rows(interactions_db, "outbox"))
    assert after == before


def test_another_manager_gets_not_found(call):
    mine = register(call, kind="planned", direction=None, planned_at=at(days=1), participants=[{"name": "X"}])
    boris = call(BORIS).interactions
    refused(NotFound, boris.get, mine["id"])
    refused(NotFound, boris.update, mine["id"], {"title": "mine now"})
    refused(NotFound, boris.set_status, mine["id"], {"status": "cancelled"})
    refused(NotFound, boris.list_chain, mine["id"])
    refused(NotFound, boris.follow_up, mine["id"], {"planned_at": at(days=2)})
    refused(NotFound, boris.link_participants, mine["id"])
    refused(NotFound, boris.link_participant, mine["participants"][0]["id"], {"user_id": "boris"})
    assert boris.list_by_subject("partner", mine["subject_id"]) == []
    assert boris.calendar({"user_id": "anna", "date_from": at()[:10], "date_to": at(days=3)[:10]})["items"] == []
    his = register_partner(call, BORIS, region="spb")
    refused(PermissionDenied, boris.register, {"kind": "call", "direction": "incoming", "subject_kind": "partner",
                                               "subject_id": his["id"], "responsible_id": "anna"})
    assert call(ANNA).interactions.get(mine["id"])["status"] == "planned"


def test_partners_merged_repoints_subjects_and_participants(call, listener):
    survivor = register_partner(call, name=f"Остаётся {tag()}")
    merged = register_partner(call, name=f"Уходит {tag()}")
    interaction = register(call, subject_id=merged["id"], occurred_at=at(days=-40),
                           participants=[{"name": "Директор", "partner_id": merged["id"]}])
    call(ANNA).partners.merge({"survivor_id": survivor["id"], "merged_id": merged["id"]})
    repointed = eventually(
        lambda: (view := call(ANNA).interactions.get(interaction["id"]))["subject_id"] == survivor["id"] and view,
        what="the interaction to name the survivor",
    )
    assert repointed["partner_id"] == survivor["id"] and repointed["participants"][0]["partner_id"] == survivor["id"]
    forgotten = [i["partner_id"] for i in call(ANNA).interactions.forgotten_clients("anna", 30)["items"]]
    assert survivor["id"] in forgotten and merged["id"] not in forgotten


def test_writes_naming_what_the_caller_may_not_see_are_not_found_and_write_nothing(call, interactions_db, deals_service):
    annas = register_partner(call, contacts=[{"full_name": "Пётр Аннин"}])
    contact = annas["contacts"][0]["id"]
    deal = call(ANNA).deals.open_deal({"title": f"Аннина {tag()}", "partner_id": annas["id"]})
    his = register_partner(call, BORIS, region="spb")
    mine = register(call, BORIS, subject_id=his["id"], region="spb", participants=[{"name": "Кто-то"}])
    nobody = str(uuid.uuid4())
    # Interactions has heard of Anna's partner (partner_registered): checked here, no call.
    eventually(lambda: heard_of(interactions_db, annas["id"]), what="partner_registered followed")
    boris = call(BORIS).interactions
    base = {"kind": "call", "direction": "outgoing", "subject_kind": "partner", "subject_id": his["id"], "region": "spb"}
    before = (count_rows(interactions_db, "interactions"), count_rows(interactions_db, "participants"),
              count_rows(interactions_db, "outbox"))
    for payload, field, named in (
        ({**base, "subject_id": annas["id"]}, "subject_id", annas["id"]),
        ({**base, "subject_id": nobody}, "subject_id", nobody),
        ({**base, "subject_kind": "deal", "subject_id": deal["id"]}, "subject_id", deal["id"]),
        ({**base, "subject_kind": "deal", "subject_id": nobody}, "subject_id", nobody),
        ({**base, "participants": [{"partner_id": annas["id"]}]}, "participants.0.partner_id", annas["id"]),
        ({**base, "participants": [{"name": "Гость"}, {"contact_id": contact}]}, "participants.1.contact_id", contact),
    ):
        error = refused(NotFound, boris.register, payload)
        assert error.details == {field: named}, payload
        assert "Аннин" not in error.message  # nothing told of what is hidden
    assert refused(NotFound, boris.add_participant, mine["id"], {"partner_id": annas["id"]}).details == {"partner_id": annas["id"]}
    assert refused(NotFound, boris.link_participant, mine["participants"][0]["id"],
                   {"contact_id": contact}).details == {"contact_id": contact}
    assert refused(NotFound, boris.link_created, mine["id"], "deal", deal["id"]).details == {"id": deal["id"]}
    assert refused(NotFound, boris.link_created, mine["id"], "contact", contact).details == {"id": contact}
    # Nothing was written: no interaction, no participant, no event; Anna's client was not touched
    # (Boris did not become its last contact nor take over its forgotten-clients entry).
    after = (count_rows(interactions_db, "interactions"), count_rows(interactions_db, "participants"),
             count_rows(interactions_db, "outbox"))
    assert after == before
    with interactions_db.connect() as conn:
        touched = conn.execute(text("SELECT last_interaction_at FROM partner_activity WHERE partner_id = :id"),
                               {"id": annas["id"]}).scalar_one()
    assert touched is None
    # Honest callers are not affected: Anna names her partner, its contact and its deal.
    done = register(call, subject_id=annas["id"], participants=[{"partner_id": annas["id"], "contact_id": contact}])
    assert call(ANNA).interactions.link_created(done["id"], "deal", deal["id"])["created_deal_id"] == deal["id"]
    about_deal = register(call, subject_kind="deal", subject_id=deal["id"], partner_id=annas["id"])
    assert about_deal["partner_id"] == annas["id"]


def heard_of(interactions_db, partner_id: str) -> bool:
    """Whether interactions has followed the partner's partner_registered (partner_activity)."""
    with interactions_db.connect() as conn:
        return conn.execute(text("SELECT partner_name IS NOT NULL FROM partner_activity WHERE partner_id = :id"),
                            {"id": partner_id}).scalar() is True
