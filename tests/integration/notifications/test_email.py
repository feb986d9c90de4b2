"""Notifications end to end through real RabbitMQ, PostgreSQL and an SMTP server on loopback:
partners' events feed the recipients copy, an ``invoice_overdue`` event becomes one email,
redelivered it stays one, an SMTP outage loses nothing, a 5xx is final."""

from __future__ import annotations

import copy
import uuid

import pytest
from sqlalchemy import text

from contracts import deals as deal_events
from contracts import interactions as interaction_events
from contracts import notifications as notification_events
from contracts import partners as partner_events
from crm_kit.errors import PermissionDenied, ValidationError
from tests.integration.notifications.conftest import ADMIN, ANNA
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def new_partner(publish, *, emails, contacts=()) -> dict:
    """A partner registered at the partners service (its event published), answering its view."""
    partner_id = str(uuid.uuid4())
    partner = copy.deepcopy(partner_events.PARTNER)
    partner.update(
        id=partner_id,
        short_name=f"Ромашка {partner_id[:6]}",
        emails=emails,
        contacts=[
            {**copy.deepcopy(partner_events.CONTACT), "id": str(uuid.uuid4()), "partner_id": partner_id, **contact} for contact in contacts
        ],
    )
    publish(partner_events.PARTNER_REGISTERED, {**partner_events.ABOUT, "partner_id": partner_id, "kinds": ["client"], "partner": partner})
    return partner


def overdue(partner_id: str, **fields) -> dict:
    return {
        **deal_events.INVOICE_OVERDUE.example,
        "partner_id": partner_id,
        "invoice_id": str(uuid.uuid4()),
        "number": f"СЧ-{uuid.uuid4().hex[:5]}",
        **fields,
    }


def messages(call, **filters) -> list[dict]:
    return call(ADMIN).notifications.list_messages(filters)["items"]


def copied(call, partner_id: str):
    return lambda: call(ADMIN).notifications.recipients_of(partner_id)["partner"]


def test_invoice_overdue_becomes_one_email_to_the_accountant_even_when_redelivered(
    call, publish, smtp_server, outbox, notifications_service
):
    partner = new_partner(
        publish,
        emails=[{"address": "info@romashka.example", "kind": "work"}],
        contacts=[
            {"full_name": "Мария Бухгалтерова", "roles": ["accountant"], "emails": [{"address": "buh@romashka.example", "kind": "work"}]},
        ],
    )
    eventually(copied(call, partner["id"]))
    data = overdue(partner["id"], amount="150000.00", balance="100000.00", days_overdue=3)
    envelope = publish(deal_events.INVOICE_OVERDUE, data)

    letters = eventually(lambda: smtp_server.letters_to("buh@romashka.example"))
    assert len(letters) == 1
    letter = letters[0]
    assert letter["Subject"] == f"Счёт № {data['number']}: оплата просрочена на 3 дня"
    body = letter.get_body(("plain",)).get_content()
    assert "Здравствуйте, Мария Бухгалтерова!" in body
    assert "100\xa0000,00\xa0₽" in body and "150\xa0000,00\xa0₽" in body
    assert "<b>100\xa0000,00\xa0₽</b>" in letter.get_body(("html",)).get_content()

    sent = eventually(lambda: [m for m in messages(call, partner_id=partner["id"]) if m["status"] == "sent"])
    assert [(m["kind"], m["address"], m["attempts"], m["provider_id"]) for m in sent] == [
        ("invoice_overdue", "buh@romashka.example", 1, letter["Message-ID"])
    ]
    assert eventually(lambda: [e for e in outbox("message_sent") if e["message_id"] == sent[0]["id"]])[0]["partner_id"] == partner["id"]

    # The same event again (a redelivery), and then a later event, as a fence: once the later
    # one is sent, the redelivered one has long been taken, and made nothing.
    publish(deal_events.INVOICE_OVERDUE, envelope=envelope)
    fence = publish(deal_events.INVOICE_OVERDUE, overdue(partner["id"]))
    eventually(
        lambda: [m for m in messages(call, partner_id=partner["id"]) if m["event_id"] == fence["event_id"] and m["status"] == "sent"]
    )
    assert len(smtp_server.letters_to("buh@romashka.example")) == 2
    assert len([m for m in messages(call, partner_id=partner["id"]) if m["event_id"] == envelope["event_id"]]) == 1
    assert 'crm_notification_messages_total{channel="email",outcome="sent"}' in notifications_service.metrics()


