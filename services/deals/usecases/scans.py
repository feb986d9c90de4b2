"""The scheduled scans: invoices unpaid past their due date, offers past their last valid day,
and deals stuck in a stage.

Each raises its event once: the overdue scan marks the invoice (``overdue_notified_at``), the
offer scan moves the offer to ``expired``, and the stuck scan records a notice for the stay
(``stuck_notices``) in the same transaction as the event. A cancelled invoice is never
overdue: the overdue scan reads unpaid invoices only. Work is claimed in batches with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and each
batch is committed on its own, so several replicas scan at once without double work and a
long scan keeps what it has done.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update

from contracts import deals as events
from crm_kit.clock import aware
from crm_kit.config import env_int
from crm_kit.db import UnitOfWork, utcnow
from services.deals.domain import money as money_rules
from services.deals.domain import offers as offer_rules
from services.deals.domain import status as status_rules
from services.deals.domain.stuck import is_stuck
from services.deals.models import Deal, Invoice, Offer, StageStay, StuckNotice, Task
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import all_processes
from services.deals.usecases.work import REMINDER, task_added_event
from services.deals.views import offer_view


def _batch_size(name: str, default: int) -> int:
    return env_int(name, default, minimum=1, maximum=100_000)


# --- overdue invoices ---------------------------------------------------------------------

def scan_overdue(uow: UnitOfWork, today: date, batch_size: int | None = None) -> dict[str, Any]:
    """Raise ``invoice_overdue`` for every invoice unpaid past its due date that has not been
    raised yet; answers how many were raised."""
    batch_size = batch_size or _batch_size("DEALS_OVERDUE_BATCH", 5000)
    session = uow.session
    raised = 0
    while True:
        # Matches the partial index ix_invoices_overdue_scan (models.OVERDUE_SCAN_WHERE).
        rows = session.execute(
            select(
                Invoice.id, Invoice.deal_id, Invoice.partner_id, Invoice.number, Invoice.amount, Invoice.paid,
                Invoice.currency, Invoice.due_date, Deal.manager_id, Deal.process_code, Deal.region, Deal.department,
            )
            .join(Deal, Deal.id == Invoice.deal_id)
            .where(
                Invoice.status.in_(money_rules.UNPAID_STATUSES),
                Invoice.overdue_notified_at.is_(None),
                Invoice.due_date < today,
            )
            .order_by(Invoice.due_date)
            .limit(batch_size)
            .with_for_update(of=Invoice, skip_locked=True)
        ).all()
        if not rows:
            break
        now = utcnow()
        for row in rows:
            uow.emit(events.INVOICE_OVERDUE, {
                "deal_id": str(row.deal_id),
                "partner_id": str(row.partner_id),
                "manager_id": row.manager_id,
                "process_code": row.process_code,
                "region": row.region,
                "department": row.department,
                "invoice_id": str(row.id),
                "number": row.number,
                "amount": str(money_rules.money(row.amount)),
                "balance": str(money_rules.invoice_balance(row.amount, [row.paid])),
                "currency": row.currency,
                "due_date": row.due_date.isoformat(),
                "days_overdue": (today - row.due_date).days,
            })
        session.execute(
            update(Invoice).where(Invoice.id.in_([row.id for row in rows])).values(overdue_notified_at=now)
        )
        uow.commit()
        raised += len(rows)
        if len(rows) < batch_size:
            break
    return {"raised": raised, "today": today.isoformat()}


# --- expired offers -----------------------------------------------------------------------

def scan_offer_expiry(uow: UnitOfWork, today: date, batch_size: int | None = None) -> dict[str, Any]:
    """Move every sent offer still unanswered after its last valid day (``valid_until``) to
    ``expired`` and raise ``offer_expired`` for it, once (the status is the mark); answers how
    many expired. Offers without a date, drafts and answered offers are left alone."""
    batch_size = batch_size or _batch_size("DEALS_OFFER_EXPIRY_BATCH", 1000)
    session = uow.session
    expired = 0
    while True:
        # Matches the partial index ix_offers_expiry_scan (models.OFFER_EXPIRY_WHERE).
        offers = session.scalars(
            select(Offer)
            .where(Offer.status == offer_rules.SENT, Offer.valid_until.is_not(None), Offer.valid_until < today)
            .order_by(Offer.valid_until, Offer.id)
            .limit(batch_size)
            .with_for_update(of=Offer, skip_locked=True)
        ).all()
        if not offers:
            break
        deals = {deal.id: deal for deal in session.execute(
            select(Deal.id, Deal.partner_id, Deal.manager_id, Deal.process_code, Deal.region, Deal.department)
            .where(Deal.id.in_({offer.deal_id for offer in offers}))
        )}
        now = utcnow()
        for offer in offers:
            offer.status = offer_rules.EXPIRED
            offer.decided_at = now
            deal = deals[offer.deal_id]
            view = offer_view(offer, str(deal.partner_id))
            uow.emit(events.OFFER_EXPIRED, {
                **about_deal(deal),
                "offer_id": offer.id,
                "total": view["total"],
                "currency": offer.currency,
                "valid_until": view["valid_until"],
                "offer": view,
            })
        session.flush()
        uow.commit()
        expired += len(offers)
        if len(offers) < batch_size:
            break
    return {"expired": expired, "today": today.isoformat()}


# --- stuck deals --------------------------------------------------------------------------

def scan_stuck(uow: UnitOfWork, now: datetime | None = None, batch_size: int | None = None) -> dict[str, Any]:
    """Raise ``deal_stuck`` once per stay for every deal in progress whose current stay has
    lasted longer than its stage's time limit, and put a reminder task, due today, on its
    manager's plan; answers how many were raised."""
    batch_size = batch_size or _batch_size("DEALS_STUCK_BATCH", 1000)
    now = aware(now) if now is not None else utcnow()
    session = uow.session
    processes = all_processes(session)
    limits = {
        (process.code, stage.code): stage
        for process in processes.values()
        for stage in process.stages
        if stage.time_limit_days is not None
    }
    if not limits:
        return {"raised": 0, "now": now.isoformat()}
    over_limit = or_(*(
        and_(Deal.process_code == code, Deal.stage == stage_code,
             Deal.stage_entered_at < now - timedelta(days=stage.time_limit_days))
        for (code, stage_code), stage in limits.items()
    ))
    raised = 0
    passed_over: set[str] = set()
    while True:
        query = (
            select(Deal.id, Deal.partner_id, Deal.manager_id, Deal.process_code, Deal.region, Deal.department, Deal.stage,
                   StageStay.id.label("stay_id"), StageStay.entered_at)
            .join(StageStay, and_(StageStay.deal_id == Deal.id, StageStay.left_at.is_(None), StageStay.stage == Deal.stage))
            .where(
                Deal.status == status_rules.IN_PROGRESS,
                over_limit,
                ~exists().where(StuckNotice.deal_id == Deal.id, StuckNotice.stage_history_id == StageStay.id),
            )
            .order_by(Deal.stage_entered_at)
            .limit(batch_size)
            .with_for_update(of=Deal, skip_locked=True)
        )
        if passed_over:
            query = query.where(StageStay.id.not_in(passed_over))
        rows = session.execute(query).all()
        if not rows:
            break
        today = now.date()
        for row in rows:
            stage = limits[(row.process_code, row.stage)]
            if not is_stuck(aware(row.entered_at), stage.time_limit_days, now):
                passed_over.add(row.stay_id)
                continue
            session.add(StuckNotice(deal_id=row.id, stage_history_id=row.stay_id, notified_at=utcnow()))
            task = Task(
                deal_id=row.id,
                title=f"Deal stuck at {stage.name}: next step?",
                due_date=today,
                responsible_id=row.manager_id,
                kind=REMINDER,
                created_by=uow.actor.user_id,
            )
            session.add(task)
            session.flush()
            uow.emit(events.DEAL_STUCK, {
                **about_deal(row),
                "stage": row.stage,
                "entered_at": aware(row.entered_at).isoformat(),
                "limit_days": stage.time_limit_days,
                "task_id": task.id,
            })
            uow.emit(events.TASK_ADDED, task_added_event(row, task))
            raised += 1
        uow.commit()
        if len(rows) < batch_size:
            break
    return {"raised": raised, "now": now.isoformat()}

