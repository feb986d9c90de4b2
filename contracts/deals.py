"""The events the deals service publishes (exchange ``deals.events``).

Every event's data names its deal and partner with the dimensions reports group by
(:class:`AboutDeal`: ``deal_id``, ``partner_id``, ``manager_id``, ``process_code``, ``region``,
``department``); amounts travel as decimal text with their ``currency``, dates as ISO text.
"""

from __future__ import annotations

from marshmallow import fields, validate

from crm_kit.contracts import (
    Currency,
    DecimalText,
    EventContract,
    EventData,
    Moment,
    UserId,
    Uuid,
    nullable,
    optional,
    required,
)

SOURCE = "deals"
DEAL_STATUSES = ("in_progress", "won", "lost", "postponed")
OFFER_STATUSES = ("draft", "sent", "accepted", "rejected", "expired")


# --- what the events nest ------------------------------------------------------------------

class DealSummary(EventData):
    """A deal as lists show it."""

    id = required(Uuid)
    title = required(fields.String)
    partner_id = required(Uuid)
    process_code = required(fields.String)
    stage = nullable(fields.String)
    stage_name = nullable(fields.String)
    probability = required(fields.Integer, strict=True)
    status = required(fields.String, validate=validate.OneOf(DEAL_STATUSES))
    amount = required(DecimalText)
    currency = required(Currency)
    expected_close_date = nullable(fields.Date)
    manager_id = nullable(UserId)
    region = nullable(fields.String)
    department = nullable(fields.String)
    created_at = required(Moment)
    updated_at = required(Moment)
    stage_entered_at = nullable(Moment)
    closed_at = nullable(Moment)
    source = nullable(fields.String)


class DealDetails(DealSummary):
    """A deal with its own fields (without its history, offers, tasks, documents, orders and
    invoices: each has its event)."""

    contact_id = nullable(Uuid)
    agreement_id = nullable(Uuid)
    terms_withdrawn = optional(fields.Boolean, truthy={True}, falsy={False})
    partner_is_client = required(fields.Boolean, truthy={True}, falsy={False})
    loss_reason = nullable(fields.String)
    lost_at_stage = nullable(fields.String)
    competitor_id = nullable(Uuid)
    source_ref = nullable(fields.String)
    created_by = nullable(fields.String)
    request_id = nullable(fields.String)


class OfferLine(EventData):
    product = required(fields.String)
    quantity = required(DecimalText)
    unit = nullable(fields.String)
    price = required(DecimalText)
    discount_percent = required(DecimalText)
    amount = required(DecimalText)


class TermsOverride(EventData):
    """A head of sales' or admin's override of the deal's sales terms on a document: the
    ``rules`` it breaks (credit_days, discount_percent), of which agreement, by whom, when, why."""

    rules = required(fields.List, cls_or_instance=fields.String())
    agreement_id = nullable(Uuid)
    by = nullable(fields.String)
    at = required(Moment)
    reason = required(fields.String)


class OfferView(EventData):
    """A commercial offer of the deal with its lines."""

    id = required(Uuid)
    deal_id = required(Uuid)
    partner_id = nullable(Uuid)
    status = required(fields.String, validate=validate.OneOf(OFFER_STATUSES))
    lines = required(fields.List, cls_or_instance=fields.Nested(OfferLine))
    valid_until = nullable(fields.Date)
    total = required(DecimalText)
    currency = required(Currency)
    sent_at = nullable(Moment)
    decided_at = nullable(Moment)
    created_at = required(Moment)
    created_by = nullable(fields.String)
    terms_override = optional(fields.Nested, nested=TermsOverride)


class DocumentView(EventData):
    """A link to an external document (order, contract, shipment...)."""

    id = required(Uuid)
    deal_id = required(Uuid)
    kind = required(fields.String)
    number = nullable(fields.String)
    date = nullable(fields.Date)
    url = nullable(fields.String)
    created_at = required(Moment)
    created_by = nullable(fields.String)


class SupplierOrderView(EventData):
    """An order placed with a supplier (a partner) for the deal."""

    id = required(Uuid)
    deal_id = required(Uuid)
    supplier_id = required(Uuid)
    number = nullable(fields.String)
    amount = nullable(DecimalText)
    currency = required(Currency)
    status = required(fields.String)
    created_at = required(Moment)
    created_by = nullable(fields.String)