def test_smtp_server_down_then_up_delivers_everything(call, publish, smtp_server, notifications_db):
    partner = new_partner(publish, emails=[{"address": "billing-outage@romashka.example", "kind": "billing"}])
    eventually(copied(call, partner["id"]))
    smtp_server.stop()
    try:
        published = [publish(deal_events.INVOICE_OVERDUE, overdue(partner["id"])) for _ in range(3)]

        def waiting_out_the_outage():
            rows = messages(call, partner_id=partner["id"])
            return len(rows) == 3 and all(m["status"] in ("queued", "sending") and m["error"] for m in rows) and rows

        rows = eventually(waiting_out_the_outage)
        assert all(m["attempts"] == 0 and "unreachable" in m["error"] for m in rows)
    finally:
        smtp_server.start()
    letters = eventually(
        lambda: (
            len(smtp_server.letters_to("billing-outage@romashka.example")) == 3
            and smtp_server.letters_to("billing-outage@romashka.example")
        )
    )
    assert sorted(letter["Subject"] for letter in letters) == sorted(
        f"Счёт № {e['data']['number']}: оплата просрочена на 3 дня" for e in published
    )
    rows = eventually(
        lambda: all(m["status"] == "sent" for m in messages(call, partner_id=partner["id"])) and messages(call, partner_id=partner["id"])
    )
    assert {m["attempts"] for m in rows} == {1}


def test_a_permanent_refusal_is_final_and_a_temporary_one_gives_up_after_the_last_attempt(call, publish, smtp_server, outbox):
    rejected = new_partner(publish, emails=[{"address": "reject-me@romashka.example", "kind": "billing"}])
    busy = new_partner(publish, emails=[{"address": "busy-always@romashka.example", "kind": "billing"}])
    eventually(copied(call, rejected["id"]))
    eventually(copied(call, busy["id"]))
    publish(deal_events.INVOICE_OVERDUE, overdue(rejected["id"]))
    publish(deal_events.INVOICE_OVERDUE, overdue(busy["id"]))

    failed = eventually(lambda: [m for m in messages(call, partner_id=rejected["id"]) if m["status"] == "bounced"])
    assert failed[0]["attempts"] == 1 and failed[0]["error"].startswith("550")
    given_up = eventually(lambda: [m for m in messages(call, partner_id=busy["id"]) if m["status"] == "failed"])
    assert given_up[0]["attempts"] == 3 and given_up[0]["error"].startswith("451")  # NOTIFICATIONS_MAX_ATTEMPTS
    events = eventually(lambda: {e["message_id"]: e for e in outbox("message_failed")})
    assert events[failed[0]["id"]]["error"].startswith("550")
    assert smtp_server.letters_to("reject-me@romashka.example") == []
    # Final: the sender leaves them alone.
    assert call(ADMIN).notifications.get_message(failed[0]["id"])["attempts"] == 1


def test_a_client_without_email_gets_a_visible_failed_message(call, publish, outbox):
    partner = new_partner(publish, emails=[])
    eventually(copied(call, partner["id"]))
    publish(deal_events.INVOICE_OVERDUE, overdue(partner["id"]))
    failed = eventually(lambda: messages(call, partner_id=partner["id"]))
    assert (failed[0]["status"], failed[0]["address"], failed[0]["error"]) == ("failed", None, "no email address")
    assert eventually(lambda: [e for e in outbox("message_failed") if e["message_id"] == failed[0]["id"]])


def test_a_reminder_reaches_the_responsible_user_at_the_address_an_admin_set(call, publish, smtp_server):
    with pytest.raises(PermissionDenied):
        call(ANNA).notifications.set_staff_contact("anna", {"email": "anna@crm.example"})
    with pytest.raises(ValidationError) as refused:
        call(ADMIN).notifications.set_staff_contact("anna", {"email": "not an email"})
    assert "email" in refused.value.details
    call(ADMIN).notifications.set_staff_contact("anna", {"email": "anna@crm.example", "full_name": "Анна"})
    publish(
        interaction_events.REMINDER_DUE,
        {**interaction_events.REMINDER_DUE.example, "interaction_id": str(uuid.uuid4()), "title": "Встреча у клиента"},
    )
    letters = eventually(lambda: smtp_server.letters_to("anna@crm.example"))
    assert letters[0]["Subject"].startswith("Напоминание: Встреча у клиента")
    assert "Анна, напоминаем: Встреча у клиента" in letters[0].get_body(("plain",)).get_content()


