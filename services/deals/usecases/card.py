"""The deals section of the client card: one RPC with everything the card shows from deals,
over the deals the actor may see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload

from crm_kit.actor import Actor
from crm_kit.views import iso
from services.deals.domain import forecast as forecast_rules
from services.deals.domain import money as money_rules
from services.deals.domain import status as status_rules
from services.deals.domain import terms as terms_rules
from services.deals.domain.money import ZERO
from services.deals.models import Deal, Invoice
from services.deals.usecases.forecast import stage_probability
from services.deals.usecases.lookup import DEALS, all_processes
from services.deals.views import money_text

OPEN_SHOWN, CLOSED_SHOWN = 10, 5
OPEN_STATUSES = (status_rules.IN_PROGRESS, status_rules.POSTPONED)


def card_section(session: Session, actor: Actor, partner_id: str, today: date | None = None) -> dict[str, Any]:
    """``open_deals`` (newest first, at most 10, with stage and amount), ``recent_closed`` (the
    last 5 won or lost), ``pipeline_total`` and ``pipeline_weighted`` (deals in progress),
    ``invoices_owed`` (balances of unpaid invoices) and ``overdue_invoices`` (how many are past
    due). An unknown partner, or one whose deals the actor may not see, has an empty section."""
    today = today or date.today()
    processes = all_processes(session)
    of_partner = select(Deal).options(lazyload("*")).where(Deal.partner_id == partner_id, DEALS.visible(actor))

    open_deals = session.scalars(
        of_partner.where(Deal.status.in_(OPEN_STATUSES)).order_by(Deal.created_at.desc(), Deal.id.desc()).limit(OPEN_SHOWN)
    ).all()
    closed = session.scalars(
        of_partner.where(Deal.status.in_(status_rules.FINAL_STATUSES))
        .order_by(Deal.closed_at.desc(), Deal.id.desc())
        .limit(CLOSED_SHOWN)
    ).all()

    pipeline = (
        select(Deal.process_code, Deal.stage, func.coalesce(func.sum(Deal.amount), 0).label("amount"))
        .where(Deal.partner_id == partner_id, Deal.status == status_rules.IN_PROGRESS, DEALS.visible(actor))
        .group_by(Deal.process_code, Deal.stage)
    )
    total, weighted = ZERO, ZERO
    for row in session.execute(pipeline):
        amount = Decimal(row.amount)
        total += amount
        weighted += forecast_rules.weighted(amount, stage_probability(processes, row.process_code, row.stage))

    unpaid = (
        select(
            func.coalesce(func.sum(Invoice.amount - Invoice.paid), 0).label("owed"),
            func.count().filter(Invoice.due_date < today).label("overdue"),
        )
        .where(
            Invoice.partner_id == partner_id,
            Invoice.status.in_(money_rules.UNPAID_STATUSES),
            Invoice.deal_id.in_(select(Deal.id).where(DEALS.visible(actor))),
        )
    )
    owed = session.execute(unpaid).one()

    def stage_name(deal: Deal) -> str | None:
        process = processes.get(deal.process_code)
        stage = process.stage(deal.stage) if process is not None and deal.stage else None
        return stage.name if stage is not None else None

    return {
        "partner_id": partner_id,
        "open_deals": [
            {
                "id": deal.id,
                "title": deal.title,
                "stage": deal.stage,
                "stage_name": stage_name(deal),
                "status": deal.status,
                "amount": money_text(deal.amount),
                "currency": deal.currency,
                "expected_close_date": iso(deal.expected_close_date),
                "terms_withdrawn": deal.agreement_status in terms_rules.WITHDRAWN_STATUSES,
            }
            for deal in open_deals
        ],
        "recent_closed": [
            {
                "id": deal.id,
                "title": deal.title,
                "status": deal.status,
                "loss_reason": deal.loss_reason,
                "closed_at": iso(deal.closed_at),
                "amount": money_text(deal.amount),
            }
            for deal in closed
        ],
        "pipeline_total": str(money_rules.money(total)),
        "pipeline_weighted": str(money_rules.money(weighted)),
        "invoices_owed": str(money_rules.money(Decimal(owed.owed), allow_negative=True)),
        "overdue_invoices": int(owed.overdue or 0),
    }
