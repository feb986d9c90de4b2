"""From partners' events to the copy, from an event to its messages, from a message to a sent
letter: the use cases on SQLite in memory."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from contracts import deals as deal_events
from contracts import partners as partner_events
from crm_kit.actor import ADMIN, MANAGER, SYSTEM, Actor
from crm_kit.clock import utcnow
from crm_kit.errors import PermissionDenied, ValidationError
from services.notifications.domain import kinds
from services.notifications.domain.delivery import OUTAGE, Outcome, RetryPolicy
from services.notifications.models import Message, Template
from services.notifications.usecases import notifying, recipients, sending, staff, templates
from tests.support.usecases import count, delivered

ADMIN_ACTOR = Actor("admin-1", roles=(ADMIN,))
ANNA = Actor("anna", roles=(MANAGER,), regions=("msk",), department="north")
POLICY = RetryPolicy(base_s=1, max_s=10, max_attempts=2)


def registered(uow, *, emails, contacts=(), when=None) -> dict:
    partner_id = str(uuid.uuid4())
    partner = copy.deepcopy(partner_events.PARTNER)
    partner.update(
        id=partner_id,
        emails=emails,
        contacts=[{**copy.deepcopy(partner_events.CONTACT), "id": str(uuid.uuid4()), "partner_id": partner_id, **c} for c in contacts],
    )
    envelope = {"occurred_at": when} if when else {}
    recipients.partner_told(
        uow,
        delivered(
            partner_events.PARTNER_REGISTERED,
            {**partner_events.ABOUT, "partner_id": partner_id, "kinds": ["client"], "partner": partner},
            **envelope,
        ),
    )
    return partner


def overdue(partner_id: str) -> dict:
    return delivered(deal_events.INVOICE_OVERDUE, {**deal_events.INVOICE_OVERDUE.example, "partner_id": partner_id})


def test_an_event_makes_one_message_per_recipient_and_channel_even_through_another_door(uow_for, session):
    uow = uow_for(SYSTEM)
    partner = registered(uow, emails=[{"address": "pay@r.example", "kind": "billing"}])
    event = overdue(partner["id"])
    assert notifying.notify(uow, kinds.INVOICE_OVERDUE, event) == {"queued": 1, "failed": 0, "already": 0}
    # The inbox skips a redelivery; were it to come through anyway, the database still says no.
    assert notifying.notify(uow, kinds.INVOICE_OVERDUE, event) == {"queued": 0, "failed": 0, "already": 1}
    message = session.scalar(select(Message))
    assert (message.recipient, message.address, message.status, message.template_version) == (
        f"partner:{partner['id']}",
        "pay@r.example",
        "queued",
        1,
    )
    assert message.subject == "Счёт № СЧ-101: оплата просрочена на 3 дня"


def test_a_missing_address_is_a_visible_failure(uow_for, session):
    uow = uow_for(SYSTEM)
    partner = registered(uow, emails=[])
    notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(partner["id"]))
    assert [(m["address"], m["error"]) for m in uow.of("message_failed")] == [(None, "no email address")]
    assert session.scalar(select(Message.status)) == "failed"


def test_the_sender_sends_retries_and_fails_for_good(uow_for, session, smtp):
    uow = uow_for(SYSTEM)
    for address in ("ok@r.example", "busy@r.example", "gone@r.example"):
        notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(registered(uow, emails=[{"address": address, "kind": "billing"}])["id"]))
    smtp.replies = {"busy@r.example": Outcome("retry", "451 busy", 451), "gone@r.example": Outcome("failed", "550 gone", 550)}
    backoff = sending.OutageBackoff(POLICY)
    assert sending.send_due(uow, smtp, POLICY, backoff) == {"sent": 1, "retry": 1, "failed": 1, "outage": 0, "suppressed": 0}
    by_address = {m.address: m for m in session.scalars(select(Message))}
    assert (by_address["ok@r.example"].status, by_address["ok@r.example"].provider_id) == (
        "sent",
        f"<{by_address['ok@r.example'].id}@localhost>",
    )
    assert (by_address["busy@r.example"].status, by_address["busy@r.example"].attempts) == ("queued", 1)
    assert by_address["gone@r.example"].status == "failed"
    assert [e["address"] for e in uow.of("message_sent")] == ["ok@r.example"]
    # Not yet due: nothing goes; when due, the last attempt fails it for good.
    assert sending.send_due(uow, smtp, POLICY, backoff)["retry"] == 0
    session.execute(update(Message).values(next_attempt_at=utcnow() - timedelta(seconds=1)).where(Message.status == "queued"))
    assert sending.send_due(uow, smtp, POLICY, backoff) == {"sent": 0, "retry": 0, "failed": 1, "outage": 0, "suppressed": 0}
    assert sorted(e["address"] for e in uow.of("message_failed")) == ["busy@r.example", "gone@r.example"]
    assert len(smtp.letters) == 1


def test_an_outage_spends_no_attempt_and_a_lapsed_claim_is_taken_up_again(uow_for, session, smtp):
    uow = uow_for(SYSTEM)
    notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(registered(uow, emails=[{"address": "a@r.example", "kind": "work"}])["id"]))
    smtp.replies = {"a@r.example": Outcome(OUTAGE, "unreachable")}
    assert sending.send_due(uow, smtp, POLICY, sending.OutageBackoff(POLICY))["outage"] == 1
    message = session.scalar(select(Message))
    assert (message.status, message.attempts, message.error) == ("queued", 0, "unreachable")
    # A sender that died mid-send left it "sending": once its claim lapses, it goes again.
    session.execute(update(Message).values(status="sending", next_attempt_at=utcnow() - timedelta(seconds=1)))
    smtp.replies = {}
    assert sending.send_due(uow, smtp, POLICY, sending.OutageBackoff(POLICY))["sent"] == 1


def test_the_copy_ignores_an_older_state_and_keeps_removed_contacts_removed(uow_for):
    uow = uow_for(SYSTEM)
    partner = registered(
        uow, emails=[{"address": "new@r.example", "kind": "work"}], contacts=[{"roles": ["accountant"]}], when="2026-12-01T10:00:00+00:00"
    )
    contact = partner["contacts"][0]
    old = {**partner, "emails": [{"address": "old@r.example", "kind": "work"}]}
    applied = recipients.partner_told(
        uow,
        delivered(
            partner_events.PARTNER_UPDATED,
            {**partner_events.ABOUT, "partner_id": partner["id"], "changed": ["emails"], "partner": old},
            occurred_at="2026-11-30T10:00:00+00:00",
        ),
    )
    assert applied is False
    recipients.contact_removed(
        uow,
        delivered(
            partner_events.CONTACT_REMOVED,
            {**partner_events.ABOUT, "partner_id": partner["id"], "contact_id": contact["id"]},
            occurred_at="2026-12-02T10:00:00+00:00",
        ),
    )
    recipients.contact_told(
        uow,
        delivered(
            partner_events.CONTACT_UPDATED,
            {**partner_events.ABOUT, "partner_id": partner["id"], "contact_id": contact["id"], "contact": contact},
            occurred_at="2026-12-01T12:00:00+00:00",
        ),
    )
    copied = recipients.recipients_of(uow.session, partner["id"])
    assert copied["partner"]["emails"] == [{"address": "new@r.example", "kind": "work"}] and copied["contacts"] == []


def test_a_merged_partner_s_notices_reach_the_survivor(uow_for, session):
    uow = uow_for(SYSTEM)
    survivor = registered(uow, emails=[{"address": "survivor@r.example", "kind": "billing"}])
    merged = registered(uow, emails=[{"address": "merged@r.example", "kind": "billing"}])
    recipients.partners_merged(
        uow,
        delivered(
            partner_events.PARTNERS_MERGED,
            {
                **partner_events.ABOUT,
                "partner_id": survivor["id"],
                "survivor_id": survivor["id"],
                "merged_id": merged["id"],
                "contact_ids_moved": [],
                "partner": survivor,
            },
        ),
    )
    notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(merged["id"]))
    assert session.scalar(select(Message.address)) == "survivor@r.example"


def test_saving_a_template_adds_a_version_and_refuses_bad_ones_writing_nothing(uow_for, session):
    uow = uow_for(ADMIN_ACTOR)
    before = count(session, Template)
    draft = {
        "code": "invoice_overdue",
        "channel": "email",
        "name": "Долг",
        "variables": ["balance", "extra"],
        "subject": "Долг",
        "text": "{{ balance }} {{ nope }}",
    }
    with pytest.raises(ValidationError) as refused:
        templates.save_template(uow, ADMIN_ACTOR, draft)
    assert refused.value.details["text"] == ["unknown variable 'nope': declare it in variables"]
    assert "'extra' is not offered" in refused.value.details["variables.1"][0]
    with pytest.raises(PermissionDenied):
        templates.save_template(uow_for(ANNA), ANNA, draft)
    assert count(session, Template) == before
    saved = templates.save_template(uow, ADMIN_ACTOR, {**draft, "variables": ["balance"], "text": "{{ balance }}"})
    assert saved["version"] == 2
    assert templates.get_template(session, ANNA, {"code": "invoice_overdue"})["version"] == 2
    assert templates.preview(session, ANNA, {"code": "invoice_overdue", "version": 1})["subject"] == (
        "Счёт № СЧ-101: оплата просрочена на 3 дня"
    )


def test_staff_contacts_are_set_by_admins_and_reach_the_responsible(uow_for, session):
    with pytest.raises(PermissionDenied):
        staff.set_staff_contact(uow_for(ANNA), ANNA, "anna", {"email": "anna@crm.example"})
    with pytest.raises(ValidationError) as refused:
        staff.set_staff_contact(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, "anna", {"phone": "8916"})
    assert list(refused.value.details) == ["phone"]
    staff.set_staff_contact(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, "anna", {"email": "anna@crm.example"})
    assert staff.get_staff_contact(session, ANNA, "anna")["email"] == "anna@crm.example"
    uow = uow_for(SYSTEM)
    stuck = delivered(deal_events.DEAL_STUCK, deal_events.DEAL_STUCK.example)
    assert notifying.notify(uow, kinds.DEAL_STUCK, stuck)["queued"] == 1
    assert session.scalar(select(Message.address).where(Message.kind == "deal_stuck")) == "anna@crm.example"


def test_a_backlog_drains_in_one_tick_batch_after_batch(uow_for, session, smtp):
    uow = uow_for(SYSTEM)
    for index in range(5):
        partner = registered(uow, emails=[{"address": f"p{index}@r.example", "kind": "billing"}])
        notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(partner["id"]))
    counts = sending.send_due(uow, smtp, POLICY, sending.OutageBackoff(POLICY), batch=2)
    assert counts == {"sent": 5, "retry": 0, "failed": 0, "outage": 0, "suppressed": 0}
    assert sorted(letter.to for letter in smtp.letters) == [f"p{i}@r.example" for i in range(5)]


def test_a_kind_is_turned_off_or_bound_to_a_template_that_fits_it(uow_for, session):
    from services.notifications.usecases import notification_kinds

    uow = uow_for(ADMIN_ACTOR)
    assert [k["code"] for k in notification_kinds.list_kinds(session, ANNA)] == [
        "call_missed",
        "deal_stuck",
        "invoice_overdue",
        "reminder_due",
    ]
    templates.save_template(
        uow,
        ADMIN_ACTOR,
        {
            "code": "gentle_reminder",
            "channel": "email",
            "name": "Мягко",
            "variables": ["balance", "weather"],
            "subject": "Долг",
            "text": "{{ balance }}",
        },
    )
    with pytest.raises(ValidationError) as refused:
        notification_kinds.set_kind(uow, ADMIN_ACTOR, "invoice_overdue", {"template_code": "gentle_reminder"})
    assert "declares weather" in refused.value.details["template_code"][0]
    with pytest.raises(PermissionDenied):
        notification_kinds.set_kind(uow_for(ANNA), ANNA, "invoice_overdue", {"enabled": False})
    assert notification_kinds.set_kind(uow, ADMIN_ACTOR, "invoice_overdue", {"enabled": False})["enabled"] is False
    partner = registered(uow, emails=[{"address": "pay@r.example", "kind": "billing"}])
    assert notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(partner["id"]))["queued"] == 0


def test_the_card_shows_the_client_s_last_messages_to_those_who_see_the_client(uow_for, session, smtp):
    from services.notifications.usecases import messages

    uow = uow_for(SYSTEM)
    partner = registered(uow, emails=[{"address": "pay@r.example", "kind": "billing"}])  # Anna's, msk
    notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(partner["id"]))
    sending.send_due(uow, smtp, POLICY, sending.OutageBackoff(POLICY))
    notifying.notify(uow, kinds.INVOICE_OVERDUE, overdue(partner["id"]))
    section = messages.card_section(session, ANNA, partner["id"])
    assert [m["status"] for m in section["last_messages"]] == ["queued", "sent"]
    assert (section["queued"], section["sent"], section["failed"]) == (1, 1, 0)
    boris = Actor("boris", roles=(MANAGER,), regions=("spb",), department="south")
    assert messages.card_section(session, boris, partner["id"])["last_messages"] == []


def test_a_staff_message_is_its_user_s_even_when_others_see_its_client(uow_for, session):
    from services.notifications.usecases import messages

    staff.set_staff_contact(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, "anna", {"email": "anna@crm.example"})
    uow = uow_for(SYSTEM)
    partner = registered(uow, emails=[])  # Anna's client in msk
    stuck = delivered(deal_events.DEAL_STUCK, {**deal_events.DEAL_STUCK.example, "partner_id": partner["id"]})
    notifying.notify(uow, kinds.DEAL_STUCK, stuck)
    colleague = Actor("vera", roles=(MANAGER,), regions=("msk",), department="north")
    assert [m["kind"] for m in messages.list_messages(session, ANNA, {})["items"]] == ["deal_stuck"]
    assert messages.list_messages(session, colleague, {"partner_id": partner["id"]})["items"] == []