# --- the data of each event ------------------------------------------------------------------

class AboutDeal(EventData):
    """The deal an event is about, its partner, and what reports group it by."""

    deal_id = required(Uuid)
    partner_id = required(Uuid)
    manager_id = nullable(UserId)
    process_code = required(fields.String)
    region = nullable(fields.String)
    department = nullable(fields.String)


class DealOpened(AboutDeal):
    """A deal was opened at its process's first stage; also a lead from a first call
    (``source`` "call", ``source_ref`` the PBX's call id)."""

    stage = nullable(fields.String)
    status = required(fields.String, validate=validate.OneOf(DEAL_STATUSES))
    amount = required(DecimalText)
    currency = required(Currency)
    source = nullable(fields.String)
    source_ref = nullable(fields.String)
    deal = required(fields.Nested, nested=DealDetails)


class DealUpdated(AboutDeal):
    """A deal's details changed (title, amount, currency, expected close date, contact):
    ``changed`` names them, ``deal`` is the deal now."""

    changed = required(fields.List, cls_or_instance=fields.String(), validate=validate.Length(min=1))
    amount = required(DecimalText)
    currency = required(Currency)
    deal = required(fields.Nested, nested=DealSummary)


class DealStageChanged(AboutDeal):
    """A deal moved to another stage of its process; ``probability`` is the new stage's (percent)."""

    from_stage = nullable(fields.String)
    to_stage = required(fields.String)
    probability = required(fields.Integer, strict=True)
    amount = required(DecimalText)
    currency = required(Currency)
    note = nullable(fields.String)


class DealStatusChanged(AboutDeal):
    """A deal was postponed, or a postponed deal is in progress again, at ``stage``."""

    stage = nullable(fields.String)
    amount = required(DecimalText)
    currency = required(Currency)
    note = nullable(fields.String)


class DealWon(DealStatusChanged):
    """A deal was won (and closed) at ``stage`` for ``amount``."""

    closed_at = required(Moment)


class DealLost(DealWon):
    """A deal was lost (and closed): why (``loss_reason``), at which stage, to which competitor
    (a partner, when known)."""

    loss_reason = required(fields.String)
    lost_at_stage = nullable(fields.String)
    competitor_id = nullable(Uuid)


class DealTermsChosen(AboutDeal):
    """The deal's sales terms were chosen: an approved agreement of the partners service."""

    agreement_id = required(Uuid)
    agreement_kind = required(fields.String)
    agreement_name = nullable(fields.String)


class OfferChanged(AboutDeal):
    """An offer was sent, accepted (the deal's amount is now its total), rejected, or expired
    (still unanswered after its last valid day: the offer scan, once per offer)."""

    offer_id = required(Uuid)
    total = required(DecimalText)
    currency = required(Currency)
    valid_until = nullable(fields.Date)
    offer = required(fields.Nested, nested=OfferView)


class DealTaskAdded(AboutDeal):
    """A task was put on the deal's work plan (``kind`` "work", or "reminder" from the stuck scan)."""

    task_id = required(Uuid)
    title = required(fields.String)
    due_date = required(fields.Date)
    responsible_id = nullable(UserId)
    kind = required(fields.String, validate=validate.OneOf(("work", "reminder")))


class DealTaskCompleted(AboutDeal):
    """A task of the deal's plan was done."""

    task_id = required(Uuid)
    title = required(fields.String)
    responsible_id = nullable(UserId)
    done_at = required(Moment)


class DocumentAdded(AboutDeal):
    """A link to an external document was added to the deal."""

    document = required(fields.Nested, nested=DocumentView)


class SupplierOrderAdded(AboutDeal):
    """An order with a supplier (``supplier_id``, a partner) was recorded for the deal."""

    supplier_id = required(Uuid)
    order = required(fields.Nested, nested=SupplierOrderView)


class InvoiceIssued(AboutDeal):
    """An invoice was issued to the deal's partner."""

    invoice_id = required(Uuid)
    number = required(fields.String)
    amount = required(DecimalText)
    currency = required(Currency)
    issued_on = required(fields.Date)
    due_date = required(fields.Date)


