"""Invoices for deals and the payments recorded against them (from the accounting system).

A payment is applied once per ``external_id``, however often it is sent; the invoice keeps the
running sum paid and its state (issued, partially paid, paid: domain/money.py), and an
overpayment is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contracts import deals as events
from crm_kit.access import require_sales_head
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import Conflict, PreconditionFailed
from crm_kit.paging import newest_first_page
from crm_kit.validation import load
from services.deals.domain import money as money_rules
from services.deals.domain import status as status_rules
from services.deals.domain import terms as terms_rules
from services.deals.models import Deal, Invoice, Payment
from services.deals.schemas import CancelInvoiceIn, DocumentOptions, InvoiceFilters, InvoiceIn, PaymentIn
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import DEALS, invoice_for_change
from services.deals.usecases.stages import deal_terms
from services.deals.views import invoice_view


def about_invoice(deal: Deal, invoice: Invoice, view: dict[str, Any]) -> dict[str, Any]:
    """What invoice events say of their invoice (with its deal's AboutDeal)."""
    return {**about_deal(deal), "invoice_id": invoice.id, "number": invoice.number, "amount": view["amount"],
            "currency": invoice.currency}


def terms_override(actor: Actor, breaches: list[terms_rules.Breach], agreement_id: str | None,
                   reason: str | None) -> dict[str, Any] | None:
    """The override to record on a document that breaks the deal's terms (None when it keeps
    them); refuses one without a reason (PreconditionFailed naming the rule) and an override by
    someone other than a head of sales or an admin (PermissionDenied)."""
    if breaches and reason:
        require_sales_head(actor, "override the deal's sales terms")
    reason = reason.strip() if reason else None
    return terms_rules.refuse_or_override(breaches, agreement_id, reason, actor.user_id, utcnow().isoformat())


def issue_invoice(uow: UnitOfWork, actor: Actor, deal_id: str, payload: Any, options: Any = None) -> dict[str, Any]:
    """Issue an invoice to the deal's partner. Refuses a missing number, an amount not above
    zero, a due date before the issue date (ValidationError), a number the deal already has
    (Conflict), a lost deal, and a due date later than the deal's agreement allows (its credit
    days: PreconditionFailed with ``rule`` "credit_days") unless a head of sales or an admin
    gives ``options.override_reason`` (recorded as the invoice's ``terms_override``)."""
    data = load(InvoiceIn(), payload, what="invoice")
    opts = load(DocumentOptions(), options or {}, what="options")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    if deal.status == status_rules.LOST:
        raise PreconditionFailed(f"deal {deal.id} is lost: no invoice is issued for it", {"status": deal.status})
    number = data["number"].strip()
    if session.scalar(select(Invoice.id).where(Invoice.deal_id == deal.id, Invoice.number == number)):
        raise Conflict(f"deal {deal.id} already has invoice {number}", {"number": number, "deal_id": deal.id})
    issued_on = data["issued_on"] or date.today()
    breaches = terms_rules.invoice_breaches(deal_terms(deal), issued_on, data["due_date"])
    override = terms_override(actor, breaches, deal.agreement_id, opts["override_reason"])
    invoice = Invoice(
        deal_id=deal.id,
        partner_id=deal.partner_id,
        number=number,
        issued_on=issued_on,
        due_date=data["due_date"],
        terms_override=override,
        amount=data["amount"],
        currency=data["currency"] or deal.currency,
        paid=money_rules.ZERO,
        status=money_rules.ISSUED,
        created_by=actor.user_id,
    )
    deal.invoices.append(invoice)
    session.flush()
    view = invoice_view(invoice, date.today())
    uow.emit(events.INVOICE_ISSUED, {
        **about_invoice(deal, invoice, view),
        "issued_on": view["issued_on"],
        "due_date": view["due_date"],
    })
    return view


def cancel_invoice(uow: UnitOfWork, actor: Actor, invoice_id: str, payload: Any) -> dict[str, Any]:
    """Withdraw an invoice with a ``reason``: it is never overdue and never a debt after this
    (the overdue scan reads unpaid invoices only), and takes no payment. Cancelling a cancelled
    invoice again changes nothing (a retried call is harmless). Refuses a missing reason
    (ValidationError on ``reason``) and an invoice with payments recorded against it
    (PreconditionFailed: the money is the accounting system's to return first)."""
    data = load(CancelInvoiceIn(), payload, what="cancellation")
    session = uow.session
    invoice, deal = invoice_for_change(session, actor, invoice_id)  # locked: against payments and the scan
    if invoice.status == money_rules.CANCELLED:
        return invoice_view(invoice, date.today())
    if invoice.paid > 0:
        raise PreconditionFailed(
            f"invoice {invoice.number} has payments of {invoice.paid}: it cannot be cancelled",
            {"status": invoice.status, "paid": str(invoice.paid), "invoice_id": invoice.id},
        )
    was_overdue_notified = invoice.overdue_notified_at is not None
    invoice.status = money_rules.CANCELLED
    invoice.cancelled_at = utcnow()
    invoice.cancelled_by = actor.user_id
    invoice.cancel_reason = data["reason"].strip()
    session.flush()
    view = invoice_view(invoice, date.today())
    uow.emit(events.INVOICE_CANCELLED, {
        **about_invoice(deal, invoice, view),
        "reason": invoice.cancel_reason,
        "cancelled_at": view["cancelled_at"],
        "was_overdue": was_overdue_notified,
    })
    return view


def record_payment(uow: UnitOfWork, actor: Actor, invoice_id: str, payload: Any) -> dict[str, Any]:
    """Apply a payment to an invoice; answers the invoice. A payment whose ``external_id`` was
    applied before is not applied again (the answer says ``replayed``). Refuses an amount not
    above zero or past the balance owed (ValidationError on ``amount``), an ``external_id``
    already used for another invoice (Conflict), and a cancelled invoice (PreconditionFailed)."""
    data = load(PaymentIn(), payload, what="payment")
    session = uow.session
    invoice, deal = invoice_for_change(session, actor, invoice_id)  # locked: payments serialise
    earlier = session.scalar(select(Payment).where(Payment.external_id == data["external_id"]))
    if earlier is not None:
        if earlier.invoice_id != invoice.id:
            raise Conflict(
                f"payment {data['external_id']} was applied to another invoice",
                {"external_id": data["external_id"], "invoice_id": earlier.invoice_id},
            )
        return {**invoice_view(invoice, date.today()), "replayed": True}
    if invoice.status == money_rules.CANCELLED:
        raise PreconditionFailed(f"invoice {invoice.number} is cancelled", {"status": invoice.status})
    money_rules.check_payment(invoice.amount, invoice.paid, data["amount"])
    payment = Payment(
        invoice_id=invoice.id,
        amount=data["amount"],
        paid_on=data["paid_on"],
        external_id=data["external_id"],
        source=data["source"],
        created_by=actor.user_id,
    )
    try:
        # The same external_id sent for two invoices at once: the unique key lets one in.
        with session.begin_nested():
            invoice.payments.append(payment)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"payment {data['external_id']} is being applied elsewhere", {"external_id": data["external_id"]}
        ) from None
    invoice.paid = money_rules.money(invoice.paid + payment.amount)
    invoice.status = money_rules.invoice_state(invoice.amount, invoice.paid)
    session.flush()
    view = invoice_view(invoice, date.today())
    uow.emit(events.PAYMENT_RECEIVED, {
        **about_deal(deal),
        "invoice_id": invoice.id,
        "amount": str(payment.amount),
        "balance": view["balance"],
        "paid_in_full": invoice.status == money_rules.PAID,
        "external_id": payment.external_id,
        "paid_on": payment.paid_on.isoformat(),
        "currency": invoice.currency,
    })
    return view


def list_invoices(session: Session, actor: Actor, filters: Any, today: date | None = None) -> dict[str, Any]:
    """Invoices of the deals the actor may see, newest first, by partner and/or deal, optionally
    only those unpaid past their due date; ``next_cursor`` pages on."""
    data = load(InvoiceFilters(), filters or {}, what="filters")
    today = today or date.today()
    query = select(Invoice).where(Invoice.deal_id.in_(select(Deal.id).where(DEALS.visible(actor))))
    if data["partner_id"]:
        query = query.where(Invoice.partner_id == data["partner_id"])
    if data["deal_id"]:
        query = query.where(Invoice.deal_id == data["deal_id"])
    if data["overdue_only"]:
        query = query.where(Invoice.status.in_(money_rules.UNPAID_STATUSES), Invoice.due_date < today)
    items, next_cursor = newest_first_page(session, query, Invoice, data["cursor"], data["limit"])
    return {"items": [invoice_view(invoice, today) for invoice in items], "next_cursor": next_cursor}

