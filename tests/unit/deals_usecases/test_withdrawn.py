"""Documents that can be withdrawn: an invoice cancelled with a reason is never overdue and never a
debt; offers expire at valid_until (a scan, once per offer); deal tasks are listed per
responsible and as overdue across deals, as the caller may see them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_kit.actor import SYSTEM
from crm_kit.errors import PreconditionFailed, ValidationError
from services.deals.usecases import card, invoices, offers, scans, work
from tests.unit.deals_usecases.conftest import ADMIN_ACTOR, ANNA, BORIS, HEAD_NORTH, TODAY, day

LINE = {"product": "Стол", "quantity": "1", "price": "1000"}


def late_invoice(uow_for, deal, number: str = "С-1") -> dict:
    return invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {
        "number": number, "amount": "100", "issued_on": day(-30), "due_date": day(-5)})


def test_a_cancelled_invoice_is_never_overdue_nor_a_debt(session, uow_for, open_deal):
    deal = open_deal()
    invoice = late_invoice(uow_for, deal)
    uow = uow_for(ANNA)

    cancelled = invoices.cancel_invoice(uow, ANNA, invoice["id"], {"reason": " issued by mistake "})

    assert (cancelled["status"], cancelled["overdue"], cancelled["days_overdue"], cancelled["cancel_reason"],
            cancelled["cancelled_by"]) == ("cancelled", False, 0, "issued by mistake", "anna")
    [(kind, data)] = uow.events
    assert kind == "invoice_cancelled" and (data["reason"], data["was_overdue"], data["number"]) == (
        "issued by mistake", False, "С-1")
    scan = uow_for(SYSTEM)
    assert scans.scan_overdue(scan, TODAY)["raised"] == 0 and scan.events == []
    section = card.card_section(session, ANNA, deal["partner_id"])
    assert (section["invoices_owed"], section["overdue_invoices"]) == ("0.00", 0)
    assert invoices.list_invoices(session, ANNA, {"deal_id": deal["id"], "overdue_only": True})["items"] == []
    again = uow_for(ANNA)
    assert invoices.cancel_invoice(again, ANNA, invoice["id"], {"reason": "again"})["cancel_reason"] == "issued by mistake"
    assert again.events == []
    with pytest.raises(PreconditionFailed):
        invoices.record_payment(uow_for(ANNA), ANNA, invoice["id"], {"amount": "1", "paid_on": day(0), "external_id": "b"})


def test_cancelling_needs_a_reason_and_no_payments(uow_for, open_deal):
    deal = open_deal()
    invoice = late_invoice(uow_for, deal)
    with pytest.raises(ValidationError) as refused:
        invoices.cancel_invoice(uow_for(ANNA), ANNA, invoice["id"], {"reason": "  "})
    assert "reason" in refused.value.details
    invoices.record_payment(uow_for(ANNA), ANNA, invoice["id"], {"amount": "10", "paid_on": day(0), "external_id": "b"})
    uow = uow_for(ANNA)
    with pytest.raises(PreconditionFailed) as refused:
        invoices.cancel_invoice(uow, ANNA, invoice["id"], {"reason": "mistake"})
    assert refused.value.details["paid"] == "10.00" and uow.events == []


def test_an_invoice_raised_overdue_then_cancelled_says_so(uow_for, open_deal):
    deal = open_deal()
    invoice = late_invoice(uow_for, deal)
    scans.scan_overdue(uow_for(SYSTEM), TODAY)
    uow = uow_for(ANNA)
    invoices.cancel_invoice(uow, ANNA, invoice["id"], {"reason": "written off"})
    assert uow.of("invoice_cancelled")[0]["was_overdue"] is True


def test_sent_offers_expire_after_valid_until_once(session, uow_for, open_deal):
    deal = open_deal()
    sent = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [LINE], "valid_until": day(0)})
    offers.set_offer_status(uow_for(ANNA), ANNA, sent["id"], {"status": "sent"})
    draft = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [LINE], "valid_until": day(0)})
    open_ended = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [LINE]})
    offers.set_offer_status(uow_for(ANNA), ANNA, open_ended["id"], {"status": "sent"})
    assert scans.scan_offer_expiry(uow_for(SYSTEM), TODAY)["expired"] == 0  # its last day: still valid
    uow, again = uow_for(SYSTEM), uow_for(SYSTEM)

    first = scans.scan_offer_expiry(uow, TODAY + timedelta(days=1))
    second = scans.scan_offer_expiry(again, TODAY + timedelta(days=1))

    assert (first["expired"], second["expired"]) == (1, 0) and again.events == []
    [(kind, data)] = uow.events
    assert kind == "offer_expired" and (data["offer_id"], data["offer"]["status"], data["manager_id"]) == (
        sent["id"], "expired", "anna")
    statuses = {offer["id"]: offer["status"] for offer in deal_offers(session, deal)}
    assert statuses == {sent["id"]: "expired", draft["id"]: "draft", open_ended["id"]: "sent"}
    with pytest.raises(PreconditionFailed):
        offers.set_offer_status(uow_for(ANNA), ANNA, sent["id"], {"status": "accepted"})


def deal_offers(session, deal) -> list[dict]:
    from services.deals.usecases import details

    return details.get_deal(session, ANNA, deal["id"])["offers"]


def test_tasks_are_listed_per_responsible_and_overdue_across_the_department(session, uow_for, open_deal, borises):
    annas = open_deal(department="north")
    boris = open_deal(actor=BORIS, partner_id=borises["id"])
    add = lambda deal, actor, title, due, **more: work.add_task(  # noqa: E731
        uow_for(actor), actor, deal["id"], {"title": title, "due_date": day(due), **more})
    late = add(annas, ANNA, "call back", -2)
    soon = add(annas, ANNA, "send papers", 3, responsible_id="olga")
    done = add(annas, ANNA, "done long ago", -9)
    work.complete_task(uow_for(ANNA), ANNA, done["id"])
    southern = add(boris, BORIS, "southern", -1)

    def titles(actor, **filters) -> list[str]:
        return [task["title"] for task in work.list_tasks(session, actor, filters)["items"]]

    assert titles(ANNA) == ["call back", "send papers"]  # open ones, soonest due first
    assert titles(ANNA, responsible_id="olga") == ["send papers"]
    assert titles(HEAD_NORTH, overdue_only=True) == ["call back"]  # the department's reminders
    assert titles(ADMIN_ACTOR, overdue_only=True) == ["call back", "southern"]
    assert titles(ANNA, include_done=True) == ["done long ago", "call back", "send papers"]
    assert titles(BORIS, responsible_id="anna") == []  # Anna's deals are out of his sight
    page = work.list_tasks(session, ADMIN_ACTOR, {"limit": 1})
    rest = work.list_tasks(session, ADMIN_ACTOR, {"limit": 5, "cursor": page["next_cursor"]})
    assert [t["id"] for t in page["items"] + rest["items"]] == [late["id"], southern["id"], soon["id"]]
    assert rest["next_cursor"] is None
    with pytest.raises(ValidationError) as refused:
        work.list_tasks(session, ANNA, {"overdue_only": True, "include_done": True, "kind": "chore"})
    assert {"kind"} <= set(refused.value.details)
    with pytest.raises(ValidationError) as refused:
        work.list_tasks(session, ANNA, {"cursor": "nonsense"})
    assert "cursor" in refused.value.details
