"""Deals end to end through the gRPC gateway: the partners and deals services on RabbitMQ and
PostgreSQL, the gateway in front, a manager's bearer token."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import grpc
import pytest
from crm.v1 import card_pb2, deals_pb2, partners_pb2
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from tests.e2e.conftest import ADMIN, ANNA, BORIS
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

TODAY = date.today()


def money(value: str) -> dict[str, str]:
    return {"value": value}


def day(offset: int = 0) -> dict[str, str]:
    return {"iso": (TODAY + timedelta(days=offset)).isoformat()}


def register(partners, name: str, kinds=("prospect",), metadata=ANNA) -> partners_pb2.Partner:
    return partners.RegisterPartner(
        partners_pb2.RegisterPartnerRequest(
            partner=partners_pb2.Partner(kinds=list(kinds), legal_form="legal_entity",
                                         short_name=f"{name} {uuid.uuid4().hex[:6]}", region="msk"),
            duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP,
        ),
        metadata=metadata,
    ).partner


def refused(call, code: grpc.StatusCode) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    assert caught.value.code() == code, caught.value.details()
    return caught.value


def precondition_violations(error: grpc.RpcError) -> dict[str, list[str]]:
    """The google.rpc.PreconditionFailure of a FAILED_PRECONDITION, as subject -> descriptions."""
    status = rpc_status.from_call(error)
    failure = error_details_pb2.PreconditionFailure()
    assert status is not None and any(detail.Unpack(failure) for detail in status.details)
    found: dict[str, list[str]] = {}
    for violation in failure.violations:
        found.setdefault(violation.subject, []).append(violation.description)
    return found


def field_violations(error: grpc.RpcError) -> set[str]:
    status = rpc_status.from_call(error)
    bad = error_details_pb2.BadRequest()
    assert status is not None and any(detail.Unpack(bad) for detail in status.details)
    return {violation.field for violation in bad.field_violations}


def move(deals, deal_id: str, stage: str, metadata=ANNA) -> deals_pb2.Deal:
    return deals.MoveToStage(deals_pb2.MoveToStageRequest(deal_id=deal_id, stage=stage), metadata=metadata)


def test_deals_api_is_served_and_listed_by_reflection(channel, deals):
    processes = deals.ListProcesses(deals_pb2.ListProcessesRequest(), metadata=ANNA).processes
    by_code = {process.code: process for process in processes}
    assert {"standard", "manual", "none"} <= set(by_code)
    standard = by_code["standard"]
    assert standard.mode == "strict"
    assert [stage.code for stage in standard.stages] == [
        "lead", "qualification", "terms", "offer", "negotiation", "invoice", "payment", "shipment",
    ]
    assert list(standard.stages[2].preconditions) == ["partner_is_client", "terms_chosen"]
    assert standard.stages[0].probability == 10 and standard.stages[0].time_limit_days == 3
    assert by_code["none"].mode == "none" and not by_code["none"].stages

    code = f"quick_{uuid.uuid4().hex[:8]}"
    process = deals_pb2.SalesProcess(code=code, name="Быстрая продажа", mode="strict", stages=[
        deals_pb2.Stage(code="start", name="Начало", probability=0),
        deals_pb2.Stage(code="close", name="Закрытие", probability=100, time_limit_days=5, preconditions=["amount_set"]),
    ])
    refused(lambda: deals.DefineProcess(deals_pb2.DefineProcessRequest(process=process), metadata=ANNA),
            grpc.StatusCode.PERMISSION_DENIED)
    defined = deals.DefineProcess(deals_pb2.DefineProcessRequest(process=process), metadata=ADMIN)
    assert [(s.code, s.probability, s.time_limit_days) for s in defined.stages] == [("start", 0, 0), ("close", 100, 5)]
    bad = deals_pb2.SalesProcess(code=f"bad_{uuid.uuid4().hex[:8]}", name="Плохая", mode="strict", stages=[
        deals_pb2.Stage(code="a", name="A", probability=50), deals_pb2.Stage(code="a", name="B", probability=10,
                                                                            preconditions=["no_such_thing"]),
    ])
    error = refused(lambda: deals.DefineProcess(deals_pb2.DefineProcessRequest(process=bad), metadata=ADMIN),
                    grpc.StatusCode.INVALID_ARGUMENT)
    assert {"stages.1.code", "stages.1.probability"} <= field_violations(error)
    assert code in {p.code for p in deals.ListProcesses(deals_pb2.ListProcessesRequest(), metadata=ANNA).processes}


def test_standard_sale_from_first_contact_to_won(partners, deals, cards):
    partner = register(partners, "Стандартная продажа")
    deal = deals.OpenDeal(
        deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Поставка насосов", partner_id=partner.id,
                                                      expected_close_date=day(30))),
        metadata=ANNA,
    )
    assert (deal.stage, deal.status, deal.process_code, deal.manager_id) == ("lead", "in_progress", "standard", "anna")
    assert deal.currency == "RUB" and deal.expected_close_date.iso == day(30)["iso"]
    assert deal.created_at.seconds > 0

    # A prospect is not a client yet: qualification is refused, naming the precondition.
    error = refused(lambda: move(deals, deal.id, "qualification"), grpc.StatusCode.FAILED_PRECONDITION)
    violations = precondition_violations(error)
    assert violations["missing"] == ["partner_is_client"] and violations["stage"] == ["qualification"]
    assert "qualification" in error.details()
    # Stages are not skipped in a standard sale.
    error = refused(lambda: move(deals, deal.id, "offer"), grpc.StatusCode.FAILED_PRECONDITION)
    assert set(precondition_violations(error)["skipped"]) == {"qualification", "terms"}

    partners.UpdatePartner(
        partners_pb2.UpdatePartnerRequest(partner_id=partner.id, partner=partners_pb2.Partner(kinds=["client"]),
                                          update_mask=field_mask_pb2.FieldMask(paths=["kinds"])),
        metadata=ANNA,
    )
    deal = move(deals, deal.id, "qualification")
    assert deal.stage == "qualification" and deal.probability == 20

    error = refused(lambda: move(deals, deal.id, "terms"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["missing"] == ["terms_chosen"]
    agreement = partners.CreateAgreement(partners_pb2.CreateAgreementRequest(agreement=partners_pb2.Agreement(
        kind="individual", name="Условия сделки", partner_id=partner.id, credit_days=14,
    )), metadata=ANNA)
    partners.SetAgreementStatus(partners_pb2.SetAgreementStatusRequest(agreement_id=agreement.id, status="approved"),
                                metadata=ANNA)
    deal = deals.ChooseTerms(deals_pb2.ChooseTermsRequest(deal_id=deal.id, agreement_id=agreement.id), metadata=ANNA)
    assert deal.agreement_id == agreement.id
    deal = move(deals, deal.id, "terms")

    error = refused(lambda: move(deals, deal.id, "offer"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["missing"] == ["amount_set"]
    deal = deals.UpdateDeal(
        deals_pb2.UpdateDealRequest(deal_id=deal.id, deal=deals_pb2.Deal(amount=money("1000")),
                                    update_mask=field_mask_pb2.FieldMask(paths=["amount"])),
        metadata=ANNA,
    )
    assert deal.amount.value == "1000.00"
    deal = move(deals, deal.id, "offer")

    offer = deals.AddOffer(deals_pb2.AddOfferRequest(deal_id=deal.id, offer=deals_pb2.Offer(
        lines=[deals_pb2.OfferLine(product="Насос ЦН-40", quantity=money("2"), unit="pcs", price=money("600.00"),
                                   discount_percent=money("10"))],
        valid_until=day(14),
    )), metadata=ANNA)
    assert offer.status == "draft" and offer.total.value == "1080.00" and offer.lines[0].amount.value == "1080.00"
    error = refused(lambda: move(deals, deal.id, "negotiation"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["missing"] == ["offer_sent"]
    assert deals.SetOfferStatus(deals_pb2.SetOfferStatusRequest(offer_id=offer.id, status="sent"), metadata=ANNA).status == "sent"
    deal = move(deals, deal.id, "negotiation")
    accepted = deals.SetOfferStatus(deals_pb2.SetOfferStatusRequest(offer_id=offer.id, status="accepted"), metadata=ANNA)
    assert accepted.status == "accepted" and accepted.decided_at.seconds > 0
    deal = move(deals, deal.id, "invoice")
    assert deal.amount.value == "1080.00"  # the accepted offer's total

    error = refused(lambda: move(deals, deal.id, "payment"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["missing"] == ["invoice_issued"]
    invoice = deals.IssueInvoice(deals_pb2.IssueInvoiceRequest(deal_id=deal.id, invoice=deals_pb2.Invoice(
        number=f"INV-{uuid.uuid4().hex[:6]}", amount=money("1080.00"), due_date=day(10),
    )), metadata=ANNA)
    assert invoice.status == "issued" and invoice.balance.value == "1080.00" and invoice.partner_id == partner.id
    deal = move(deals, deal.id, "payment")

    first = f"bank-{uuid.uuid4().hex}"
    partial = deals.RecordPayment(deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
        amount=money("500.00"), paid_on=day(), external_id=first)), metadata=ANNA)
    assert partial.status == "partially_paid" and partial.balance.value == "580.00"
    again = deals.RecordPayment(deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
        amount=money("500.00"), paid_on=day(), external_id=first)), metadata=ANNA)
    assert again.balance.value == "580.00"  # the same bank payment is applied once
    error = refused(lambda: move(deals, deal.id, "shipment"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["missing"] == ["invoice_paid"]
    error = refused(lambda: deals.RecordPayment(deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
        amount=money("600.00"), paid_on=day(), external_id=f"bank-{uuid.uuid4().hex}")), metadata=ANNA),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert "amount" in field_violations(error)
    paid = deals.RecordPayment(deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
        amount=money("580.00"), paid_on=day(), external_id=f"bank-{uuid.uuid4().hex}")), metadata=ANNA)
    assert paid.status == "paid" and paid.balance.value == "0.00" and paid.paid.value == "1080.00"
    deal = move(deals, deal.id, "shipment")

    won = deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=deal.id, status="won"), metadata=ANNA)
    assert won.status == "won" and won.closed_at.seconds > 0
    refused(lambda: deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=deal.id, status="in_progress"), metadata=ANNA),
            grpc.StatusCode.FAILED_PRECONDITION)

    full = deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA)
    stays = list(full.stage_history)
    assert [stay.stage for stay in stays] == [
        "lead", "qualification", "terms", "offer", "negotiation", "invoice", "payment", "shipment",
    ]
    assert all(stay.HasField("left_at") for stay in stays[:-1]) and stays[0].entered_by == "anna"
    assert [o.status for o in full.offers] == ["accepted"]
    assert full.invoices[0].balance.value == "0.00" and full.invoices[0].status == "paid"
    invoices = deals.ListInvoices(deals_pb2.ListInvoicesRequest(deal_id=deal.id), metadata=ANNA).invoices
    assert [i.id for i in invoices] == [invoice.id]

    # The client card shows the deal among the recently closed, nothing owed.
    card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ANNA)
    assert [d.id for d in card.deals.recent_closed] == [deal.id] and card.deals.recent_closed[0].status == "won"
    assert not card.deals.open_deals and card.deals.invoices_owed.value in ("0", "0.00")


def test_work_plan_documents_and_supplier_orders(partners, deals):
    partner = register(partners, "План работ", kinds=("client",))
    supplier = register(partners, "Поставщик", kinds=("supplier",))
    deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Проект", partner_id=partner.id,
                                                                        process_code="none")), metadata=ANNA)
    assert deal.stage == "" and deal.status == "in_progress"
    error = refused(lambda: move(deals, deal.id, "lead"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["mode"] == ["none"]

    task = deals.AddTask(deals_pb2.AddTaskRequest(deal_id=deal.id, task=deals_pb2.Task(title="Позвонить", due_date=day(2))),
                         metadata=ANNA)
    assert task.due_date.iso == day(2)["iso"] and not task.done and task.responsible_id == "anna"
    done = deals.CompleteTask(deals_pb2.CompleteTaskRequest(task_id=task.id), metadata=ANNA)
    assert done.done and done.done_at.seconds > 0
    document = deals.AddDocument(deals_pb2.AddDocumentRequest(deal_id=deal.id, document=deals_pb2.Document(
        kind="contract", number="Д-17", date=day(), url="https://docs.example/contract/17")), metadata=ANNA)
    assert document.kind == "contract" and document.date.iso == day()["iso"]
    order = deals.AddSupplierOrder(deals_pb2.AddSupplierOrderRequest(deal_id=deal.id, order=deals_pb2.SupplierOrder(
        supplier_id=supplier.id, number="ЗП-1", amount=money("250.5"))), metadata=ANNA)
    assert order.supplier_id == supplier.id and order.amount.value == "250.50"
    full = deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA)
    assert [t.id for t in full.tasks] == [task.id] and [d.id for d in full.documents] == [document.id]
    assert [o.id for o in full.supplier_orders] == [order.id]

    # A manual process lets stages be skipped; the move is still recorded.
    manual = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Ручной", partner_id=partner.id,
                                                                          process_code="manual")), metadata=ANNA)
    manual = move(deals, manual.id, "invoice")
    assert manual.stage == "invoice" and [s.stage for s in manual.stage_history] == ["lead", "invoice"]


def test_lead_from_a_call_list_and_forecast(partners, deals):
    partner = register(partners, "Звонок", kinds=("client",))
    # Call ids are the PBX's: a person may not take the lead of a call (made or still to come).
    call_id = str(uuid.uuid4())
    refused(lambda: deals.OpenLeadFromCall(deals_pb2.OpenLeadFromCallRequest(partner_id=partner.id, call_id=call_id,
                                                                             phone="+74951234567"), metadata=ANNA),
            grpc.StatusCode.PERMISSION_DENIED)
    error = refused(lambda: deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title="Чужой звонок", partner_id=partner.id, source="call", source_ref=call_id)), metadata=ANNA),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert "source" in field_violations(error)
    assert not deals.ListDeals(deals_pb2.ListDealsRequest(partner_id=partner.id), metadata=ANNA).deals

    request_id = str(uuid.uuid4())
    opened = [
        deals.OpenDeal(deals_pb2.OpenDealRequest(
            deal=deals_pb2.Deal(title=f"Прогноз {i}", partner_id=partner.id, amount=money("100.10"),
                                expected_close_date=day(20)),
            request_id=request_id if i == 0 else "",
        ), metadata=ANNA)
        for i in range(3)
    ]
    retried = deals.OpenDeal(deals_pb2.OpenDealRequest(
        deal=deals_pb2.Deal(title="Прогноз 0", partner_id=partner.id, amount=money("100.10"), expected_close_date=day(20)),
        request_id=request_id), metadata=ANNA)
    assert retried.id == opened[0].id

    first = deals.ListDeals(deals_pb2.ListDealsRequest(partner_id=partner.id, page={"limit": 2}), metadata=ANNA)
    assert len(first.deals) == 2 and first.page.next_cursor
    rest = deals.ListDeals(deals_pb2.ListDealsRequest(partner_id=partner.id, page={"limit": 2, "cursor": first.page.next_cursor}),
                           metadata=ANNA)
    listed = [d.id for d in [*first.deals, *rest.deals]]
    assert sorted(listed) == sorted(d.id for d in opened) and not rest.page.next_cursor
    assert first.deals[0].id == opened[-1].id  # newest first
    assert first.deals[0].amount.value == "100.10"

    forecast = deals.GetForecast(deals_pb2.GetForecastRequest(period="month", manager_id="anna"), metadata=ANNA)
    month = (TODAY + timedelta(days=20)).strftime("%Y-%m")
    row = next(r for r in forecast.rows if r.manager_id == "anna" and r.period == month)
    assert row.deals >= 3 and "." in row.weighted.value
    assert forecast.total_weighted.value


def test_bad_input_is_refused_with_field_violations_and_writes_nothing(partners, deals):
    partner = register(partners, "Плохие данные", kinds=("client",))
    error = refused(lambda: deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        partner_id="not-a-uuid", amount=money("-5"), currency="рубли")), metadata=ANNA), grpc.StatusCode.INVALID_ARGUMENT)
    assert {"title", "partner_id", "amount"} <= field_violations(error)
    error = refused(lambda: deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title="Без процесса", partner_id=partner.id, process_code="no_such_process")), metadata=ANNA),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert "process_code" in field_violations(error)
    assert not deals.ListDeals(deals_pb2.ListDealsRequest(partner_id=partner.id), metadata=ANNA).deals

    deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Проверки", partner_id=partner.id)),
                          metadata=ANNA)
    error = refused(lambda: move(deals, deal.id, "no_such_stage"), grpc.StatusCode.INVALID_ARGUMENT)
    assert "stage" in field_violations(error)
    error = refused(lambda: deals.AddOffer(deals_pb2.AddOfferRequest(deal_id=deal.id, offer=deals_pb2.Offer(
        lines=[deals_pb2.OfferLine(product="X", quantity=money("1"), price=money("-1"))])), metadata=ANNA),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert any(field.startswith("lines") for field in field_violations(error))
    error = refused(lambda: deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=deal.id, status="lost"), metadata=ANNA),
                    grpc.StatusCode.INVALID_ARGUMENT)
    assert "loss_reason" in field_violations(error)
    refused(lambda: deals.UpdateDeal(deals_pb2.UpdateDealRequest(
        deal_id=deal.id, update_mask=field_mask_pb2.FieldMask(paths=["status"])), metadata=ANNA), grpc.StatusCode.INVALID_ARGUMENT)
    refused(lambda: deals.GetDeal(deals_pb2.GetDealRequest(deal_id="nope"), metadata=ANNA), grpc.StatusCode.INVALID_ARGUMENT)
    unchanged = deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA)
    assert (unchanged.stage, unchanged.status, list(unchanged.offers)) == ("lead", "in_progress", [])

    lost = deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=deal.id, status="lost", loss_reason="price"),
                               metadata=ANNA)
    assert (lost.status, lost.loss_reason, lost.lost_at_stage) == ("lost", "price", "lead")


def test_another_managers_deal_is_not_found(partners, deals):
    partner = register(partners, "Чужая сделка", kinds=("client",))
    deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Сделка Анны", partner_id=partner.id)),
                          metadata=ANNA)
    for call in (
        lambda: deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=BORIS),
        lambda: move(deals, deal.id, "qualification", metadata=BORIS),
        lambda: deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=deal.id, status="postponed"), metadata=BORIS),
        lambda: deals.AddTask(deals_pb2.AddTaskRequest(deal_id=deal.id, task=deals_pb2.Task(title="x", due_date=day())),
                              metadata=BORIS),
    ):
        refused(call, grpc.StatusCode.NOT_FOUND)
    assert deal.id not in {d.id for d in deals.ListDeals(deals_pb2.ListDealsRequest(), metadata=BORIS).deals}
    assert deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ADMIN).manager_id == "anna"
    assert deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA).stage == "lead"


def test_client_card_deals_section_then_deals_stopped(partners, deals, cards, deals_service):
    partner = register(partners, "Карточка сделок", kinds=("client",))
    open_deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title="Открытая", partner_id=partner.id, amount=money("2000"), expected_close_date=day(15))), metadata=ANNA)
    move(deals, open_deal.id, "qualification")
    lost = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Проигранная", partner_id=partner.id)),
                          metadata=ANNA)
    deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=lost.id, status="lost", loss_reason="competitor"), metadata=ANNA)
    owed = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="С долгом", partner_id=partner.id,
                                                                        process_code="manual")), metadata=ANNA)
    deals.IssueInvoice(deals_pb2.IssueInvoiceRequest(deal_id=owed.id, invoice=deals_pb2.Invoice(
        number=f"INV-{uuid.uuid4().hex[:6]}", amount=money("300.00"), issued_on=day(-20), due_date=day(-5))), metadata=ANNA)

    request = card_pb2.GetClientCardRequest(partner_id=partner.id)
    card = cards.GetClientCard(request, metadata=ANNA)
    states = {s.name: s for s in card.sections}
    assert states["deals"].state == card_pb2.SECTION_STATE_AVAILABLE
    assert states["partners"].state == card_pb2.SECTION_STATE_AVAILABLE
    assert states["probe_section"].state == card_pb2.SECTION_STATE_AVAILABLE
    section = card.deals
    assert [d.id for d in section.open_deals] == [owed.id, open_deal.id]  # newest first
    shown = section.open_deals[1]
    assert (shown.stage, shown.stage_name, shown.amount.value, shown.currency) == (
        "qualification", "Client classified", "2000.00", "RUB")
    assert shown.expected_close_date.iso == day(15)["iso"]
    assert [(d.id, d.status, d.loss_reason) for d in section.recent_closed] == [(lost.id, "lost", "competitor")]
    assert section.pipeline_total.value == "2000.00" and section.pipeline_weighted.value == "400.00"
    assert section.invoices_owed.value == "300.00" and section.overdue_invoices == 1
    # Another manager sees neither the card nor the deals.
    refused(lambda: cards.GetClientCard(request, metadata=BORIS), grpc.StatusCode.NOT_FOUND)

    deals_service.stop()
    try:
        # Sections are cached per caller until an event changes them: a caller whose card is not
        # cached yet shows what a stopped service does to a card.
        card = cards.GetClientCard(request, metadata=ADMIN, timeout=10)
        states = {s.name: s for s in card.sections}
        assert card.partner.id == partner.id
        assert states["partners"].state == card_pb2.SECTION_STATE_AVAILABLE
        assert states["deals"].state == card_pb2.SECTION_STATE_UNAVAILABLE
        assert "deals" in states["deals"].reason
        assert not card.HasField("deals")
        # Client since is deals' to say (never the registration date): unknown without it.
        assert card.figures.client_since == "" and card.figures.registered_on == TODAY.isoformat()
        refused(lambda: deals.GetDeal(deals_pb2.GetDealRequest(deal_id=open_deal.id), metadata=ANNA, timeout=10),
                grpc.StatusCode.DEADLINE_EXCEEDED)
    finally:
        deals_service.start()

    def with_deals_back():
        card = cards.GetClientCard(request, metadata=ANNA, timeout=10)
        return card if {s.name: s.state for s in card.sections}["deals"] == card_pb2.SECTION_STATE_AVAILABLE else None

    card = eventually(with_deals_back, what="the deals section to come back")
    assert [d.id for d in card.deals.open_deals] == [owed.id, open_deal.id], card.deals


def test_client_card_figures_from_won_deals_invoices_and_payments(partners, deals, cards):
    partner = register(partners, "Цифры клиента", kinds=("client",))
    request = card_pb2.GetClientCardRequest(partner_id=partner.id)
    figures = cards.GetClientCard(request, metadata=ANNA).figures
    assert (figures.client_since, figures.deals_won, figures.total_paid.value) == ("", 0, "0.00")

    for amount in ("1000", "3000.50"):
        won = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
            title="Выигранная", partner_id=partner.id, process_code="manual", amount=money(amount))), metadata=ANNA)
        deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=won.id, status="won"), metadata=ANNA)
    lost = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title="Проигранная", partner_id=partner.id, amount=money("99999"))), metadata=ANNA)
    deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=lost.id, status="lost", loss_reason="price"), metadata=ANNA)
    billed = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title="Со счетами", partner_id=partner.id, process_code="manual", amount=money("900"))), metadata=ANNA)
    payments = []
    for offset, amount, paid in ((-60, "600.00", "600.00"), (-10, "300.00", "120.00")):
        invoice = deals.IssueInvoice(deals_pb2.IssueInvoiceRequest(deal_id=billed.id, invoice=deals_pb2.Invoice(
            number=f"INV-{uuid.uuid4().hex[:6]}", amount=money(amount), issued_on=day(offset), due_date=day(offset + 30))),
            metadata=ANNA)
        payments.append(deals.RecordPayment(deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
            amount=money(paid), paid_on=day(offset + 1), external_id=f"bank-{uuid.uuid4().hex}")), metadata=ANNA))

    def with_payments() -> card_pb2.ClientCard | None:
        card = cards.GetClientCard(request, metadata=ANNA)
        return card if card.figures.total_paid.value == "720.00" else None

    card = eventually(with_payments, what="the card's figures to follow the payments")
    figures = card.figures
    # Since the first invoice, 60 days ago: before the deals won today; the registration was today.
    assert (figures.client_since, figures.registered_on) == (day(-60)["iso"], TODAY.isoformat())
    assert (figures.deals_won, figures.average_deal.value, figures.total_paid.value) == (2, "2000.25", "720.00")
    assert (card.deals.client_since.iso, card.deals.deals_won) == (day(-60)["iso"], 2)


def test_cached_deals_section_follows_deal_changes(partners, deals, cards):
    partner = register(partners, "Кэш сделок", kinds=("client",))
    deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title="Кэшируемая", partner_id=partner.id, amount=money("100"))), metadata=ANNA)
    request = card_pb2.GetClientCardRequest(partner_id=partner.id)
    assert [d.amount.value for d in cards.GetClientCard(request, metadata=ANNA).deals.open_deals] == ["100.00"]
    deals.UpdateDeal(deals_pb2.UpdateDealRequest(deal_id=deal.id, deal=deals_pb2.Deal(amount=money("250")),
                                                 update_mask=field_mask_pb2.FieldMask(paths=["amount"])), metadata=ANNA)
    eventually(lambda: [d.amount.value for d in cards.GetClientCard(request, metadata=ANNA).deals.open_deals] == ["250.00"],
               what="the card to show the new amount")
