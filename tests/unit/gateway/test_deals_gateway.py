"""The deals API and the card's deals section against a fake bridge: payloads out, messages in."""

from __future__ import annotations

from typing import Any

import pytest
from crm.v1 import card_pb2, deals_pb2
from google.protobuf import field_mask_pb2

from crm_kit.actor import Actor
from crm_kit.errors import NotFound, ValidationError
from gateway.bridge import DownstreamTimeout
from gateway.card import CardCache, CardComposer
from gateway.config import load_config
from gateway.interceptors import current_actor
from gateway.servicers.deals import DealsServicer

ANNA = Actor("anna", ("manager",), ("msk",), "north")
PARTNER = "6f1c2b1e-8a43-4e0e-9d2f-1f0b9a1d2c3e"

SECTION = {
    "open_deals": [{
        "id": "d1", "title": "Поставка", "stage": "offer", "stage_name": "Commercial offer", "status": "in_progress",
        "amount": "1500.50", "currency": "RUB", "expected_close_date": "2026-12-01",
    }],
    "recent_closed": [{
        "id": "d0", "title": "Старая", "status": "lost", "loss_reason": "price",
        "closed_at": "2026-11-01T10:00:00", "amount": "10.00",
    }],
    "pipeline_total": "1500.50",
    "pipeline_weighted": "750.25",
    "invoices_owed": "99.99",
    "overdue_invoices": 2,
}


class FakeBridge:
    """Answers calls from a table; ``service.method`` -> a value, or an exception to raise."""

    def __init__(self, answers: dict[str, Any]):
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self._connection = None

    async def call(self, service: str, method: str, *, timeout: float, actor=None, **kwargs: Any) -> Any:
        assert timeout > 0 and actor is not None
        self.calls.append((service, method, kwargs))
        answer = self.answers[f"{service}.{method}"]
        if isinstance(answer, BaseException):
            raise answer
        return answer(kwargs) if callable(answer) else answer


class Context:
    def time_remaining(self):
        return 3.0


@pytest.fixture(autouse=True)
def caller():
    token = current_actor.set(ANNA)
    yield
    current_actor.reset(token)


def partners_card() -> dict[str, Any]:
    return {
        "partner": {"id": PARTNER, "short_name": "Клиент", "kinds": ["client"]},
        "relationships": [], "agreements": [],
        "manager": {"manager_id": "anna", "history": []},
        "figures": {"contacts": 0, "relationships": 0, "agreements_in_force": 0},
    }


def composer(bridge: FakeBridge, sections: list[str]) -> CardComposer:
    return CardComposer(bridge, CardCache(bridge, ttl=0), sections, section_timeout=0.5)


async def test_card_fills_the_typed_deals_section_and_keeps_its_state():
    bridge = FakeBridge({"partners.get_card": partners_card(), "deals.card_section": SECTION,
                         "probe.card_section": {"open_items": 3}})
    card = await composer(bridge, ["deals", "probe"]).compose(PARTNER, ANNA, 2.0)
    states = {s.name: s for s in card.sections}
    assert [s.name for s in card.sections] == ["partners", "deals", "probe"]
    assert states["deals"].state == card_pb2.SECTION_STATE_AVAILABLE and not states["deals"].data.fields
    assert states["probe"].data["open_items"] == 3
    deals = card.deals
    assert deals.open_deals[0].stage == "offer" and deals.open_deals[0].amount.value == "1500.50"
    assert deals.open_deals[0].expected_close_date.iso == "2026-12-01"
    assert deals.recent_closed[0].loss_reason == "price"
    assert deals.recent_closed[0].closed_at.ToJsonString() == "2026-11-01T10:00:00Z"
    assert (deals.pipeline_total.value, deals.pipeline_weighted.value, deals.invoices_owed.value) == ("1500.50", "750.25", "99.99")
    assert deals.overdue_invoices == 2
    assert ("deals", "card_section", {"partner_id": PARTNER}) in bridge.calls