class PaymentReceived(AboutDeal):
    """A payment was applied to an invoice (once per ``external_id``); ``balance`` is what is
    still owed, ``paid_in_full`` whether nothing is."""

    invoice_id = required(Uuid)
    amount = required(DecimalText)
    balance = required(DecimalText)
    paid_in_full = required(fields.Boolean, truthy={True}, falsy={False})
    external_id = required(fields.String)
    paid_on = required(fields.Date)
    currency = required(Currency)


class InvoiceCancelled(AboutDeal):
    """An invoice was withdrawn with a ``reason``: it is never overdue or a debt from now on
    (``was_overdue``: invoice_overdue had been raised for it before, so a debt opened for it
    can be closed)."""

    invoice_id = required(Uuid)
    number = required(fields.String)
    amount = required(DecimalText)
    currency = required(Currency)
    reason = required(fields.String)
    cancelled_at = required(Moment)
    was_overdue = required(fields.Boolean, truthy={True}, falsy={False})


class InvoiceOverdue(AboutDeal):
    """An invoice is unpaid past its due date; raised once per invoice by the overdue scan
    (claims and notifications act on it)."""

    invoice_id = required(Uuid)
    number = required(fields.String)
    amount = required(DecimalText)
    balance = required(DecimalText)
    currency = required(Currency)
    due_date = required(fields.Date)
    days_overdue = required(fields.Integer, strict=True, validate=validate.Range(min=1))


class DealStuck(AboutDeal):
    """A deal stayed in its stage longer than the stage's time limit; raised once per stay, with
    a reminder task (``task_id``) on the manager's plan."""

    stage = required(fields.String)
    entered_at = required(Moment)
    limit_days = required(fields.Integer, strict=True)
    task_id = required(Uuid)


class DealReassigned(AboutDeal):
    """A deal has another responsible manager (``manager_id``; ``previous_manager_id`` before),
    or its region or department followed its partner's (``previous_region``,
    ``previous_department``). ``handover_id`` and ``partner_event_id`` say it followed a
    partner's reassignment (a whole-base handover when ``handover_id`` is set); ``task_ids`` are
    the open tasks of its plan that went to the new manager with it; ``by`` is who did it."""

    previous_manager_id = nullable(UserId)
    previous_region = nullable(fields.String)
    previous_department = nullable(fields.String)
    reason = nullable(fields.String)
    handover_id = nullable(Uuid)
    partner_event_id = nullable(fields.String)
    task_ids = required(fields.List, cls_or_instance=Uuid())
    by = nullable(fields.String)


class StageStay(EventData):
    """A stay of a deal in a stage: when it entered and, unless it is there now, when it left."""

    stage = required(fields.String)
    entered_at = required(Moment)
    left_at = nullable(Moment)


class InvoiceState(EventData):
    """An invoice as it is now: what was billed, what was paid, what is still owed."""

    invoice_id = required(Uuid)
    number = required(fields.String)
    amount = required(DecimalText)
    paid = required(DecimalText)
    balance = required(DecimalText)
    currency = required(Currency)
    status = required(fields.String)
    issued_on = required(fields.Date)
    due_date = required(fields.Date)


class DealSnapshot(AboutDeal):
    """A deal as it is now, replayed to a consumer that starts late (crm_kit.replay), with its
    stage history and its invoices."""

    status = required(fields.String, validate=validate.OneOf(DEAL_STATUSES))
    stage = nullable(fields.String)
    amount = required(DecimalText)
    currency = required(Currency)
    deal = required(fields.Nested, nested=DealSummary)
    stages = required(fields.List, cls_or_instance=fields.Nested(StageStay))
    invoices = required(fields.List, cls_or_instance=fields.Nested(InvoiceState))


# --- examples (kept by the contracts: tests/unit/contracts) ----------------------------------

DEAL_ID = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
PARTNER_ID = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"
ABOUT = {"deal_id": DEAL_ID, "partner_id": PARTNER_ID, "manager_id": "anna", "process_code": "standard",
         "region": "msk", "department": "north"}
