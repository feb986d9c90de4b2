"""Who works a deal: a deal handed to another manager on its own (``reassign_deal``, heads of
sales and admins), and deals that follow their partner.

A deal sits where its partner sits: its region and department are the partner's (taken when the
deal is opened, and followed when the partner's change), so a partner and its deals are seen by
the same people. Where each partner sits is kept here (``partner_placements``) from the partners
service's events, and asked of it once for a partner not heard of yet.

When a partner gets another manager (``partner_reassigned``, alone or in a whole-base handover),
the work in progress goes with it: its open deals (in progress or postponed) that the previous
manager had, with the open tasks of their plans that were the previous manager's (or nobody's).
Won and lost deals and done tasks keep who did them. Every deal that changed gets a history row
(``deal_assignments``: who handed it to whom, when, why, in which handover) and a
``deal_reassigned`` event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from contracts import deals as events
from crm_kit import access
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import NotFound, PreconditionFailed, Unavailable
from crm_kit.validation import load
from services.deals.domain import status as status_rules
from services.deals.models import Deal, DealAssignment, PartnerPlacement, Task
from services.deals.schemas import DealReassignIn
from services.deals.usecases.lookup import DEALS, process_of, require_open
from services.deals.views import assignment_view, deal_view

log = logging.getLogger(__name__)

OPEN_STATUSES = (status_rules.IN_PROGRESS, status_rules.POSTPONED)


# --- where a partner sits -------------------------------------------------------------------

def placement_of(session: Session, partners: Any | None, partner_id: str) -> dict[str, Any] | None:
    """Where the partner sits ({manager_id, region, department}) as last heard; asked of the
    partners service (as the caller) when not heard of yet. ``None`` when partners does not know
    it, the caller may not see it, or partners does not answer: the deal then keeps what the
    caller gave, until the partner's next event puts it where the partner is."""
    row = session.get(PartnerPlacement, partner_id)
    if row is not None:
        return {"manager_id": row.manager_id, "region": row.region, "department": row.department}
    if partners is None:
        return None
    try:
        partner = partners.get(partner_id)
    except (NotFound, Unavailable) as exc:
        log.info("partner %s not placed (%s): the deal keeps the region and department given", partner_id, exc)
        return None
    return {"manager_id": partner.get("manager_id"), "region": partner.get("region"),
            "department": partner.get("department")}


def _place(session: Session, partner_id: str, data: dict[str, Any], at: datetime) -> bool:
    """Record where the partner sits as of ``at``; False when an event newer than ``at`` was
    already applied (events of one partner may be handled out of order by parallel workers)."""
    row = session.get(PartnerPlacement, partner_id, with_for_update=True)
    if row is None:
        session.add(PartnerPlacement(partner_id=partner_id, manager_id=data["manager_id"], region=data["region"],
                                     department=data["department"], updated_at=at))
        session.flush()
        return True
    if row.updated_at is not None and _aware(row.updated_at) > at:
        return False
    row.manager_id, row.region, row.department, row.updated_at = (
        data["manager_id"], data["region"], data["department"], at)
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _occurred_at(event: dict[str, Any]) -> datetime:
    value = event.get("occurred_at")
    if isinstance(value, datetime):
        return _aware(value)
    try:
        return _aware(datetime.fromisoformat(str(value)))
    except ValueError:
        return utcnow()


# --- deals follow their partner -------------------------------------------------------------

