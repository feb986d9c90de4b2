"""Commercial offers: lines and totals computed, the status flow, validity, and the deal's amount
taken from the accepted offer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm_kit.errors import PreconditionFailed, ValidationError
from services.deals.models import Offer
from services.deals.usecases import details, offers, stages
from tests.support.usecases import count
from tests.unit.deals_usecases.conftest import ANNA, TODAY, day


def test_an_offer_computes_its_lines_and_total(uow_for, open_deal):
    deal = open_deal(currency="USD")
    uow = uow_for(ANNA)

    offer = offers.add_offer(uow, ANNA, deal["id"], {"valid_until": day(14), "lines": [
        {"product": " Станок ", "quantity": "2", "unit": "шт", "price": "1500", "discount_percent": "10"},
        {"product": "Наладка", "quantity": "1.5", "price": "200"},
    ]})

    assert (offer["status"], offer["total"], offer["currency"], offer["valid_until"]) == ("draft", "3000.00", "USD", day(14))
    assert [(line["product"], line["quantity"], line["amount"]) for line in offer["lines"]] == [
        ("Станок", "2", "2700.00"), ("Наладка", "1.5", "300.00")]
    assert uow.events == []  # a draft is nobody's business yet


def test_bad_lines_are_named_and_nothing_is_written(session, uow_for, open_deal):
    deal = open_deal()
    with pytest.raises(ValidationError) as refused:
        offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [
            {"product": "Ок", "quantity": "1", "price": "1"},
            {"product": "Плохо", "quantity": "0", "price": "1", "discount_percent": "150"},
        ]})
    assert set(refused.value.details) == {"lines.1.quantity", "lines.1.discount_percent"}
    assert count(session, Offer) == 0
    with pytest.raises(ValidationError):
        offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": []})


def test_sent_then_accepted_sets_the_deals_amount(session, uow_for, open_deal):
    deal = open_deal(amount="1")
    offer = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"currency": "EUR", "lines": [
        {"product": "Станок", "quantity": "3", "price": "700"}]})
    sending, accepting = uow_for(ANNA), uow_for(ANNA)

    sent = offers.set_offer_status(sending, ANNA, offer["id"], {"status": "sent"})
    accepted = offers.set_offer_status(accepting, ANNA, offer["id"], {"status": "accepted"})

    assert sent["sent_at"] and accepted["decided_at"] and accepted["status"] == "accepted"
    assert [kind for kind, _ in sending.events + accepting.events] == ["offer_sent", "offer_accepted"]
    assert accepting.events[0][1]["total"] == "2100.00"
    view = details.get_deal(session, ANNA, deal["id"])
    assert (view["amount"], view["currency"]) == ("2100.00", "EUR")


def test_a_draft_cannot_be_accepted_and_a_decided_offer_is_final(uow_for, open_deal):
    deal = open_deal()
    offer = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [{"product": "X", "quantity": "1", "price": "1"}]})
    with pytest.raises(PreconditionFailed) as refused:
        offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "accepted"})
    assert refused.value.details == {"status": "draft", "target": "accepted"}
    offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "sent"})
    offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "rejected"})
    with pytest.raises(PreconditionFailed):
        offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "accepted"})


def test_an_expired_offer_cannot_be_accepted_but_can_be_rejected(uow_for, open_deal):
    deal = open_deal()
    offer = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"valid_until": day(3),
                                                                "lines": [{"product": "X", "quantity": "1", "price": "1"}]})
    offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "sent"})
    later = TODAY + timedelta(days=4)
    with pytest.raises(PreconditionFailed) as refused:
        offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "accepted"}, today=later)
    assert refused.value.details["valid_until"] == day(3)
    assert offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "rejected"}, today=later)["status"] == "rejected"


def test_a_closed_deals_offers_are_history(uow_for, open_deal):
    deal = open_deal()
    offer = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [{"product": "X", "quantity": "1", "price": "1"}]})
    stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "lost", "loss_reason": "price"})
    with pytest.raises(PreconditionFailed):
        offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [{"product": "X", "quantity": "1", "price": "1"}]})
    with pytest.raises(PreconditionFailed):
        offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "sent"})
