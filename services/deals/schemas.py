"""marshmallow schemas of the deals service's RPC payloads, and the views it answers with.

Loading a payload checks every field at once (types, lengths, UUIDs, dates, money through
domain/money.py), so a caller hears of every bad field in one ValidationError before anything
is written. Views are plain functions returning JSON values: money as decimal strings, dates
and times as ISO text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from crm_kit.errors import ValidationError as CrmValidationError
from services.deals.domain import forecast as forecast_rules
from services.deals.domain import money as money_rules
from services.deals.domain import status as status_rules
from services.deals.domain.process import SalesProcess

DOCUMENT_KINDS = ("order", "contract", "shipment", "other")
SUPPLIER_ORDER_STATUSES = ("draft", "placed", "confirmed", "received", "cancelled")
TASK_KINDS = ("work", "reminder")
OFFER_TARGETS = ("sent", "accepted", "rejected")
DEFAULT_CURRENCY = "RUB"
DEFAULT_PROCESS_CODE = "standard"


def _text(max_len: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_len), **kwargs)


def _required_text(max_len: int, **kwargs) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=max_len), **kwargs)


def _optional_text(max_len: int) -> fields.String:
    return _text(max_len, load_default=None, allow_none=True)


class Id(fields.UUID):
    """A UUID, loaded as its canonical text (the models keep ids as strings)."""

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        return str(loaded) if loaded is not None else None


class Money(fields.Field):
    """An amount read by domain/money.py: a decimal quantized to 0.01, refusing NaN, infinities,
    negatives and (with ``positive``) zero."""

    def __init__(self, *, positive: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.positive = positive

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return money_rules.money(value, attr or "amount", allow_zero=not self.positive)
        except CrmValidationError as exc:
            raise ValidationError([m for msgs in (exc.details or {}).values() for m in msgs] or [exc.message]) from None


class Currency(fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=validate.Regexp(r"^[A-Z]{3}$", error="an ISO 4217 code such as RUB"), **kwargs)


class Base(Schema):
    class Meta:
        unknown = EXCLUDE  # older and newer clients send fields we do not know; ignore them


class DealIn(Base):
    title = _required_text(300)
    partner_id = Id(required=True)
    contact_id = Id(load_default=None, allow_none=True)
    process_code = fields.String(load_default=DEFAULT_PROCESS_CODE, validate=validate.Length(min=1, max=64))
    amount = Money(load_default=Decimal("0.00"))
    currency = Currency(load_default=DEFAULT_CURRENCY)
    expected_close_date = fields.Date(load_default=None, allow_none=True)
    manager_id = _optional_text(64)
    region = _optional_text(100)
    department = _optional_text(100)
    source = _optional_text(50)
    source_ref = _optional_text(100)


class OpenOptions(Base):
    request_id = _optional_text(100)


class CallLeadIn(Base):
    partner_id = Id(required=True)
    call_id = _required_text(100)
    phone = _optional_text(40)
    manager_id = _optional_text(64)
    title = _text(300, load_default=None, allow_none=True)
    region = _optional_text(100)
    department = _optional_text(100)


# The fields update_deal changes; stage, status, terms and manager have their own methods.
UPDATABLE = ("title", "amount", "currency", "expected_close_date", "contact_id")


class DealChanges(Base):
    title = fields.String(validate=validate.Length(min=1, max=300))
    amount = Money()
    currency = Currency()
    expected_close_date = fields.Date(allow_none=True)
    contact_id = Id(allow_none=True)


class DealFilters(Base):
    partner_id = Id(load_default=None, allow_none=True)
    manager_id = _optional_text(64)
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(status_rules.STATUSES))
    stage = _optional_text(64)
    process_code = _optional_text(64)
    text = _optional_text(300)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = _optional_text(500)


class MoveIn(Base):
    stage = _required_text(64)
    note = _optional_text(2000)


class StatusIn(Base):
    status = fields.String(required=True, validate=validate.OneOf(status_rules.STATUSES))
    loss_reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(status_rules.LOSS_REASONS))
    competitor_id = Id(load_default=None, allow_none=True)
    note = _optional_text(2000)


class TermsIn(Base):
    agreement_id = Id(required=True)


class OfferLineIn(Base):
    product = _required_text(300)
    quantity = fields.Decimal(
        required=True, places=3, allow_nan=False,
        validate=validate.Range(min=0, min_inclusive=False, error="must be more than zero"),
    )
    unit = _optional_text(20)
    price = Money(required=True)
    discount_percent = fields.Decimal(
        load_default=Decimal("0"), allow_none=True, places=2, allow_nan=False,
        validate=validate.Range(min=0, max=100, error="must be a percentage from 0 to 100"),
    )


class OfferIn(Base):
    lines = fields.List(fields.Nested(OfferLineIn), required=True, validate=validate.Length(min=1, max=500))
    valid_until = fields.Date(load_default=None, allow_none=True)
    currency = Currency(load_default=None, allow_none=True)


class OfferStatusIn(Base):
    status = fields.String(required=True, validate=validate.OneOf(OFFER_TARGETS))


class TaskIn(Base):
    title = _required_text(500)
    due_date = fields.Date(required=True)
    responsible_id = _optional_text(64)
    kind = fields.String(load_default="work", validate=validate.OneOf(TASK_KINDS))


class DocumentIn(Base):
    kind = fields.String(required=True, validate=validate.OneOf(DOCUMENT_KINDS))
    number = _optional_text(100)
    date = fields.Date(load_default=None, allow_none=True)
    url = _optional_text(2000)

    @validates_schema
    def _number_or_url(self, data, **_):
        if not (data.get("number") or data.get("url")):
            raise ValidationError({"number": ["give the document's number or a link to it (url)"]})


class SupplierOrderIn(Base):
    supplier_id = Id(required=True)
    number = _optional_text(100)
    amount = Money(load_default=None, allow_none=True)
    currency = Currency(load_default=None, allow_none=True)
    status = fields.String(load_default="placed", validate=validate.OneOf(SUPPLIER_ORDER_STATUSES))


class InvoiceIn(Base):
    number = _required_text(50)
    amount = Money(required=True, positive=True)
    due_date = fields.Date(required=True)
    issued_on = fields.Date(load_default=None, allow_none=True)
    currency = Currency(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)  # report the dates with the other fields
    def _dates(self, data, **_):
        issued_on = data.get("issued_on") or date.today()
        if data.get("due_date") and data["due_date"] < issued_on:
            raise ValidationError({"due_date": [f"is before the issue date {issued_on.isoformat()}"]})


class PaymentIn(Base):
    amount = Money(required=True, positive=True)
    paid_on = fields.Date(required=True)
    external_id = _required_text(100)
    source = _optional_text(50)


class InvoiceFilters(Base):
    partner_id = Id(load_default=None, allow_none=True)
    deal_id = Id(load_default=None, allow_none=True)
    overdue_only = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    cursor = _optional_text(500)


class ForecastIn(Base):
    period = fields.String(load_default=forecast_rules.MONTH, validate=validate.OneOf(forecast_rules.PERIODS))
    date_from = fields.Date(load_default=None, allow_none=True)
    date_to = fields.Date(load_default=None, allow_none=True)
    manager_id = _optional_text(64)

    @validates_schema
    def _range(self, data, **_):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError({"date_to": ["ends before date_from"]})


# --- views: what the service answers with (plain functions: they run on every read) --------

def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite hands back UTC times without their offset
    return value


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = aware(value)
    return value.isoformat()


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
    }


def deal_view(deal, process: SalesProcess | None, today: date | None = None) -> dict:
    """The deal with everything it holds: history, offers, tasks, documents, supplier orders,
    invoices with balances."""
    today = today or date.today()
    view = deal_summary(deal, process)
    view.update(
        contact_id=deal.contact_id,
        agreement_id=deal.agreement_id,
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