def partner_placed(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """partner_registered / partner_updated: remember where the partner sits;
    its deals take its region and department (their managers stay)."""
    data = event["data"]
    if not _place(uow.session, str(data["partner_id"]), data, _occurred_at(event)):
        return {"deals": 0}
    return _follow_partner(uow, event, move_from=None)


def partner_reassigned(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """partner_reassigned: the partner's open deals that its previous manager had go to the new
    one with their open tasks; every deal of the partner takes its region and department."""
    data = event["data"]
    if not _place(uow.session, str(data["partner_id"]), data, _occurred_at(event)):
        return {"deals": 0}
    return _follow_partner(uow, event, move_from=data.get("previous_manager_id"))


def _follow_partner(uow: UnitOfWork, event: dict[str, Any], move_from: str | None) -> dict[str, int]:
    data = event["data"]
    session = uow.session
    partner_id, manager_id = str(data["partner_id"]), data["manager_id"]
    region, department = data["region"], data["department"]
    moving_manager = move_from is not None and manager_id is not None and move_from != manager_id
    deals = session.execute(
        select(Deal.id, Deal.partner_id, Deal.manager_id, Deal.process_code, Deal.region, Deal.department, Deal.status)
        .where(Deal.partner_id == partner_id).order_by(Deal.id).with_for_update()
    ).all()
    changes = []
    for deal in deals:
        takes_manager = moving_manager and deal.status in OPEN_STATUSES and deal.manager_id in (move_from, None)
        new_manager = manager_id if takes_manager else deal.manager_id
        if (new_manager, region, department) != (deal.manager_id, deal.region, deal.department):
            changes.append((deal, new_manager))
    if not changes:
        return {"deals": 0, "tasks": 0}
    actor = event.get("actor") or {}
    return _apply(uow, changes, region=region, department=department, reason=data.get("reason"),
                  handover_id=data.get("handover_id"), event_id=str(event["event_id"]),
                  by=actor.get("user_id") if isinstance(actor, dict) else None)


def _apply(uow: UnitOfWork, changes: list[tuple[Any, str | None]], *, region: str | None, department: str | None,
           reason: str | None, handover_id: str | None, event_id: str | None, by: str | None) -> dict[str, int]:
    """Write the changes (deal rows as read, each with its new manager) in a few statements:
    the deals, their open tasks that were the previous manager's, the history, the events."""
    session, now = uow.session, utcnow()
    by_manager: dict[tuple[str | None, str | None], list[str]] = {}
    for deal, new_manager in changes:
        by_manager.setdefault((deal.manager_id, new_manager), []).append(deal.id)
    moved_tasks: dict[str, list[str]] = {}
    for (previous, new_manager), ids in by_manager.items():
        session.execute(update(Deal).where(Deal.id.in_(ids)).values(
            manager_id=new_manager, region=region, department=department, updated_at=now,
        ).execution_options(synchronize_session=False))
        if new_manager != previous:
            owned = Task.responsible_id.is_(None)
            if previous is not None:
                owned = or_(owned, Task.responsible_id == previous)
            for task_id, deal_id in session.execute(
                update(Task).where(Task.deal_id.in_(ids), Task.done.is_(False), owned)
                .values(responsible_id=new_manager).returning(Task.id, Task.deal_id)
                .execution_options(synchronize_session=False)
            ):
                moved_tasks.setdefault(deal_id, []).append(task_id)
    session.execute(insert(DealAssignment), [
        {"deal_id": deal.id, "manager_id": new_manager, "previous_manager_id": deal.manager_id, "region": region,
         "department": department, "reason": reason, "handover_id": handover_id,
         "tasks_moved": len(moved_tasks.get(deal.id, ())), "changed_at": now, "changed_by": by}
        for deal, new_manager in changes
    ])
    for deal, new_manager in changes:
        uow.emit(events.DEAL_REASSIGNED, {
            "deal_id": deal.id, "partner_id": deal.partner_id, "manager_id": new_manager,
            "process_code": deal.process_code, "region": region, "department": department,
            "previous_manager_id": deal.manager_id, "previous_region": deal.region,
            "previous_department": deal.department, "reason": reason, "handover_id": handover_id,
            "partner_event_id": event_id, "task_ids": moved_tasks.get(deal.id, []), "by": by,
        })
    return {"deals": len(changes), "tasks": sum(len(ids) for ids in moved_tasks.values())}


# --- a deal on its own ----------------------------------------------------------------------

def reassign_deal(uow: UnitOfWork, actor: Actor, deal_id: str, payload: Any) -> dict[str, Any]:
    """Hand one deal to another manager with a reason, with the open tasks of its plan that were
    the previous manager's. Heads of sales (for the deals they see) and admins only
    (PermissionDenied); refuses a missing manager or reason (ValidationError), a deal the actor
    may not see (NotFound), a won or lost deal, and a deal that already is the manager's
    (PreconditionFailed). The deal keeps its partner's region and department. Answers the deal
    with its ``assignments``."""
    access.require_sales_head(actor, "reassign a deal")
    data = load(DealReassignIn(), payload, what="assignment")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    require_open(deal, "reassign it")
    if data["manager_id"] == deal.manager_id:
        raise PreconditionFailed(f"{deal.manager_id} already works deal {deal.id}",
                                 {"manager_id": deal.manager_id, "deal_id": deal.id})
    _apply(uow, [(deal, data["manager_id"])], region=deal.region, department=deal.department,
           reason=data["reason"], handover_id=None, event_id=None, by=actor.user_id)
    session.expire(deal)
    return deal_with_assignments(session, deal)


def assignments_of(session: Session, deal_ids: Iterable[str]) -> list[dict[str, Any]]:
    rows = session.scalars(select(DealAssignment).where(DealAssignment.deal_id.in_(list(deal_ids)))
                           .order_by(DealAssignment.changed_at, DealAssignment.id)).all()
    return [assignment_view(row) for row in rows]


def deal_with_assignments(session: Session, deal: Deal) -> dict[str, Any]:
    """The deal as get_deal answers it: everything it holds and who it was handed to, oldest first."""
    return {**deal_view(deal, process_of(session, deal)), "assignments": assignments_of(session, [deal.id])}
