"""What the deals service answers with: plain functions from records to JSON values (they run
on every read): money as decimal strings, dates and times as ISO text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crm_kit import reads
from crm_kit.views import iso
from services.deals.domain import money as money_rules
from services.deals.domain import terms as terms_rules
from services.deals.domain.process import SalesProcess
from services.deals.models import Deal


def money_text(value: Decimal | None) -> str | None:
    return None if value is None else str(money_rules.money(value, allow_negative=True))


def process_view(record) -> dict:
    return {
        "code": record.code,
        "name": record.name,
        "mode": record.mode,
        "stages": list(record.stages or []),
        "created_at": iso(record.created_at),
    }


def _stage_facts(deal, process: SalesProcess | None) -> tuple[str | None, int]:
    stage = process.stage(deal.stage) if process is not None and deal.stage else None
    return (stage.name if stage else None), (stage.probability if stage else 0)


def deal_summary(deal, process: SalesProcess | None) -> dict:
    stage_name, probability = _stage_facts(deal, process)
    return {
        "id": deal.id,
        "title": deal.title,
        "partner_id": deal.partner_id,
        "process_code": deal.process_code,
        "stage": deal.stage,
        "stage_name": stage_name,
        "probability": probability,
        "status": deal.status,
        "amount": money_text(deal.amount),
        "currency": deal.currency,
        "expected_close_date": iso(deal.expected_close_date),
        "manager_id": deal.manager_id,
        "region": deal.region,
        "department": deal.department,
        "created_at": iso(deal.created_at),
        "updated_at": iso(deal.updated_at),
        "stage_entered_at": iso(deal.stage_entered_at),
        "closed_at": iso(deal.closed_at),
        "source": deal.source,
    }


def stage_stay_view(stay) -> dict:
    return {
        "id": stay.id,
        "stage": stay.stage,
        "entered_at": iso(stay.entered_at),
        "left_at": iso(stay.left_at),
        "entered_by": stay.entered_by,
        "left_by": stay.left_by,
        "note": stay.note,
    }


def offer_line_view(line) -> dict:
    return {
        "product": line.product,
        "quantity": format(Decimal(line.quantity).normalize(), "f"),
        "unit": line.unit,
        "price": money_text(line.price),
        "discount_percent": str(line.discount_percent),
        "amount": money_text(line.amount),
    }


def offer_view(offer, partner_id: str | None) -> dict:
    return {
        "id": offer.id,
        "deal_id": offer.deal_id,
        "partner_id": partner_id,
        "status": offer.status,
        "lines": [offer_line_view(line) for line in offer.lines],
        "valid_until": iso(offer.valid_until),
        "total": money_text(offer.total),
        "currency": offer.currency,
        "sent_at": iso(offer.sent_at),
        "decided_at": iso(offer.decided_at),
        "created_at": iso(offer.created_at),
        "created_by": offer.created_by,
        "terms_override": offer.terms_override,
    }


def task_view(task) -> dict:
    return {
        "id": task.id,
        "deal_id": task.deal_id,
        "title": task.title,
        "due_date": iso(task.due_date),
        "responsible_id": task.responsible_id,
        "done": bool(task.done),
        "done_at": iso(task.done_at),
        "kind": task.kind,
        "created_by": task.created_by,
        "created_at": iso(task.created_at),
    }


def document_view(document) -> dict:
    return {
        "id": document.id,
        "deal_id": document.deal_id,
        "kind": document.kind,
        "number": document.number,
        "date": iso(document.date),
        "url": document.url,
        "created_at": iso(document.created_at),
        "created_by": document.created_by,
    }


def supplier_order_view(order) -> dict:
    return {
        "id": order.id,
        "deal_id": order.deal_id,
        "supplier_id": order.supplier_id,
        "number": order.number,
        "amount": money_text(order.amount),
        "currency": order.currency,
        "status": order.status,
        "created_at": iso(order.created_at),
        "created_by": order.created_by,
    }


def payment_view(payment) -> dict:
    return {
        "id": payment.id,
        "invoice_id": payment.invoice_id,
        "amount": money_text(payment.amount),
        "paid_on": iso(payment.paid_on),
        "external_id": payment.external_id,
        "source": payment.source,
        "created_at": iso(payment.created_at),
    }


def days_overdue(invoice, today: date) -> int:
    """Whole days an unpaid invoice is past its due date (0 when it is not)."""
    if invoice.status not in money_rules.UNPAID_STATUSES or invoice.due_date >= today:
        return 0
    return (today - invoice.due_date).days


def invoice_view(invoice, today: date) -> dict:
    late = days_overdue(invoice, today)
    return {
        "id": invoice.id,
        "deal_id": invoice.deal_id,
        "partner_id": invoice.partner_id,
        "number": invoice.number,
        "issued_on": iso(invoice.issued_on),
        "due_date": iso(invoice.due_date),
        "amount": money_text(invoice.amount),
        "currency": invoice.currency,
        "paid": money_text(invoice.paid),
        "balance": money_text(money_rules.invoice_balance(invoice.amount, [invoice.paid])),
        "status": invoice.status,
        "overdue": late > 0,
        "days_overdue": late,
        "payments": [payment_view(p) for p in invoice.payments],
        "created_at": iso(invoice.created_at),
        "overdue_notified_at": iso(invoice.overdue_notified_at),
        "terms_override": invoice.terms_override,
        "cancelled_at": iso(invoice.cancelled_at),
        "cancelled_by": invoice.cancelled_by,
        "cancel_reason": invoice.cancel_reason,
    }


def deal_view(deal, process: SalesProcess | None, today: date | None = None) -> dict:
    """The deal with everything it holds: history, offers, tasks, documents, supplier orders,
    invoices with balances."""
    today = today or date.today()
    view = deal_summary(deal, process)
    view.update(
        contact_id=deal.contact_id,
        agreement_id=deal.agreement_id,
        terms_withdrawn=deal.agreement_status in terms_rules.WITHDRAWN_STATUSES,
        partner_is_client=bool(deal.partner_is_client),
        loss_reason=deal.loss_reason,
        lost_at_stage=deal.lost_at_stage,
        competitor_id=deal.competitor_id,
        source_ref=deal.source_ref,
        created_by=deal.created_by,
        request_id=deal.request_id,
        stage_history=[stage_stay_view(stay) for stay in deal.history],
        offers=[offer_view(offer, deal.partner_id) for offer in deal.offers],
        tasks=[task_view(task) for task in deal.tasks],
        documents=[document_view(document) for document in deal.documents],
        supplier_orders=[supplier_order_view(order) for order in deal.supplier_orders],
        invoices=[invoice_view(invoice, today) for invoice in deal.invoices],
    )
    return view


def assignment_view(row) -> dict:
    """One handing over of a deal: to whom, from whom, why, when, by whom, in which handover."""
    return {
        "manager_id": row.manager_id,
        "previous_manager_id": row.previous_manager_id,
        "region": row.region,
        "department": row.department,
        "reason": row.reason,
        "handover_id": row.handover_id,
        "tasks_moved": row.tasks_moved,
        "changed_at": iso(row.changed_at),
        "changed_by": row.changed_by,
    }


# --- the client card's deals section as SQL documents (crm_kit.reads): what the card shows of a
# deal, written by the database as the functions above would write it.
CARD_OPEN_DEAL = reads.record(
    id=Deal.id, title=Deal.title, process_code=Deal.process_code, stage=Deal.stage, status=Deal.status,
    amount=Deal.amount, currency=Deal.currency, expected_close_date=Deal.expected_close_date,
    agreement_status=Deal.agreement_status,
)
CARD_CLOSED_DEAL = reads.record(
    id=Deal.id, title=Deal.title, status=Deal.status, loss_reason=Deal.loss_reason, closed_at=Deal.closed_at,
    amount=Deal.amount,
)
