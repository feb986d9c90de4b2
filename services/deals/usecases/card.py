"""The deals section of the client card: one RPC, one statement, with everything the card shows
from deals, over the deals the actor may see.

The database builds the section as one JSON document (crm_kit.reads, a prepared statement with
the access rule as parameters); Python only names the stages and weights the pipeline from the
sales processes, which it keeps once read (a process never changes once defined)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, func, or_, select
from sqlalchemy.orm import Session

from crm_kit import reads
from crm_kit.access import access_parameters
from crm_kit.actor import Actor
from services.deals.domain import forecast as forecast_rules
from services.deals.domain import money as money_rules
from services.deals.domain import status as status_rules
from services.deals.domain import terms as terms_rules
from services.deals.domain.money import ZERO
from services.deals.models import Deal, Invoice, Money
from services.deals.usecases.forecast import stage_probability
from services.deals.usecases.lookup import DEALS, find_process
from services.deals.views import CARD_CLOSED_DEAL, CARD_OPEN_DEAL, money_text

OPEN_SHOWN, CLOSED_SHOWN = 10, 5
OPEN_STATUSES = (status_rules.IN_PROGRESS, status_rules.POSTPONED)


def _one_of(column, values) -> Any:
    # OR of equalities rather than IN: an IN list is expanded at execution, a prepared
    # statement cannot be.
    return or_(*(column == value for value in values))


def _section() -> reads.Prepared:
    """The section's document for the ``partner_id`` and ``today`` parameters and the actor's
    access parameters: ``open_deals``, ``recent_closed``, ``pipeline`` (amounts of the deals
    in progress by process and stage), ``unpaid`` (``owed``, ``overdue``), ``won`` (how many,
    their amount, the first one's close) and ``invoiced`` (the first invoice not cancelled, what
    was paid)."""
    partner_id = reads.parameter("partner_id", Deal.partner_id.type)
    today = reads.parameter("today", Date)
    visible = DEALS.visible_to_parameters()
    of_partner = (Deal.partner_id == partner_id, visible)
    open_deals = reads.rows(
        select(CARD_OPEN_DEAL).where(*of_partner, _one_of(Deal.status, OPEN_STATUSES)),
        order_by=[Deal.created_at.desc(), Deal.id.desc()], limit=OPEN_SHOWN,
    )
    closed = reads.rows(
        select(CARD_CLOSED_DEAL).where(*of_partner, _one_of(Deal.status, status_rules.FINAL_STATUSES)),
        order_by=[Deal.closed_at.desc(), Deal.id.desc()], limit=CLOSED_SHOWN,
    )
    by_stage = (
        select(Deal.process_code, Deal.stage, func.sum(Deal.amount, type_=Money).label("amount"))
        .where(*of_partner, Deal.status == status_rules.IN_PROGRESS)
        .group_by(Deal.process_code, Deal.stage)
        .subquery()
    )
    pipeline = reads.rows(
        select(reads.record(process_code=by_stage.c.process_code, stage=by_stage.c.stage, amount=by_stage.c.amount)),
        order_by=[by_stage.c.process_code, by_stage.c.stage],
    )
    unpaid = select(reads.record(
        owed=func.coalesce(func.sum(Invoice.amount - Invoice.paid, type_=Money), 0, type_=Money),
        overdue=func.count().filter(Invoice.due_date < today),
    )).where(
        Invoice.partner_id == partner_id,
        _one_of(Invoice.status, money_rules.UNPAID_STATUSES),
        Invoice.deal_id.in_(select(Deal.id).where(visible)),
    ).scalar_subquery()
    won = Deal.status == status_rules.WON
    deals_won = select(reads.record(
        count=func.count().filter(won),
        amount=func.coalesce(func.sum(Deal.amount, type_=Money).filter(won), 0, type_=Money),
        first_at=func.min(Deal.closed_at).filter(won),
    )).where(*of_partner).scalar_subquery()
    invoiced = select(reads.record(
        first_on=func.min(Invoice.issued_on).filter(Invoice.status != money_rules.CANCELLED),
        paid=func.coalesce(func.sum(Invoice.paid, type_=Money), 0, type_=Money),
    )).where(Invoice.partner_id == partner_id, Invoice.deal_id.in_(select(Deal.id).where(visible))).scalar_subquery()
    return reads.Prepared(select(reads.record(
        open_deals=open_deals, recent_closed=closed, pipeline=pipeline, unpaid=unpaid, won=deals_won, invoiced=invoiced,
    )))


SECTION = _section()


def card_section(session: Session, actor: Actor, partner_id: str, today: date | None = None) -> dict[str, Any]:
    """``open_deals`` (newest first, at most 10, with stage and amount), ``recent_closed`` (the
    last 5 won or lost), ``pipeline_total`` and ``pipeline_weighted`` (deals in progress),
    ``invoices_owed`` (balances of unpaid invoices) and ``overdue_invoices`` (how many are past
    due); the client's figures: ``client_since`` (the date of the first won deal or the first
    invoice, whichever came first; none before either), ``deals_won``, ``average_deal`` (the
    average amount of the won deals) and ``total_paid`` (payments on its invoices). An unknown
    partner, or one whose deals the actor may not see, has an empty section."""
    today = today or date.today()
    document = reads.one(session, SECTION, partner_id=partner_id, today=today, **access_parameters(actor))
    processes: dict[str, Any] = {}

    def process(code: str) -> Any:
        if code not in processes:
            processes[code] = find_process(session, code)
        return processes[code]

    total, weighted = ZERO, ZERO
    for row in document["pipeline"]:
        amount = Decimal(row["amount"])
        total += amount
        weighted += forecast_rules.weighted(amount, stage_probability({row["process_code"]: process(row["process_code"])},
                                                                      row["process_code"], row["stage"]))
    open_deals = []
    for deal in document["open_deals"]:
        found = process(deal.pop("process_code"))
        stage = found.stage(deal["stage"]) if found is not None and deal["stage"] else None
        open_deals.append({
            "id": deal["id"], "title": deal["title"], "stage": deal["stage"],
            "stage_name": stage.name if stage is not None else None, "status": deal["status"],
            "amount": money_text(Decimal(deal["amount"])), "currency": deal["currency"],
            "expected_close_date": deal["expected_close_date"],
            "terms_withdrawn": deal["agreement_status"] in terms_rules.WITHDRAWN_STATUSES,
        })
    recent_closed = [{**deal, "amount": money_text(Decimal(deal["amount"]))} for deal in document["recent_closed"]]
    unpaid, won, invoiced = document["unpaid"], document["won"], document["invoiced"]
    won_count = int(won["count"] or 0)
    # Client since the first won deal or the first invoice, whichever came first (not when the
    # partner was registered): ISO dates compare as text.
    since = [moment[:10] for moment in (won["first_at"], invoiced["first_on"]) if moment]
    return {
        "partner_id": partner_id,
        "open_deals": open_deals,
        "recent_closed": recent_closed,
        "pipeline_total": str(money_rules.money(total)),
        "pipeline_weighted": str(money_rules.money(weighted)),
        "invoices_owed": str(money_rules.money(Decimal(unpaid["owed"]), allow_negative=True)),
        "overdue_invoices": int(unpaid["overdue"] or 0),
        "client_since": min(since) if since else None,
        "deals_won": won_count,
        "average_deal": str(money_rules.money(Decimal(won["amount"]) / won_count)) if won_count else str(ZERO),
        "total_paid": str(money_rules.money(Decimal(invoiced["paid"]))),
    }