async def test_a_deals_section_that_does_not_answer_is_unavailable_with_the_reason():
    bridge = FakeBridge({
        "partners.get_card": partners_card(),
        "deals.card_section": DownstreamTimeout("the deals service did not answer card_section within 0.5 s", "deals"),
    })
    card = await composer(bridge, ["deals"]).compose(PARTNER, ANNA, 2.0)
    deals = next(s for s in card.sections if s.name == "deals")
    assert deals.state == card_pb2.SECTION_STATE_UNAVAILABLE and "did not answer" in deals.reason
    assert not card.HasField("deals") and card.partner.short_name == "Клиент"
    # the breaker keeps the dead service from being asked again at once, and says so
    again = await composer(bridge, ["deals"]).compose(PARTNER, ANNA, 2.0)
    assert next(s for s in again.sections if s.name == "deals").state == card_pb2.SECTION_STATE_UNAVAILABLE


async def test_a_deals_section_the_gateway_cannot_read_is_unavailable():
    bridge = FakeBridge({"partners.get_card": partners_card(), "deals.card_section": {"overdue_invoices": "many"}})
    card = await composer(bridge, ["deals"]).compose(PARTNER, ANNA, 2.0)
    deals = next(s for s in card.sections if s.name == "deals")
    assert deals.state == card_pb2.SECTION_STATE_UNAVAILABLE and "cannot read" in deals.reason


def test_deals_is_a_default_card_section():
    assert "deals" in load_config({"CRM_ENVIRONMENT": "development"}).card_sections
    assert load_config({"CRM_ENVIRONMENT": "development", "GATEWAY_CARD_SECTIONS": "deals, probe"}).card_sections == ("deals", "probe")
    assert load_config({"CRM_ENVIRONMENT": "development", "GATEWAY_CARD_SECTIONS": ""}).card_sections == ()


async def test_open_deal_sends_only_input_fields_and_reads_the_view():
    view = {
        "id": "d1", "title": "Поставка", "partner_id": PARTNER, "stage": "lead", "status": "in_progress",
        "amount": "1000.00", "currency": "RUB", "expected_close_date": "2026-12-01", "manager_id": "anna",
        "created_at": "2026-11-23T10:00:00+00:00",
        "stage_history": [{"stage": "lead", "entered_at": "2026-11-23T10:00:00", "left_at": None}],
        "unknown_key": 1,
    }
    bridge = FakeBridge({"deals.open_deal": view})
    request = deals_pb2.OpenDealRequest(
        deal=deals_pb2.Deal(title="Поставка", partner_id=PARTNER, amount={"value": "1000"},
                            expected_close_date={"iso": "2026-12-01"}, status="won", id="forged"),
        request_id="r-1",
    )
    deal = await DealsServicer(bridge).OpenDeal(request, Context())
    assert bridge.calls == [("deals", "open_deal", {
        "deal": {"title": "Поставка", "partner_id": PARTNER, "amount": "1000", "expected_close_date": "2026-12-01"},
        "options": {"request_id": "r-1"},
    })]
    assert deal.amount.value == "1000.00" and deal.stage == "lead" and deal.stage_history[0].stage == "lead"
    assert not deal.stage_history[0].HasField("left_at")


async def test_update_deal_checks_the_mask():
    bridge = FakeBridge({"deals.update_deal": {"id": "d1", "title": "Новое"}})
    servicer = DealsServicer(bridge)
    with pytest.raises(ValidationError) as caught:
        await servicer.UpdateDeal(deals_pb2.UpdateDealRequest(
            deal_id="d1", update_mask=field_mask_pb2.FieldMask(paths=["stage"])), Context())
    assert "update_mask" in caught.value.details
    await servicer.UpdateDeal(deals_pb2.UpdateDealRequest(
        deal_id="d1", deal=deals_pb2.Deal(title="Новое"),
        update_mask=field_mask_pb2.FieldMask(paths=["title", "expected_close_date"])), Context())
    assert bridge.calls[-1][2] == {"deal_id": "d1", "changes": {"title": "Новое", "expected_close_date": None}}


