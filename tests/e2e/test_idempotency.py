"""Idempotency keys through the gateway: a client that did not hear the answer (a deadline, a
dropped connection) retries with the same request_id and gets the first result, with nothing
written twice; the same key for another request is INVALID_ARGUMENT naming request_id."""

from __future__ import annotations

import uuid

import grpc
import pytest
from crm.v1 import deals_pb2, interactions_pb2, partners_pb2

from tests.e2e.conftest import ANNA
from tests.e2e.test_deals import day, field_violations, money, refused, register

pytestmark = pytest.mark.e2e


def key() -> str:
    return str(uuid.uuid4())


def test_a_retried_invoice_and_payment_make_one_invoice_and_one_payment(partners, deals):
    partner = register(partners, "Повторы", kinds=("client",))
    deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title="Повторы", partner_id=partner.id, process_code="manual")), metadata=ANNA)
    invoice_request = deals_pb2.IssueInvoiceRequest(deal_id=deal.id, invoice=deals_pb2.Invoice(
        number=f"INV-{uuid.uuid4().hex[:6]}", amount=money("1000.00"), due_date=day(10)), request_id=key())
    invoice = deals.IssueInvoice(invoice_request, metadata=ANNA)
    again = deals.IssueInvoice(invoice_request, metadata=ANNA)
    assert again.id == invoice.id

    payment_request = deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
        amount=money("400.00"), paid_on=day(), external_id=f"bank-{uuid.uuid4().hex}"), request_id=key())
    paid = deals.RecordPayment(payment_request, metadata=ANNA)
    retried = deals.RecordPayment(payment_request, metadata=ANNA)
    assert paid.balance.value == retried.balance.value == "600.00"

    other = deals_pb2.RecordPaymentRequest(invoice_id=invoice.id, payment=deals_pb2.Payment(
        amount=money("100.00"), paid_on=day(), external_id=f"bank-{uuid.uuid4().hex}"), request_id=payment_request.request_id)
    error = refused(lambda: deals.RecordPayment(other, metadata=ANNA), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(error) == {"request_id"}

    full = deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=ANNA)
    assert [i.id for i in full.invoices] == [invoice.id]
    assert len(full.invoices[0].payments) == 1 and full.invoices[0].balance.value == "600.00"


def test_a_retried_contact_and_interaction_are_written_once(partners, interactions):
    partner = register(partners, "Повторы контактов", kinds=("client",))
    contact_request = partners_pb2.AddContactRequest(partner_id=partner.id, contact=partners_pb2.Contact(
        full_name="Иван Повторов"), request_id=key())
    contact = partners.AddContact(contact_request, metadata=ANNA)
    assert partners.AddContact(contact_request, metadata=ANNA).id == contact.id
    listed = partners.ListContacts(partners_pb2.ListContactsRequest(partner_id=partner.id), metadata=ANNA).contacts
    assert [c.id for c in listed] == [contact.id]

    interaction_request = interactions_pb2.RegisterInteractionRequest(interaction=interactions_pb2.Interaction(
        kind="call", subject_kind="partner", subject_id=partner.id, direction="incoming", title="Повтор"),
        request_id=key())
    first = interactions.Register(interaction_request, metadata=ANNA)
    assert interactions.Register(interaction_request, metadata=ANNA).id == first.id
    listed = interactions.ListBySubject(interactions_pb2.ListBySubjectRequest(
        subject_kind="partner", subject_id=partner.id), metadata=ANNA).interactions
    assert [i.id for i in listed] == [first.id]
