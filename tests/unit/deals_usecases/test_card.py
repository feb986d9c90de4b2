"""The deals section of the client card on SQLite (the embedded default), built as one document
by the database: what it shows, in which order, and only what the actor may see."""

from __future__ import annotations

import uuid
from decimal import Decimal

from services.deals.usecases import card, invoices, stages
from tests.unit.deals_usecases.conftest import ANNA, BORIS, day


def test_the_card_section_shows_the_partners_deals_the_actor_may_see(session, uow_for, open_deal, move, client, borises):
    won = open_deal(process_code="manual", amount="300")
    stages.set_status(uow_for(ANNA), ANNA, won["id"], {"status": "won"})
    lost = open_deal(process_code="manual", amount="200")
    stages.set_status(uow_for(ANNA), ANNA, lost["id"], {"status": "lost", "loss_reason": "price"})
    first = open_deal(amount="1000", expected_close_date="2026-12-31")  # standard, lead: 10 %
    second = open_deal(process_code="manual", amount="2000.50")
    move(second, "offer")  # 50 %
    parked = open_deal(process_code="none", amount="5000")
    stages.set_status(uow_for(ANNA), ANNA, parked["id"], {"status": "postponed"})
    late = invoices.issue_invoice(uow_for(ANNA), ANNA, second["id"], {"number": "C1", "amount": "800",
                                                                      "issued_on": day(-30), "due_date": day(-15)})
    invoices.record_payment(uow_for(ANNA), ANNA, late["id"], {"amount": "100", "paid_on": day(-20), "external_id": "p-1"})
    invoices.issue_invoice(uow_for(ANNA), ANNA, second["id"], {"number": "C2", "amount": "50", "due_date": day(30)})
    open_deal(actor=BORIS, partner_id=borises["id"], amount="999999")  # not Anna's to see

    section = card.card_section(session, ANNA, client["id"])

    assert [d["id"] for d in section["open_deals"]] == [parked["id"], second["id"], first["id"]]
    assert section["open_deals"][1] == {
        "id": second["id"], "title": "Поставка", "stage": "offer", "stage_name": "Commercial offer",
        "status": "in_progress", "amount": "2000.50", "currency": "RUB", "expected_close_date": None, "terms_withdrawn": False,
    }
    assert section["open_deals"][0]["stage_name"] is None and section["open_deals"][2]["expected_close_date"] == "2026-12-31"
    assert [(d["id"], d["status"], d["amount"]) for d in section["recent_closed"]] == [
        (lost["id"], "lost", "200.00"), (won["id"], "won", "300.00")]
    assert section["recent_closed"][0]["loss_reason"] == "price" and section["recent_closed"][0]["closed_at"]
    assert section["pipeline_total"] == "3000.50"
    assert Decimal(section["pipeline_weighted"]) == Decimal("100.00") + Decimal("1000.25")
    assert (section["invoices_owed"], section["overdue_invoices"]) == ("750.00", 1)

    unseen = card.card_section(session, BORIS, client["id"])
    assert (unseen["open_deals"], unseen["recent_closed"], unseen["pipeline_total"], unseen["invoices_owed"]) == (
        [], [], "0.00", "0.00")  # Boris sees nothing of Anna's client (nor could he open a deal on it)
    empty = card.card_section(session, ANNA, str(uuid.uuid4()))
    assert (empty["open_deals"], empty["pipeline_total"], empty["pipeline_weighted"], empty["overdue_invoices"]) == (
        [], "0.00", "0.00", 0)


def test_the_clients_figures_come_from_won_deals_invoices_and_payments(session, uow_for, open_deal, client):
    empty = card.card_section(session, ANNA, client["id"])
    assert (empty["client_since"], empty["deals_won"], empty["average_deal"], empty["total_paid"]) == (None, 0, "0.00", "0.00")

    for amount in ("300", "450.01"):
        won = open_deal(process_code="manual", amount=amount)
        stages.set_status(uow_for(ANNA), ANNA, won["id"], {"status": "won"})
    lost = open_deal(process_code="manual", amount="9000")
    stages.set_status(uow_for(ANNA), ANNA, lost["id"], {"status": "lost", "loss_reason": "price"})
    assert card.card_section(session, ANNA, client["id"])["client_since"] == day(0)  # won today

    billed = open_deal(process_code="manual", amount="1000")
    first = invoices.issue_invoice(uow_for(ANNA), ANNA, billed["id"], {"number": "C1", "amount": "800",
                                                                       "issued_on": day(-40), "due_date": day(-10)})
    invoices.record_payment(uow_for(ANNA), ANNA, first["id"], {"amount": "500", "paid_on": day(-20), "external_id": "f-1"})
    second = invoices.issue_invoice(uow_for(ANNA), ANNA, billed["id"], {"number": "C2", "amount": "200", "issued_on": day(-5),
                                                                        "due_date": day(10)})
    invoices.record_payment(uow_for(ANNA), ANNA, second["id"], {"amount": "200", "paid_on": day(-1), "external_id": "f-2"})

    section = card.card_section(session, ANNA, client["id"])
    assert section["client_since"] == day(-40)  # the first invoice came before the first won deal
    assert (section["deals_won"], section["average_deal"], section["total_paid"]) == (2, "375.01", "700.00")
    unseen = card.card_section(session, BORIS, client["id"])  # none of these deals are Boris's to see
    assert (unseen["client_since"], unseen["deals_won"], unseen["total_paid"]) == (None, 0, "0.00")
