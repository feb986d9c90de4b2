"""Sales terms enforced where documents are made: the agreement's credit days bound an invoice's
due date, its discount bounds offer lines (a head of sales or admin may override with a reason,
recorded on the document), its prepayment share is paid before shipment, and an agreement
withdrawn by partners no longer counts as the deal's terms."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import PermissionDenied, PreconditionFailed, ValidationError
from services.deals.models import Invoice, Offer
from services.deals.usecases import card, details, invoices, offers, stages, terms
from tests.support.usecases import count
from tests.unit.deals_usecases.conftest import ADMIN_ACTOR, ANNA, HEAD_NORTH, day

LINE = {"product": "Стол", "quantity": "1", "price": "1000"}


@pytest.fixture
def agreement(partners):
    return partners.add_agreement(credit_days=14, discount_percent="5.00", prepayment_share="30.00")


@pytest.fixture
def deal(uow_for, partners, open_deal, agreement):
    deal = open_deal(amount="1000", department="north")
    stages.choose_terms(uow_for(ANNA), ANNA, partners, deal["id"], {"agreement_id": agreement["id"]})
    return deal


def issue(uow, deal, due_in: int, actor=ANNA, number: str = "С-1", **options):
    return invoices.issue_invoice(uow, actor, deal["id"], {"number": number, "amount": "300", "due_date": day(due_in)},
                                  options or None)


def test_an_invoice_due_later_than_the_credit_days_is_refused_naming_the_rule(session, uow_for, deal):
    uow = uow_for(ANNA)
    with pytest.raises(PreconditionFailed) as refused:
        issue(uow, deal, 15)
    assert refused.value.details["rule"] == "credit_days"
    assert (refused.value.details["credit_days"], refused.value.details["latest_due_date"]) == (14, day(14))
    assert "credit day" in refused.value.message
    assert count(session, Invoice) == 0 and uow.events == []
    assert issue(uow_for(ANNA), deal, 14)["terms_override"] is None  # the last day allowed


def test_a_head_of_sales_overrides_the_credit_days_with_a_reason_recorded(uow_for, deal):
    with pytest.raises(PermissionDenied):
        issue(uow_for(ANNA), deal, 30, override_reason="long-standing client")
    view = issue(uow_for(HEAD_NORTH), deal, 30, actor=HEAD_NORTH, override_reason="long-standing client")
    override = view["terms_override"]
    assert (override["rules"], override["by"], override["reason"], override["agreement_id"]) == (
        ["credit_days"], "head-north", "long-standing client", deal_agreement(uow_for, deal))
    with pytest.raises(ValidationError) as refused:
        issue(uow_for(ADMIN_ACTOR), deal, 30, actor=ADMIN_ACTOR, number="С-2", override_reason="x" * 501)
    assert "override_reason" in refused.value.details


def deal_agreement(uow_for, deal) -> str:
    return details.get_deal(uow_for(ANNA).session, ANNA, deal["id"])["agreement_id"]


def test_an_offer_line_with_a_discount_above_the_agreements_is_refused(session, uow_for, deal):
    lines = [LINE, {**LINE, "discount_percent": "5"}, {**LINE, "discount_percent": "7.5"}]
    with pytest.raises(PreconditionFailed) as refused:
        offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": lines})
    assert refused.value.details["rule"] == "discount_percent"
    assert refused.value.details["lines"] == ["lines.2.discount_percent"]
    assert count(session, Offer) == 0

    offer = offers.add_offer(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, deal["id"], {"lines": lines},
                             {"override_reason": "clearance"})

    assert offer["terms_override"]["rules"] == ["discount_percent"] and offer["terms_override"]["by"] == "admin-1"
    uow = uow_for(ANNA)
    offers.set_offer_status(uow, ANNA, offer["id"], {"status": "sent"})
    assert uow.of("offer_sent")[0]["offer"]["terms_override"]["reason"] == "clearance"  # the contract carries it


def test_without_an_agreement_nothing_is_checked(uow_for, open_deal):
    deal = open_deal(amount="1000")
    assert issue(uow_for(ANNA), deal, 365)["terms_override"] is None
    assert offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [{**LINE, "discount_percent": "50"}]})


def test_the_deal_reaches_shipment_only_once_the_prepayment_share_is_paid(uow_for, partners, deal):
    invoice = issue(uow_for(ANNA), deal, 10)  # 300 of the deal's 1000: the 30 % prepayment
    at_payment(uow_for, deal)
    invoices.record_payment(uow_for(ANNA), ANNA, invoice["id"], {"amount": "299.99", "paid_on": day(0), "external_id": "b-1"})
    with pytest.raises(PreconditionFailed) as refused:
        stages.move_to_stage(uow_for(ANNA), ANNA, partners, deal["id"], {"stage": "shipment"})
    assert refused.value.details["missing"] == ["invoice_paid", "prepayment_paid"]
    assert "prepayment share" in refused.value.message

    invoices.record_payment(uow_for(ANNA), ANNA, invoice["id"], {"amount": "0.01", "paid_on": day(0), "external_id": "b-2"})

    assert stages.move_to_stage(uow_for(ANNA), ANNA, partners, deal["id"], {"stage": "shipment"})["stage"] == "shipment"


def at_payment(uow_for, deal) -> None:
    """Put the deal at its payment stage, the stages before it aside (the test is about shipment)."""
    uow = uow_for(ANNA)
    stages.enter_stage(uow.session, ANNA, stages.DEALS.for_change(uow.session, ANNA, deal["id"]), "payment", None)
    uow.session.flush()


def test_a_manual_deal_waits_for_the_prepayment_too(uow_for, partners, open_deal, agreement):
    deal = open_deal(amount="1000", process_code="manual")
    stages.choose_terms(uow_for(ANNA), ANNA, partners, deal["id"], {"agreement_id": agreement["id"]})
    with pytest.raises(PreconditionFailed) as refused:
        stages.move_to_stage(uow_for(ANNA), ANNA, partners, deal["id"], {"stage": "shipment"})
    assert refused.value.details == {"stage": "shipment", "missing": ["prepayment_paid"]}
    invoice = issue(uow_for(ANNA), deal, 5)
    invoices.record_payment(uow_for(ANNA), ANNA, invoice["id"], {"amount": "300", "paid_on": day(0), "external_id": "p"})
    assert stages.move_to_stage(uow_for(ANNA), ANNA, partners, deal["id"], {"stage": "shipment"})["stage"] == "shipment"


def withdrawn(agreement_id: str, status: str = "expired") -> dict:
    return {"event_id": str(uuid.uuid4()), "data": {"agreement_id": agreement_id, "status": status}}


def test_a_withdrawn_agreement_no_longer_counts_as_terms_chosen(session, uow_for, partners, move, deal, agreement):
    move(deal, "qualification")
    move(deal, "terms")  # made while the terms held: it stays
    answer = terms.agreement_withdrawn(uow_for(ANNA), withdrawn(agreement["id"], "cancelled"))

    assert answer == {"deals": 1}
    assert details.get_deal(session, ANNA, deal["id"])["terms_withdrawn"] is True
    [shown] = card.card_section(session, ANNA, deal["partner_id"])["open_deals"]
    assert shown["terms_withdrawn"] is True
    details.update_deal(uow_for(ANNA), ANNA, deal["id"], {"amount": "1000"})
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "offer")
    assert refused.value.details["missing"] == ["terms_chosen"]

    fresh = partners.add_agreement(credit_days=30)
    chosen = stages.choose_terms(uow_for(ANNA), ANNA, partners, deal["id"], {"agreement_id": fresh["id"]})

    assert chosen["terms_withdrawn"] is False
    assert move(deal, "offer")["stage"] == "offer"


def test_closed_deals_keep_the_terms_they_closed_under(session, uow_for, deal, agreement):
    stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "lost", "loss_reason": "price"})
    assert terms.agreement_withdrawn(uow_for(ANNA), withdrawn(agreement["id"])) == {"deals": 0}
    assert details.get_deal(session, ANNA, deal["id"])["terms_withdrawn"] is False


def test_terms_of_zero_set_no_limit(uow_for, partners, open_deal):
    # partners stores a term not given as 0: it cannot refuse every document of such agreements.
    deal = open_deal(amount="1000")
    plain = partners.add_agreement(credit_days=0, discount_percent="0.00", prepayment_share="0.00")
    stages.choose_terms(uow_for(ANNA), ANNA, partners, deal["id"], {"agreement_id": plain["id"]})
    assert issue(uow_for(ANNA), deal, 60)["terms_override"] is None
    offer = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [{**LINE, "discount_percent": "10"}]})
    assert offer["terms_override"] is None
