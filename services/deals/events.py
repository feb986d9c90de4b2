"""The events the deals service publishes: its contract with every other service.

Each event is an envelope ``{event_id, event_type, occurred_at, source, actor, data}``
(crm_kit.db.event_envelope); below, each name with what its ``data`` holds. Every ``data``
carries ``deal_id`` and ``partner_id``; money is a decimal string, dates ISO text.
"""

DEAL_OPENED = "deal_opened"
"""A deal was opened (also a lead from a call: ``source`` "call", ``source_ref`` the call id).
data: {deal_id, partner_id, manager_id, process_code, stage, status, amount, currency, source,
source_ref, deal: the deal summary (services/deals/schemas.deal_summary)}."""

DEAL_UPDATED = "deal_updated"
"""A deal's details changed. data: {deal_id, partner_id, changed: [field names], deal: summary}."""

DEAL_STAGE_CHANGED = "deal_stage_changed"
"""A deal moved to another stage. data: {deal_id, partner_id, manager_id, from_stage, to_stage,
probability (the new stage's, percent), amount, currency, note}."""

DEAL_WON = "deal_won"
"""data: {deal_id, partner_id, manager_id, stage, amount, currency, closed_at, note}."""

DEAL_LOST = "deal_lost"
"""data: {deal_id, partner_id, manager_id, loss_reason, lost_at_stage, competitor_id, amount,
currency, closed_at, note}."""

DEAL_POSTPONED = "deal_postponed"
"""data: {deal_id, partner_id, manager_id, stage, note}."""

DEAL_RESUMED = "deal_resumed"
"""A postponed deal is in progress again. data: {deal_id, partner_id, manager_id, stage, note}."""

DEAL_TERMS_CHOSEN = "deal_terms_chosen"
"""The sales terms (a partners agreement) were chosen. data: {deal_id, partner_id, agreement_id,
agreement_kind, agreement_name}."""

OFFER_SENT = "offer_sent"
"""data: {deal_id, partner_id, offer_id, total, currency, valid_until, offer: offer view}."""

OFFER_ACCEPTED = "offer_accepted"
"""The client accepted an offer; the deal's amount is now the offer total. data: as offer_sent."""

OFFER_REJECTED = "offer_rejected"
"""data: as offer_sent."""

TASK_ADDED = "task_added"
"""A task was put on the deal's work plan (kind "work", or "reminder" from the stuck scan).
data: {deal_id, partner_id, task_id, title, due_date, responsible_id, kind}."""

TASK_COMPLETED = "task_completed"
"""data: {deal_id, partner_id, task_id, title, responsible_id, done_at}."""

DOCUMENT_ADDED = "document_added"
"""A link to an external document was added. data: {deal_id, partner_id, document: view}."""

SUPPLIER_ORDER_ADDED = "supplier_order_added"
"""data: {deal_id, partner_id, supplier_id, order: supplier order view}."""

INVOICE_ISSUED = "invoice_issued"
"""data: {deal_id, partner_id, invoice_id, number, amount, currency, issued_on, due_date,
manager_id}."""

PAYMENT_RECEIVED = "payment_received"
"""A payment was applied (once per external_id). data: {invoice_id, deal_id, partner_id, amount,
balance, paid_in_full, external_id, paid_on, currency}."""

INVOICE_OVERDUE = "invoice_overdue"
"""An invoice is unpaid past its due date; raised once per invoice by the overdue scan (claims
and notifications act on it). data: {invoice_id, deal_id, partner_id, number, amount, balance,
currency, due_date, days_overdue, manager_id}."""

DEAL_STUCK = "deal_stuck"
"""A deal stayed in its stage longer than the stage's time limit; raised once per stay, with a
reminder task on the manager's plan. data: {deal_id, partner_id, stage, entered_at,
limit_days, manager_id, task_id}."""

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
    DEAL_TERMS_CHOSEN, OFFER_SENT, OFFER_ACCEPTED, OFFER_REJECTED, TASK_ADDED, TASK_COMPLETED,
    DOCUMENT_ADDED, SUPPLIER_ORDER_ADDED, INVOICE_ISSUED, PAYMENT_RECEIVED, INVOICE_OVERDUE, DEAL_STUCK,
)