def handled(engine, event_id: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id}).scalar_one())


def test_the_copy_follows_partners_events_in_any_order(call, publish, notifications_db):
    partner = new_partner(publish, emails=[{"address": "old@romashka.example", "kind": "work"}])
    eventually(copied(call, partner["id"]))
    newer = {**partner, "emails": [{"address": "new@romashka.example", "kind": "billing"}]}
    later = publish(
        partner_events.PARTNER_UPDATED, {**partner_events.ABOUT, "partner_id": partner["id"], "changed": ["emails"], "partner": newer}
    )
    eventually(lambda: copied(call, partner["id"])()["emails"][0]["address"] == "new@romashka.example")
    # An older update arriving late changes nothing.
    stale = publish(
        partner_events.PARTNER_UPDATED,
        envelope={
            **later,
            "event_id": str(uuid.uuid4()),
            "occurred_at": "2020-01-01T00:00:00+00:00",
            "data": {**later["data"], "partner": partner},
        },
    )
    eventually(lambda: handled(notifications_db, stale["event_id"]))
    assert copied(call, partner["id"])()["emails"][0]["address"] == "new@romashka.example"
    publish(partner_events.PARTNER_REASSIGNED, {**partner_events.PARTNER_REASSIGNED.example, "partner_id": partner["id"]})
    eventually(lambda: copied(call, partner["id"])()["manager_id"] == "boris")


def test_templates_refuse_unknown_variables_and_preview(call, notifications_db):
    with notifications_db.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM templates")).scalar_one()
    with pytest.raises(ValidationError) as refused:
        call(ADMIN).notifications.save_template(
            {
                "code": "invoice_overdue",
                "channel": "email",
                "name": "Долг",
                "variables": ["balance", "currency"],
                "subject": "Долг {{ balance | money(currency) }}",
                "text": "Оплатите до {{ deadline }}",
            }
        )
    assert refused.value.details == {"text": ["unknown variable 'deadline': declare it in variables"]}
    with notifications_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM templates")).scalar_one() == before
    saved = call(ADMIN).notifications.save_template(
        {
            "code": "invoice_overdue",
            "channel": "email",
            "name": "Долг",
            "variables": ["balance", "currency", "days_overdue"],
            "subject": "Долг в {{ currency }}",
            "text": "Просрочка {{ days_overdue }} {{ days_overdue | plural('день', 'дня', 'дней') }}",
            "html": "<p>{{ balance }}</p>",
        }
    )
    assert saved["version"] >= 2
    preview = call(ANNA).notifications.preview(
        {"code": "invoice_overdue", "variables": {"balance": "<b>1500.5</b>", "currency": "RUB", "days_overdue": 21}}
    )
    assert preview["text"] == "Просрочка 21 день" and preview["html"] == "<p>&lt;b&gt;1500.5&lt;/b&gt;</p>"
    with pytest.raises(ValidationError) as missing:
        call(ANNA).notifications.preview({"code": "invoice_overdue", "variables": {"balance": "1"}})
    assert set(missing.value.details) == {"variables.currency", "variables.days_overdue"}
    # Put the default back for the other tests (a newer version of the shipped text).
    shipped = call(ADMIN).notifications.get_template({"code": "invoice_overdue", "version": 1})
    call(ADMIN).notifications.save_template(
        {key: shipped[key] for key in ("code", "channel", "name", "variables", "subject", "text", "html")}
    )


def test_message_events_keep_their_contract(outbox):
    for event in outbox("message_sent"):
        notification_events.MESSAGE_SENT.check(event)


def test_a_client_registered_before_notifications_ran_is_known_from_the_partners_replay(
    call, publish, smtp_server, partner_before_notifications
):
    partner_id = partner_before_notifications["id"]
    copied_partner = eventually(copied(call, partner_id))
    assert copied_partner["short_name"] == partner_before_notifications["short_name"]
    publish(deal_events.INVOICE_OVERDUE, overdue(partner_id))
    letters = eventually(lambda: smtp_server.letters_to("olga@old-client.example"))
    assert "Здравствуйте, Ольга Счетоводова!" in letters[0].get_body(("plain",)).get_content()
    assert smtp_server.letters_to("office@old-client.example") == []
