"""marshmallow schemas of the deals service's RPC payloads (what it answers with is in
views.py).

Loading a payload checks every field at once (types, lengths, UUIDs, dates, money through
domain/money.py), so a caller hears of every bad field in one ValidationError before anything
is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from crm_kit.errors import ValidationError as CrmValidationError
from crm_kit.fields import (
    Currency,
    Id,
    Payload,
    messages_of,
    one_of,
    optional_date,
    optional_id,
    optional_one_of,
    optional_text,
    page_cursor,
    page_size,
    required_text,
)
from services.deals.domain import forecast as forecast_rules
from services.deals.domain import money as money_rules
from services.deals.domain import status as status_rules

DOCUMENT_KINDS = ("order", "contract", "shipment", "other")
SUPPLIER_ORDER_STATUSES = ("draft", "placed", "confirmed", "received", "cancelled")
TASK_KINDS = ("work", "reminder")
OFFER_TARGETS = ("sent", "accepted", "rejected")
DEFAULT_CURRENCY = "RUB"
DEFAULT_PROCESS_CODE = "standard"


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
            raise ValidationError(messages_of(exc)) from None


class DealIn(Payload):
    title = required_text(300)
    partner_id = Id(required=True)
    contact_id = optional_id()
    process_code = fields.String(load_default=DEFAULT_PROCESS_CODE, validate=validate.Length(min=1, max=64))
    amount = Money(load_default=Decimal("0.00"))
    currency = Currency(load_default=DEFAULT_CURRENCY)
    expected_close_date = optional_date()
    manager_id = optional_text(64)
    region = optional_text(100)
    department = optional_text(100)
    source = optional_text(50)
    source_ref = optional_text(100)


class OpenOptions(Payload):
    request_id = optional_text(100)


class CallLeadIn(Payload):
    partner_id = Id(required=True)
    call_id = required_text(100)
    phone = optional_text(40)
    manager_id = optional_text(64)
    title = optional_text(300)
    region = optional_text(100)
    department = optional_text(100)


# The fields update_deal changes; stage, status, terms and manager have their own methods.
UPDATABLE = ("title", "amount", "currency", "expected_close_date", "contact_id")


class DealChanges(Payload):
    title = fields.String(validate=validate.Length(min=1, max=300))
    amount = Money()
    currency = Currency()
    expected_close_date = fields.Date(allow_none=True)
    contact_id = Id(allow_none=True)


class DealFilters(Payload):
    partner_id = optional_id()
    manager_id = optional_text(64)
    status = optional_one_of(status_rules.STATUSES)
    stage = optional_text(64)
    process_code = optional_text(64)
    text = optional_text(300)
    limit = page_size(50, 500)
    cursor = page_cursor()


class MoveIn(Payload):
    stage = required_text(64)
    note = optional_text(2000)


class StatusIn(Payload):
    status = one_of(status_rules.STATUSES, required=True)
    loss_reason = optional_one_of(status_rules.LOSS_REASONS)
    competitor_id = optional_id()
    note = optional_text(2000)


class TermsIn(Payload):
    agreement_id = Id(required=True)


class OfferLineIn(Payload):
    product = required_text(300)
    quantity = fields.Decimal(
        required=True, places=3, allow_nan=False,
        validate=validate.Range(min=0, min_inclusive=False, error="must be more than zero"),
    )
    unit = optional_text(20)
    price = Money(required=True)
    discount_percent = fields.Decimal(
        load_default=Decimal("0"), allow_none=True, places=2, allow_nan=False,
        validate=validate.Range(min=0, max=100, error="must be a percentage from 0 to 100"),
    )


class OfferIn(Payload):
    lines = fields.List(fields.Nested(OfferLineIn), required=True, validate=validate.Length(min=1, max=500))
    valid_until = optional_date()
    currency = Currency(load_default=None, allow_none=True)


class OfferStatusIn(Payload):
    status = one_of(OFFER_TARGETS, required=True)


class TaskIn(Payload):
    title = required_text(500)
    due_date = fields.Date(required=True)
    responsible_id = optional_text(64)
    kind = one_of(TASK_KINDS, load_default="work")


class DocumentIn(Payload):
    kind = one_of(DOCUMENT_KINDS, required=True)
    number = optional_text(100)
    date = optional_date()
    url = optional_text(2000)

    @validates_schema
    def _number_or_url(self, data, **_):
        if not (data.get("number") or data.get("url")):
            raise ValidationError({"number": ["give the document's number or a link to it (url)"]})


class SupplierOrderIn(Payload):
    supplier_id = Id(required=True)
    number = optional_text(100)
    amount = Money(load_default=None, allow_none=True)
    currency = Currency(load_default=None, allow_none=True)
    status = one_of(SUPPLIER_ORDER_STATUSES, load_default="placed")


class InvoiceIn(Payload):
    number = required_text(50)
    amount = Money(required=True, positive=True)
    due_date = fields.Date(required=True)
    issued_on = optional_date()
    currency = Currency(load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)  # report the dates with the other fields
    def _dates(self, data, **_):
        issued_on = data.get("issued_on") or date.today()
        if data.get("due_date") and data["due_date"] < issued_on:
            raise ValidationError({"due_date": [f"is before the issue date {issued_on.isoformat()}"]})


def _not_blank(value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValidationError("must not be blank: say why")


class DocumentOptions(Payload):
    """How a document is made: ``override_reason``, a head of sales' or admin's reason to let it
    break the deal's sales terms (recorded on the document)."""

    override_reason = fields.String(load_default=None, allow_none=True,
                                    validate=[validate.Length(max=500), _not_blank])


class CancelInvoiceIn(Payload):
    reason = fields.String(required=True, validate=[validate.Length(min=1, max=500), _not_blank])


class TaskFilters(Payload):
    """list_tasks: whose (``responsible_id``), which deal, only overdue ones (open and due
    before today), done ones too."""

    responsible_id = optional_text(64)
    deal_id = optional_id()
    kind = optional_one_of(TASK_KINDS)
    overdue_only = fields.Boolean(load_default=False)
    include_done = fields.Boolean(load_default=False)
    limit = page_size(100, 500)
    cursor = page_cursor()

    @validates_schema
    def _open_when_overdue(self, data, **_):
        if data.get("overdue_only") and data.get("include_done"):
            raise ValidationError({"include_done": ["a done task is never overdue: give overdue_only or include_done"]})


class PaymentIn(Payload):
    amount = Money(required=True, positive=True)
    paid_on = fields.Date(required=True)
    external_id = required_text(100)
    source = optional_text(50)


class InvoiceFilters(Payload):
    partner_id = optional_id()
    deal_id = optional_id()
    overdue_only = fields.Boolean(load_default=False)
    limit = page_size(100, 500)
    cursor = page_cursor()


class ForecastIn(Payload):
    period = one_of(forecast_rules.PERIODS, load_default=forecast_rules.MONTH)
    date_from = optional_date()
    date_to = optional_date()
    manager_id = optional_text(64)

    @validates_schema
    def _range(self, data, **_):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError({"date_to": ["ends before date_from"]})


class DealReassignIn(Payload):
    """Who a deal goes to on its own (reassign_deal), and why: the reason is required."""

    manager_id = required_text(64)
    reason = required_text(500)
