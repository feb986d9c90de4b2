"""Sales terms and documents that can be withdrawn, end to end through the gRPC gateway: the
partners and deals services on RabbitMQ and PostgreSQL. The agreement's credit days, discount and
prepayment bind invoices, offers and shipment (a head of sales overrides with a reason); an
agreement cancelled in partners reaches the deals that chose it; invoices are cancelled, offers
expire, tasks are listed across deals."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import grpc
import pytest
from crm.v1 import card_pb2, deals_pb2, partners_pb2
from sqlalchemy import create_engine, text

from tests.e2e.conftest import ADMIN, ANNA, BORIS, auth, token
from tests.e2e.test_deals import day, field_violations, money, move, precondition_violations, refused
from tests.support.platform import sqlalchemy_url
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

HEAD_NORTH = auth(token("head-north", ("head_of_sales",), department="north"))


def client(partners, name: str) -> partners_pb2.Partner:
    return partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(
        partner=partners_pb2.Partner(kinds=["client"], legal_form="legal_entity", region="msk", department="north",
                                     short_name=f"{name} {uuid.uuid4().hex[:6]}"),
        duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP,
    ), metadata=ANNA).partner


def approved_terms(partners, partner, **terms) -> partners_pb2.Agreement:
    agreement = partners.CreateAgreement(partners_pb2.CreateAgreementRequest(agreement=partners_pb2.Agreement(
        kind="individual", name=f"Условия {uuid.uuid4().hex[:4]}", partner_id=partner.id, **terms)), metadata=ANNA)
    return partners.SetAgreementStatus(partners_pb2.SetAgreementStatusRequest(agreement_id=agreement.id, status="approved"),
                                       metadata=ANNA)


def open_deal(deals, partner, **fields) -> deals_pb2.Deal:
    return deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title=f"Сделка {uuid.uuid4().hex[:4]}", partner_id=partner.id, region="msk", department="north", **fields)),
        metadata=ANNA)


def issue(deals, deal, due_in: int, metadata=ANNA, amount: str = "300", **request) -> deals_pb2.Invoice:
    return deals.IssueInvoice(deals_pb2.IssueInvoiceRequest(deal_id=deal.id, invoice=deals_pb2.Invoice(
        number=f"INV-{uuid.uuid4().hex[:6]}", amount=money(amount), due_date=day(due_in)), **request), metadata=metadata)


def pay(deals, invoice, amount: str) -> deals_pb2.Invoice:
    return deals.RecordPayment(deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
        amount=money(amount), paid_on=day(), external_id=f"bank-{uuid.uuid4().hex}")), metadata=ANNA)


def test_the_agreements_terms_bind_invoices_offers_and_shipment(partners, deals, cards):
    partner = client(partners, "Условия продаж")
    agreement = approved_terms(partners, partner, credit_days=14, discount_percent=money("5"),
                               prepayment_share=money("30"))
    deal = open_deal(deals, partner, amount=money("1000"), process_code="manual")
    deal = deals.ChooseTerms(deals_pb2.ChooseTermsRequest(deal_id=deal.id, agreement_id=agreement.id), metadata=ANNA)

    # An invoice due later than the credit days allow is refused, naming the rule.
    error = refused(lambda: issue(deals, deal, 20), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["rule"] == ["credit_days"] and "credit day" in error.details()
    # Only a head of sales or an admin overrides, with a reason recorded on the invoice.
    refused(lambda: issue(deals, deal, 20, override_reason="старый клиент"), grpc.StatusCode.PERMISSION_DENIED)
    overridden = issue(deals, deal, 20, metadata=HEAD_NORTH, override_reason="старый клиент")
    assert (list(overridden.terms_override.rules), overridden.terms_override.by, overridden.terms_override.reason) == (
        ["credit_days"], "head-north", "старый клиент")
    assert overridden.terms_override.agreement_id == agreement.id and overridden.terms_override.at.seconds > 0

    line = deals_pb2.OfferLine(product="Насос", quantity=money("1"), price=money("1000"), discount_percent=money("7"))
    error = refused(lambda: deals.AddOffer(deals_pb2.AddOfferRequest(deal_id=deal.id, offer=deals_pb2.Offer(lines=[line])),
                                           metadata=ANNA), grpc.StatusCode.FAILED_PRECONDITION)
    violations = precondition_violations(error)
    assert violations["rule"] == ["discount_percent"] and violations["lines"] == ["lines.0.discount_percent"]
    offer = deals.AddOffer(deals_pb2.AddOfferRequest(deal_id=deal.id, offer=deals_pb2.Offer(lines=[line]),
                                                     override_reason="распродажа"), metadata=ADMIN)
    assert offer.terms_override.rules == ["discount_percent"] and offer.terms_override.by == "admin-1"

    # 30 % of the deal's 1000 is paid before shipment, even in a manual process.
    invoice = issue(deals, deal, 10)
    pay(deals, invoice, "299.99")
    error = refused(lambda: move(deals, deal.id, "shipment"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["missing"] == ["prepayment_paid"]
    pay(deals, invoice, "0.01")
    assert move(deals, deal.id, "shipment").stage == "shipment"


def test_a_cancelled_agreement_reaches_the_deals_that_chose_it(partners, deals, cards):
    partner = client(partners, "Отмена условий")
    agreement = approved_terms(partners, partner, credit_days=30)
    deal = open_deal(deals, partner, amount=money("500"))
    move(deals, deal.id, "qualification")
    deals.ChooseTerms(deals_pb2.ChooseTermsRequest(deal_id=deal.id, agreement_id=agreement.id), metadata=ANNA)
    move(deals, deal.id, "terms")
    assert not deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA).terms_withdrawn

    partners.SetAgreementStatus(partners_pb2.SetAgreementStatusRequest(agreement_id=agreement.id, status="cancelled"),
                                metadata=ANNA)

    eventually(lambda: deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA).terms_withdrawn,
               what="the deal to learn its agreement was cancelled")
    card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ANNA)
    assert [(d.id, d.terms_withdrawn) for d in card.deals.open_deals] == [(deal.id, True)]
    error = refused(lambda: move(deals, deal.id, "offer"), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["missing"] == ["terms_chosen"]
    assert deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA).stage == "terms"  # made moves stay

    again = approved_terms(partners, partner, credit_days=30)
    chosen = deals.ChooseTerms(deals_pb2.ChooseTermsRequest(deal_id=deal.id, agreement_id=again.id), metadata=ANNA)
    assert not chosen.terms_withdrawn and move(deals, deal.id, "offer").stage == "offer"


def test_a_cancelled_invoice_is_never_overdue(partners, deals, cards):
    partner = client(partners, "Отмена счёта")
    deal = open_deal(deals, partner, amount=money("100"))
    invoice = deals.IssueInvoice(deals_pb2.IssueInvoiceRequest(deal_id=deal.id, invoice=deals_pb2.Invoice(
        number=f"INV-{uuid.uuid4().hex[:6]}", amount=money("100"), issued_on=day(-30), due_date=day(-3))), metadata=ANNA)
    assert invoice.overdue
    error = refused(lambda: deals.CancelInvoice(deals_pb2.CancelInvoiceRequest(invoice_id=invoice.id), metadata=ANNA),
                    grpc.StatusCode.INVALID_ARGUMENT)
    assert "reason" in field_violations(error)
    refused(lambda: deals.CancelInvoice(deals_pb2.CancelInvoiceRequest(invoice_id=invoice.id, reason="x"), metadata=BORIS),
            grpc.StatusCode.NOT_FOUND)

    cancelled = deals.CancelInvoice(deals_pb2.CancelInvoiceRequest(invoice_id=invoice.id, reason="выставлен ошибочно"),
                                    metadata=ANNA)

    assert (cancelled.status, cancelled.overdue, cancelled.cancel_reason, cancelled.cancelled_by) == (
        "cancelled", False, "выставлен ошибочно", "anna")
    assert not deals.ListInvoices(deals_pb2.ListInvoicesRequest(deal_id=deal.id, overdue_only=True), metadata=ANNA).invoices
    card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ANNA)
    assert card.deals.overdue_invoices == 0 and card.deals.invoices_owed.value in ("0", "0.00")
    refused(lambda: pay(deals, invoice, "10"), grpc.StatusCode.FAILED_PRECONDITION)


def test_offers_expire_at_valid_until(partners, deals, platform_env):
    partner = client(partners, "Срок предложения")
    deal = open_deal(deals, partner)
    offer = deals.AddOffer(deals_pb2.AddOfferRequest(deal_id=deal.id, offer=deals_pb2.Offer(
        lines=[deals_pb2.OfferLine(product="Насос", quantity=money("1"), price=money("10"))], valid_until=day(0))),
        metadata=ANNA)
    deals.SetOfferStatus(deals_pb2.SetOfferStatusRequest(offer_id=offer.id, status="sent"), metadata=ANNA)
    # Time passes: the offer's last day was yesterday (the scan runs every DEALS_OFFER_EXPIRY_SCAN_S).
    engine = create_engine(sqlalchemy_url(platform_env["DEALS_DATABASE_URL"]))
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE offers SET valid_until = :day WHERE id = :id"),
                               {"day": date.today() - timedelta(days=1), "id": offer.id})
    finally:
        engine.dispose()

    def status() -> str:
        return deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA).offers[0].status

    eventually(lambda: status() == "expired", what="the offer scan to expire the offer")
    refused(lambda: deals.SetOfferStatus(deals_pb2.SetOfferStatusRequest(offer_id=offer.id, status="accepted"),
                                         metadata=ANNA), grpc.StatusCode.FAILED_PRECONDITION)


def test_tasks_listed_per_responsible_and_overdue_across_the_department(partners, deals):
    partner = client(partners, "Задачи отдела")
    first, second = open_deal(deals, partner), open_deal(deals, partner)
    marker = uuid.uuid4().hex[:6]

    def add(deal, title: str, due_in: int, **fields) -> deals_pb2.Task:
        return deals.AddTask(deals_pb2.AddTaskRequest(deal_id=deal.id, task=deals_pb2.Task(
            title=f"{title} {marker}", due_date=day(due_in), **fields)), metadata=ANNA)

    late = add(first, "перезвонить", -2)
    later = add(second, "отправить документы", -1, responsible_id=f"olga-{marker}")
    add(second, "встреча", 5)

    def listed(metadata=ANNA, **request) -> list[str]:
        answer = deals.ListTasks(deals_pb2.ListTasksRequest(**request), metadata=metadata)
        return [task.id for task in answer.tasks if task.title.endswith(marker)]

    assert listed(HEAD_NORTH, overdue_only=True) == [late.id, later.id]  # the department's, soonest due first
    assert listed(responsible_id=f"olga-{marker}") == [later.id]
    assert listed(BORIS, overdue_only=True) == []
    error = refused(lambda: deals.ListTasks(deals_pb2.ListTasksRequest(kind="chore"), metadata=ANNA),
                    grpc.StatusCode.INVALID_ARGUMENT)
    assert "kind" in field_violations(error)