SUMMARY = {
    "id": DEAL_ID, "title": "Поставка офисной мебели", "partner_id": PARTNER_ID, "process_code": "standard",
    "stage": "qualification", "stage_name": "Квалификация", "probability": 10, "status": "in_progress",
    "amount": "150000.00", "currency": "RUB", "expected_close_date": "2026-12-20", "manager_id": "anna",
    "region": "msk", "department": "north", "created_at": "2026-11-23T10:00:00+00:00",
    "updated_at": "2026-11-23T10:00:00+00:00", "stage_entered_at": "2026-11-23T10:00:00+00:00", "closed_at": None,
    "source": None,
}
DETAILS = {**SUMMARY, "contact_id": None, "agreement_id": None, "partner_is_client": True, "loss_reason": None,
           "lost_at_stage": None, "competitor_id": None, "source_ref": None, "created_by": "anna", "request_id": None}
OFFER = {
    "id": "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c", "deal_id": DEAL_ID, "partner_id": PARTNER_ID, "status": "sent",
    "lines": [{"product": "Стол офисный", "quantity": "10", "unit": "шт", "price": "15000.00", "discount_percent": "0.00",
               "amount": "150000.00"}],
    "valid_until": "2026-12-01", "total": "150000.00", "currency": "RUB", "sent_at": "2026-11-23T10:00:00+00:00",
    "decided_at": None, "created_at": "2026-11-23T09:00:00+00:00", "created_by": "anna",
}
TASK_ID = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
INVOICE_ID = "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"


# --- the contracts ---------------------------------------------------------------------------

