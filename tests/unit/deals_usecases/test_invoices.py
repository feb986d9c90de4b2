"""Invoices and the payments the accounting system reports: partial payments, once per external
id, never past the amount owed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_kit.errors import Conflict, NotFound, PreconditionFailed, ValidationError
from services.deals.models import Invoice, Payment
from services.deals.usecases import invoices, stages
from tests.support.usecases import count
from tests.unit.deals_usecases.conftest import ANNA, BORIS, TODAY, day


@pytest.fixture
def deal(open_deal):
    return open_deal(amount="1000")


@pytest.fixture
def invoice(uow_for, deal):
    return invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": " С-1 ", "amount": "1000", "due_date": day(10)})


def pay(uow, invoice, amount: str, external_id: str, actor=ANNA):
    return invoices.record_payment(uow, actor, invoice["id"], {"amount": amount, "paid_on": day(0), "external_id": external_id})


def test_an_invoice_is_issued_to_the_deals_partner(uow_for, deal):
    uow = uow_for(ANNA)

    view = invoices.issue_invoice(uow, ANNA, deal["id"], {"number": "С-7", "amount": "1000", "due_date": day(10)})

    assert (view["number"], view["status"], view["balance"], view["paid"], view["issued_on"]) == (
        "С-7", "issued", "1000.00", "0.00", day(0))
    assert (view["partner_id"], view["currency"], view["overdue"]) == (deal["partner_id"], "RUB", False)
    [(kind, data)] = uow.events
    assert kind == "invoice_issued" and (data["invoice_id"], data["amount"], data["due_date"], data["manager_id"]) == (
        view["id"], "1000.00", day(10), "anna")


def test_an_invoice_number_is_once_per_deal_and_dates_are_checked(session, uow_for, deal, invoice):
    with pytest.raises(Conflict):
        invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": "С-1", "amount": "5", "due_date": day(10)})
    with pytest.raises(ValidationError) as refused:
        invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": "С-2", "amount": "0", "due_date": day(-1)})
    assert {"amount", "due_date"} <= set(refused.value.details)
    assert count(session, Invoice) == 1


def test_a_lost_deal_gets_no_invoice(uow_for, deal):
    stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "lost", "loss_reason": "price"})
    with pytest.raises(PreconditionFailed):
        invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": "С-9", "amount": "5", "due_date": day(10)})


def test_partial_payments_until_paid(uow_for, invoice):
    first_uow, final_uow = uow_for(ANNA), uow_for(ANNA)

    partly = pay(first_uow, invoice, "400", "bank-1")
    paid = pay(final_uow, invoice, "600", "bank-2")

    assert (partly["status"], partly["paid"], partly["balance"]) == ("partially_paid", "400.00", "600.00")
    assert (paid["status"], paid["paid"], paid["balance"]) == ("paid", "1000.00", "0.00")
    assert [p["external_id"] for p in paid["payments"]] == ["bank-1", "bank-2"]
    events = [data for _, data in first_uow.events + final_uow.events]
    assert [(e["amount"], e["balance"], e["paid_in_full"]) for e in events] == [
        ("400.00", "600.00", False), ("600.00", "0.00", True)]


def test_a_payment_is_applied_once_per_external_id(session, uow_for, invoice):
    pay(uow_for(ANNA), invoice, "400", "bank-1")
    again = uow_for(ANNA)

    replayed = pay(again, invoice, "400", "bank-1")

    assert replayed["replayed"] is True and (replayed["paid"], replayed["status"]) == ("400.00", "partially_paid")
    assert count(session, Payment) == 1 and again.events == []


def test_an_external_id_of_another_invoice_is_a_conflict(uow_for, deal, invoice):
    other = invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": "С-2", "amount": "50", "due_date": day(10)})
    pay(uow_for(ANNA), invoice, "10", "bank-1")
    with pytest.raises(Conflict) as refused:
        pay(uow_for(ANNA), other, "10", "bank-1")
    assert refused.value.details["invoice_id"] == invoice["id"]


def test_no_overpayment(session, uow_for, invoice):
    pay(uow_for(ANNA), invoice, "900", "bank-1")
    uow = uow_for(ANNA)
    with pytest.raises(ValidationError) as refused:
        pay(uow, invoice, "100.01", "bank-2")
    assert "100.00" in refused.value.details["amount"][0]  # the balance still owed
    assert count(session, Payment) == 1 and uow.events == []
    pay(uow_for(ANNA), invoice, "100", "bank-3")
    with pytest.raises(ValidationError) as refused:
        pay(uow_for(ANNA), invoice, "1", "bank-4")
    assert "paid in full" in refused.value.details["amount"][0]


def test_only_who_may_change_the_deal_records_payments(uow_for, invoice):
    with pytest.raises(NotFound):
        pay(uow_for(BORIS), invoice, "1", "bank-1", actor=BORIS)


def test_overdue_invoices_are_listed_as_of_a_day(session, uow_for, deal, invoice):
    invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": "С-2", "amount": "50", "due_date": day(30)})
    later = TODAY + timedelta(days=11)

    overdue = invoices.list_invoices(session, ANNA, {"deal_id": deal["id"], "overdue_only": True}, today=later)["items"]

    assert [(i["number"], i["days_overdue"]) for i in overdue] == [("С-1", 1)]
    assert len(invoices.list_invoices(session, ANNA, {"deal_id": deal["id"]})["items"]) == 2
    assert invoices.list_invoices(session, BORIS, {"deal_id": deal["id"]})["items"] == []