async def test_lists_moves_and_money_payloads():
    bridge = FakeBridge({
        "deals.list_deals": {"items": [{"id": "d1", "amount": "5.00"}], "next_cursor": "c2"},
        "deals.move_to_stage": {"id": "d1", "stage": "qualification"},
        "deals.add_offer": {"id": "o1", "total": "90.00", "lines": [{"product": "P", "quantity": "2", "amount": "90.00"}]},
        "deals.record_payment": {"id": "i1", "balance": "0.00", "status": "paid"},
        "deals.list_invoices": [{"id": "i1", "balance": "10.00"}],
        "deals.forecast": {"rows": [{"manager_id": "anna", "period": "2026-Q4", "deals": 2,
                                     "amount": "10.00", "weighted": "5.00"}], "total_weighted": "5.00"},
        "deals.get_deal": NotFound("deal not found"),
    })
    servicer = DealsServicer(bridge)
    listed = await servicer.ListDeals(deals_pb2.ListDealsRequest(status="in_progress", page={"limit": 10}), Context())
    assert listed.deals[0].amount.value == "5.00" and listed.page.next_cursor == "c2"
    assert bridge.calls[-1][2] == {"filters": {"status": "in_progress", "limit": 10}}
    await servicer.MoveToStage(deals_pb2.MoveToStageRequest(deal_id="d1", stage="qualification"), Context())
    assert bridge.calls[-1][2] == {"deal_id": "d1", "move": {"stage": "qualification", "note": None}}
    offer = await servicer.AddOffer(deals_pb2.AddOfferRequest(deal_id="d1", offer=deals_pb2.Offer(
        lines=[deals_pb2.OfferLine(product="P", quantity={"value": "2"}, price={"value": "50"},
                                   discount_percent={"value": "10"})])), Context())
    assert bridge.calls[-1][2]["offer"] == {"lines": [{"product": "P", "quantity": "2", "price": "50", "discount_percent": "10"}]}
    assert offer.total.value == "90.00"
    paid = await servicer.RecordPayment(deals_pb2.RecordPaymentRequest(invoice_id="i1", payment=deals_pb2.Payment(
        amount={"value": "10"}, paid_on={"iso": "2026-11-23"}, external_id="bank-1")), Context())
    assert bridge.calls[-1][2]["payment"] == {"amount": "10", "paid_on": "2026-11-23", "external_id": "bank-1"}
    assert paid.status == "paid" and paid.balance.value == "0.00"
    invoices = await servicer.ListInvoices(deals_pb2.ListInvoicesRequest(deal_id="d1", overdue_only=True), Context())
    assert bridge.calls[-1][2] == {"filters": {"deal_id": "d1", "overdue_only": True}} and invoices.invoices[0].id == "i1"
    forecast = await servicer.GetForecast(deals_pb2.GetForecastRequest(period="quarter"), Context())
    assert forecast.rows[0].weighted.value == "5.00" and forecast.total_weighted.value == "5.00"
    with pytest.raises(NotFound):
        await servicer.GetDeal(deals_pb2.GetDealRequest(deal_id="d1"), Context())


async def test_define_process_keeps_zero_probabilities_and_no_time_limit():
    bridge = FakeBridge({"deals.define_process": lambda kw: {**kw["process"], "created_at": "2026-11-23T10:00:00Z"}})
    process = deals_pb2.SalesProcess(code="quick", name="Быстрая", mode="strict", stages=[
        deals_pb2.Stage(code="start", name="Начало", probability=0),
        deals_pb2.Stage(code="close", name="Закрытие", probability=100, time_limit_days=5, preconditions=["amount_set"]),
    ])
    answer = await DealsServicer(bridge).DefineProcess(deals_pb2.DefineProcessRequest(process=process), Context())
    assert bridge.calls[-1][2]["process"]["stages"] == [
        {"code": "start", "name": "Начало", "probability": 0, "time_limit_days": None, "preconditions": []},
        {"code": "close", "name": "Закрытие", "probability": 100, "time_limit_days": 5, "preconditions": ["amount_set"]},
    ]
    assert answer.stages[1].preconditions == ["amount_set"] and answer.created_at.seconds > 0