DEAL_OPENED = EventContract(
    SOURCE, "deal_opened", DealOpened, summary="A deal was opened.", subject=("partner_id", "deal_id"),
    example={**ABOUT, "stage": "qualification", "status": "in_progress", "amount": "150000.00", "currency": "RUB",
             "source": None, "source_ref": None, "deal": DETAILS},
)
DEAL_UPDATED = EventContract(
    SOURCE, "deal_updated", DealUpdated, summary="A deal's details changed.", subject=("partner_id", "deal_id"),
    example={**ABOUT, "changed": ["amount"], "amount": "150000.00", "currency": "RUB", "deal": SUMMARY},
)
DEAL_STAGE_CHANGED = EventContract(
    SOURCE, "deal_stage_changed", DealStageChanged, summary="A deal moved to another stage.",
    subject=("partner_id", "deal_id"),
    example={**ABOUT, "from_stage": "qualification", "to_stage": "offer", "probability": 40, "amount": "150000.00",
             "currency": "RUB", "note": None},
)
DEAL_WON = EventContract(
    SOURCE, "deal_won", DealWon, summary="A deal was won.", subject=("partner_id", "deal_id"),
    example={**ABOUT, "stage": "contract", "amount": "150000.00", "currency": "RUB",
             "closed_at": "2026-11-30T12:00:00+00:00", "note": None},
)
DEAL_LOST = EventContract(
    SOURCE, "deal_lost", DealLost, summary="A deal was lost.", subject=("partner_id", "deal_id"),
    example={**ABOUT, "stage": "offer", "amount": "150000.00", "currency": "RUB", "closed_at": "2026-11-30T12:00:00+00:00",
             "note": "дорого", "loss_reason": "price", "lost_at_stage": "offer", "competitor_id": None},
)
DEAL_POSTPONED = EventContract(
    SOURCE, "deal_postponed", DealStatusChanged, summary="A deal was postponed.", subject=("partner_id", "deal_id"),
    example={**ABOUT, "stage": "offer", "amount": "150000.00", "currency": "RUB", "note": "до весны"},
)
DEAL_RESUMED = EventContract(
    SOURCE, "deal_resumed", DealStatusChanged, summary="A postponed deal is in progress again.",
    subject=("partner_id", "deal_id"),
    example={**ABOUT, "stage": "offer", "amount": "150000.00", "currency": "RUB", "note": None},
)
DEAL_TERMS_CHOSEN = EventContract(
    SOURCE, "deal_terms_chosen", DealTermsChosen, summary="The deal's sales terms (an agreement) were chosen.",
    subject=("partner_id", "deal_id", "agreement_id"),
    example={**ABOUT, "agreement_id": "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a", "agreement_kind": "individual",
             "agreement_name": "Условия для Ромашки"},
)
OFFER_SENT = EventContract(
    SOURCE, "offer_sent", OfferChanged, summary="An offer was sent to the client.",
    subject=("partner_id", "deal_id", "offer_id"),
    example={**ABOUT, "offer_id": OFFER["id"], "total": "150000.00", "currency": "RUB", "valid_until": "2026-12-01",
             "offer": OFFER},
)
OFFER_ACCEPTED = EventContract(
    SOURCE, "offer_accepted", OfferChanged, summary="The client accepted an offer; the deal's amount is now its total.",
    subject=("partner_id", "deal_id", "offer_id"),
    example={**ABOUT, "offer_id": OFFER["id"], "total": "150000.00", "currency": "RUB", "valid_until": "2026-12-01",
             "offer": {**OFFER, "status": "accepted", "decided_at": "2026-11-25T10:00:00+00:00"}},
)
OFFER_REJECTED = EventContract(
    SOURCE, "offer_rejected", OfferChanged, summary="The client rejected an offer.",
    subject=("partner_id", "deal_id", "offer_id"),
    example={**ABOUT, "offer_id": OFFER["id"], "total": "150000.00", "currency": "RUB", "valid_until": "2026-12-01",
             "offer": {**OFFER, "status": "rejected", "decided_at": "2026-11-25T10:00:00+00:00"}},
)
OFFER_EXPIRED = EventContract(
    SOURCE, "offer_expired", OfferChanged, summary="A sent offer was unanswered after its last valid day.",
    subject=("partner_id", "deal_id", "offer_id"),
    example={**ABOUT, "offer_id": OFFER["id"], "total": "150000.00", "currency": "RUB", "valid_until": "2026-12-01",
             "offer": {**OFFER, "status": "expired", "decided_at": "2026-12-02T00:01:00+00:00"}},
)
TASK_ADDED = EventContract(
    SOURCE, "task_added", DealTaskAdded, summary="A task was put on a deal's work plan.",
    subject=("partner_id", "deal_id", "task_id"),
    example={**ABOUT, "task_id": TASK_ID, "title": "Позвонить закупщику", "due_date": "2026-11-25",
             "responsible_id": "anna", "kind": "work"},
)
TASK_COMPLETED = EventContract(
    SOURCE, "task_completed", DealTaskCompleted, summary="A task of a deal's plan was done.",
    subject=("partner_id", "deal_id", "task_id"),
    example={**ABOUT, "task_id": TASK_ID, "title": "Позвонить закупщику", "responsible_id": "anna",
             "done_at": "2026-11-24T15:00:00+00:00"},
)
DOCUMENT_ADDED = EventContract(
    SOURCE, "document_added", DocumentAdded, summary="A link to an external document was added to a deal.",
    subject=("partner_id", "deal_id"),
    example={**ABOUT, "document": {"id": "8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f", "deal_id": DEAL_ID, "kind": "contract",
                                   "number": "Д-77", "date": "2026-11-24", "url": None,
                                   "created_at": "2026-11-24T15:00:00+00:00", "created_by": "anna"}},
)
SUPPLIER_ORDER_ADDED = EventContract(
    SOURCE, "supplier_order_added", SupplierOrderAdded, summary="An order with a supplier was recorded for a deal.",
    subject=("partner_id", "deal_id"), partners=("partner_id", "supplier_id"),
    example={**ABOUT, "supplier_id": "9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
             "order": {"id": "0e1f2a3b-4c5d-4e6f-9a7b-8c9d0e1f2a3b", "deal_id": DEAL_ID,
                       "supplier_id": "9d0e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a", "number": "ПО-5", "amount": "90000.00",
                       "currency": "RUB", "status": "placed", "created_at": "2026-11-24T15:00:00+00:00",
                       "created_by": "anna"}},
)
INVOICE_ISSUED = EventContract(
    SOURCE, "invoice_issued", InvoiceIssued, summary="An invoice was issued.",
    subject=("partner_id", "deal_id", "invoice_id"),
    example={**ABOUT, "invoice_id": INVOICE_ID, "number": "СЧ-101", "amount": "150000.00", "currency": "RUB",
             "issued_on": "2026-11-24", "due_date": "2026-12-04"},
)
PAYMENT_RECEIVED = EventContract(
    SOURCE, "payment_received", PaymentReceived, summary="A payment was applied to an invoice.",
    subject=("partner_id", "deal_id", "invoice_id"),
    example={**ABOUT, "invoice_id": INVOICE_ID, "amount": "50000.00", "balance": "100000.00", "paid_in_full": False,
             "external_id": "bank-2026-11-25-17", "paid_on": "2026-11-25", "currency": "RUB"},
)
INVOICE_CANCELLED = EventContract(
    SOURCE, "invoice_cancelled", InvoiceCancelled, summary="An invoice was withdrawn (never overdue, never a debt).",
    subject=("partner_id", "deal_id", "invoice_id"),
    example={**ABOUT, "invoice_id": INVOICE_ID, "number": "СЧ-101", "amount": "150000.00", "currency": "RUB",
             "reason": "выставлен ошибочно", "cancelled_at": "2026-11-25T10:00:00+00:00", "was_overdue": False},
)
INVOICE_OVERDUE = EventContract(
    SOURCE, "invoice_overdue", InvoiceOverdue, summary="An invoice is unpaid past its due date.",
    subject=("partner_id", "deal_id", "invoice_id"),
    example={**ABOUT, "invoice_id": INVOICE_ID, "number": "СЧ-101", "amount": "150000.00", "balance": "100000.00",
             "currency": "RUB", "due_date": "2026-12-04", "days_overdue": 3},
)
DEAL_STUCK = EventContract(
    SOURCE, "deal_stuck", DealStuck, summary="A deal stayed in its stage past the stage's time limit.",
    subject=("partner_id", "deal_id", "task_id"),
    example={**ABOUT, "stage": "offer", "entered_at": "2026-11-01T10:00:00+00:00", "limit_days": 14, "task_id": TASK_ID},
)
DEAL_REASSIGNED = EventContract(
    SOURCE, "deal_reassigned", DealReassigned,
    summary="A deal went to another manager, or its region or department followed its partner's.",
    subject=("partner_id", "deal_id"),
    example={**ABOUT, "manager_id": "boris", "previous_manager_id": "anna", "previous_region": "msk",
             "previous_department": "north", "reason": "vacation", "handover_id": None, "partner_event_id": None,
             "task_ids": [TASK_ID], "by": "head-1"},
)

