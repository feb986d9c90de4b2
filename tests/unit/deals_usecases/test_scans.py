"""The scheduled scans: invoice_overdue once per invoice unpaid past its due date, deal_stuck once
per stay over its stage's time limit (with a reminder task on the manager's plan)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_kit.access import require_operator
from crm_kit.actor import SYSTEM
from crm_kit.errors import PermissionDenied
from services.deals.usecases import details, invoices, scans, stages
from tests.unit.deals_usecases.conftest import ADMIN_ACTOR, ANNA, INTERACTIONS, TODAY, day


def overdue_invoice(uow_for, deal, number: str, due_in_days: int = -5) -> dict:
    return invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {
        "number": number, "amount": "100", "issued_on": day(-30), "due_date": day(due_in_days)})


def test_the_overdue_scan_raises_each_unpaid_invoice_once(session, uow_for, open_deal):
    deal = open_deal()
    late = overdue_invoice(uow_for, deal, "С-1", due_in_days=-5)
    paid = overdue_invoice(uow_for, deal, "С-2", due_in_days=-5)
    invoices.record_payment(uow_for(ANNA), ANNA, paid["id"], {"amount": "100", "paid_on": day(-1), "external_id": "bank-1"})
    overdue_invoice(uow_for, deal, "С-3", due_in_days=0)  # due today: not late yet
    uow, again = uow_for(SYSTEM), uow_for(SYSTEM)

    first = scans.scan_overdue(uow, TODAY)
    second = scans.scan_overdue(again, TODAY)

    assert (first["raised"], second["raised"]) == (1, 0)
    [(kind, data)] = uow.events
    assert kind == "invoice_overdue"
    assert (data["invoice_id"], data["number"], data["balance"], data["days_overdue"], data["manager_id"]) == (
        late["id"], "С-1", "100.00", 5, "anna")
    assert again.events == []
    assert details.get_deal(session, ANNA, deal["id"])["invoices"][0]["overdue_notified_at"]


def test_the_overdue_scan_commits_batch_by_batch(uow_for, open_deal):
    deal = open_deal()
    for number in ("С-1", "С-2", "С-3"):
        overdue_invoice(uow_for, deal, number)
    uow = uow_for(SYSTEM)

    assert scans.scan_overdue(uow, TODAY, batch_size=2)["raised"] == 3
    assert uow.commits == 2 and len(uow.of("invoice_overdue")) == 3


def test_a_partly_paid_invoice_is_overdue_for_its_balance(uow_for, open_deal):
    deal = open_deal()
    late = overdue_invoice(uow_for, deal, "С-1")
    invoices.record_payment(uow_for(ANNA), ANNA, late["id"], {"amount": "30", "paid_on": day(-2), "external_id": "bank-1"})
    uow = uow_for(SYSTEM)
    scans.scan_overdue(uow, TODAY)
    assert [(e["amount"], e["balance"]) for e in uow.of("invoice_overdue")] == [("100.00", "70.00")]


def test_the_stuck_scan_raises_once_per_stay_with_a_reminder(session, uow_for, move, open_deal):
    deal = open_deal()  # lead: 3 days at most
    now = datetime.now(UTC)
    within, within_uow = now + timedelta(days=2), uow_for(SYSTEM)
    assert scans.scan_stuck(within_uow, within)["raised"] == 0

    late = now + timedelta(days=4)
    first, again = uow_for(SYSTEM), uow_for(SYSTEM)
    assert scans.scan_stuck(first, late)["raised"] == 1
    assert scans.scan_stuck(again, late)["raised"] == 0

    [stuck] = first.of("deal_stuck")
    [reminder] = first.of("task_added")
    assert (stuck["deal_id"], stuck["stage"], stuck["limit_days"], stuck["manager_id"]) == (deal["id"], "lead", 3, "anna")
    assert (reminder["task_id"], reminder["kind"], reminder["responsible_id"], reminder["due_date"]) == (
        stuck["task_id"], "reminder", "anna", late.date().isoformat())
    assert [t["title"] for t in details.get_deal(session, ANNA, deal["id"])["tasks"]] == ["Deal stuck at First contact: next step?"]

    # A new stay in another stage is watched afresh (qualification: 7 days).
    move(deal, "qualification")
    next_stay = uow_for(SYSTEM)
    assert scans.scan_stuck(next_stay, datetime.now(UTC) + timedelta(days=8))["raised"] == 1
    assert [e["stage"] for e in next_stay.of("deal_stuck")] == ["qualification"]


def test_deals_not_in_progress_are_never_stuck(uow_for, open_deal):
    postponed, lost = open_deal(), open_deal()
    stages.set_status(uow_for(ANNA), ANNA, postponed["id"], {"status": "postponed"})
    stages.set_status(uow_for(ANNA), ANNA, lost["id"], {"status": "lost", "loss_reason": "timing"})
    uow = uow_for(SYSTEM)
    assert scans.scan_stuck(uow, datetime.now(UTC) + timedelta(days=30))["raised"] == 0


def test_a_deal_without_stages_is_never_stuck(uow_for, open_deal):
    open_deal(process_code="none")
    assert scans.scan_stuck(uow_for(SYSTEM), datetime.now(UTC) + timedelta(days=365))["raised"] == 0


def test_scans_on_demand_are_for_operators_and_services():
    with pytest.raises(PermissionDenied):
        require_operator(ANNA, "overdue scan")
    require_operator(ADMIN_ACTOR, "overdue scan")
    require_operator(INTERACTIONS, "stuck scan")