STATUS_EVENTS = {
    "won": DEAL_WON,
    "lost": DEAL_LOST,
    "postponed": DEAL_POSTPONED,
    "in_progress": DEAL_RESUMED,
}

OFFER_EVENTS = {
    "sent": OFFER_SENT,
    "accepted": OFFER_ACCEPTED,
    "rejected": OFFER_REJECTED,
}

ALL = (
    DEAL_OPENED, DEAL_UPDATED, DEAL_STAGE_CHANGED, DEAL_WON, DEAL_LOST, DEAL_POSTPONED, DEAL_RESUMED,
    DEAL_TERMS_CHOSEN, OFFER_SENT, OFFER_ACCEPTED, OFFER_REJECTED, OFFER_EXPIRED, TASK_ADDED, TASK_COMPLETED,
    DOCUMENT_ADDED, SUPPLIER_ORDER_ADDED, INVOICE_ISSUED, INVOICE_CANCELLED, PAYMENT_RECEIVED, INVOICE_OVERDUE,
    DEAL_STUCK, DEAL_REASSIGNED,
)

# Replayed to one consumer on the ``replay`` exchange, not published on ``deals.events``.
DEAL_SNAPSHOT = EventContract(
    SOURCE, "deal_snapshot", DealSnapshot, summary="A deal as it is now (a replay to a late consumer).",
    subject=("partner_id", "deal_id"),
    example={**ABOUT, "status": "in_progress", "stage": "qualification", "amount": "150000.00", "currency": "RUB",
             "deal": SUMMARY,
             "stages": [{"stage": "lead", "entered_at": "2026-11-20T10:00:00+00:00", "left_at": "2026-11-23T10:00:00+00:00"},
                        {"stage": "qualification", "entered_at": "2026-11-23T10:00:00+00:00", "left_at": None}],
             "invoices": [{"invoice_id": INVOICE_ID, "number": "С-17", "amount": "150000.00", "paid": "50000.00",
                           "balance": "100000.00", "currency": "RUB", "status": "partially_paid",
                           "issued_on": "2026-11-23", "due_date": "2026-12-07"}]},
)
SNAPSHOTS = (DEAL_SNAPSHOT,)
