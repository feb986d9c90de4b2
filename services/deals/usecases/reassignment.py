"""Who works a deal: a deal handed to another manager on its own (``reassign_deal``, heads of
sales and admins), and deals that follow their partner.

A deal sits where its partner sits: its region and department are the partner's (taken when the
deal is opened, and followed when the partner's change), so a partner and its deals are seen by
the same people. Where each partner sits is kept here (``partner_placements``) from the partners
service's events (a partner not heard of yet is asked of it when a deal is opened:
references.py).

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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from contracts import deals as events
from crm_kit import access
from crm_kit.actor import Actor
from crm_kit.batch import in_rounds
from crm_kit.db import UnitOfWork, upsert, utcnow
from crm_kit.errors import PreconditionFailed
from crm_kit.validation import load
from services.deals.domain import status as status_rules
from services.deals.models import Deal, DealAssignment, PartnerPlacement, Task
from services.deals.schemas import DealReassignIn
from services.deals.usecases.lookup import DEALS, process_of, require_open
from services.deals.views import assignment_view, deal_view

log = logging.getLogger(__name__)

OPEN_STATUSES = (status_rules.IN_PROGRESS, status_rules.POSTPONED)
# Partners (and deals) per statement: keeps IN lists well under the databases' parameter limits.
ROUND_CHUNK = 500


# --- where a partner sits -------------------------------------------------------------------

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


@dataclass(frozen=True)
class Change:
    """One deal as read (``deal``), where it goes, and why."""

    deal: Any
    manager_id: str | None
    region: str | None
    department: str | None
    reason: str | None = None
    handover_id: str | None = None
    event_id: str | None = None
    by: str | None = None


# --- deals follow their partner -------------------------------------------------------------

def partner_placed(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """partner_registered / partner_updated: remember where the partner sits; its deals take
    its region and department (their managers stay)."""
    return _follow_partners(uow, [event], reassigned=False)


def partner_reassigned(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """One partner_reassigned: see :func:`partners_reassigned`."""
    return partners_reassigned(uow, [event])


def partners_reassigned(uow: UnitOfWork, batch: list[dict[str, Any]]) -> dict[str, int]:
    """partner_reassigned events (a whole-base handover raises one per partner): each partner's
    open deals that its previous manager had (or nobody) go to the new one with their open tasks
    that were the previous manager's (or nobody's); every deal of the partner takes its region
    and department. Applied in a few statements per batch, whatever its size."""
    return _follow_partners(uow, batch, reassigned=True)


def _follow_partners(uow: UnitOfWork, batch: list[dict[str, Any]], *, reassigned: bool) -> dict[str, int]:
    totals = {"deals": 0, "tasks": 0}
    for round_ in in_rounds(batch, lambda event: str(event["data"]["partner_id"])):
        for start in range(0, len(round_), ROUND_CHUNK):
            counts = _follow_round(uow, round_[start:start + ROUND_CHUNK], reassigned=reassigned)
            totals = {key: totals[key] + counts[key] for key in totals}
    return totals


def _follow_round(uow: UnitOfWork, batch: list[dict[str, Any]], *, reassigned: bool) -> dict[str, int]:
    """Events of distinct partners: place each partner, then move their deals."""
    session = uow.session
    ids = [str(event["data"]["partner_id"]) for event in batch]
    placed = {str(row.partner_id): row for row in session.scalars(
        select(PartnerPlacement).where(PartnerPlacement.partner_id.in_(ids))
        .order_by(PartnerPlacement.partner_id).with_for_update())}
    # An event older than what was applied does not undo it (parallel workers, redelivery):
    # where the partner sits goes by partner_updated and partner_reassigned alike, who has its
    # deals by partner_reassigned only.
    rows, place_by, move_by = [], {}, {}
    for event in batch:
        data, at = event["data"], _occurred_at(event)
        pid = str(data["partner_id"])
        row = placed.get(pid)
        places = row is None or row.updated_at is None or _aware(row.updated_at) <= at
        moves = reassigned and (row is None or row.reassigned_at is None or _aware(row.reassigned_at) <= at)
        if places:
            place_by[pid] = event
        if moves:
            move_by[pid] = event
        if places or moves:
            rows.append({
                "partner_id": pid,
                "manager_id": data["manager_id"] if places else row.manager_id,
                "region": data["region"] if places else row.region,
                "department": data["department"] if places else row.department,
                "updated_at": at if places else row.updated_at,
                "reassigned_at": at if moves else (row.reassigned_at if row is not None else None),
            })
    if not rows:
        return {"deals": 0, "tasks": 0}
    statement = upsert(session, PartnerPlacement.__table__)
    session.execute(statement.on_conflict_do_update(
        index_elements=["partner_id"],
        set_={key: statement.excluded[key] for key in ("manager_id", "region", "department", "updated_at",
                                                         "reassigned_at")},
    ), rows)

    deals = session.execute(
        select(Deal.id, Deal.partner_id, Deal.manager_id, Deal.process_code, Deal.region, Deal.department, Deal.status)
        .where(Deal.partner_id.in_(list(place_by) + [pid for pid in move_by if pid not in place_by]))
        .order_by(Deal.id).with_for_update()
    ).all()
    changes = []
    for deal in deals:
        pid = str(deal.partner_id)
        placing, moving = place_by.get(pid), move_by.get(pid)
        region, department = ((placing["data"]["region"], placing["data"]["department"]) if placing
                              else (deal.region, deal.department))
        manager = deal.manager_id
        if moving is not None:
            previous, new = moving["data"].get("previous_manager_id"), moving["data"]["manager_id"]
            if (previous is not None and new is not None and previous != new and deal.status in OPEN_STATUSES
                    and deal.manager_id in (previous, None)):
                manager = new
        if (manager, region, department) == (deal.manager_id, deal.region, deal.department):
            continue
        cause = moving or placing
        actor = cause.get("actor")
        changes.append(Change(
            deal, manager, region, department, reason=cause["data"].get("reason"),
            handover_id=cause["data"].get("handover_id"), event_id=str(cause["event_id"]),
            by=actor.get("user_id") if isinstance(actor, dict) else None,
        ))
    return _apply(uow, changes)


def _apply(uow: UnitOfWork, changes: list[Change]) -> dict[str, int]:
    """Write the changes in a few statements: the deals (one UPDATE per previous and new
    manager, region and department), their open tasks that were the previous manager's, the
    history rows, the events."""
    if not changes:
        return {"deals": 0, "tasks": 0}
    session, now = uow.session, utcnow()
    groups: dict[tuple[str | None, str | None, str | None, str | None], list[str]] = {}
    for change in changes:
        key = (change.deal.manager_id, change.manager_id, change.region, change.department)
        groups.setdefault(key, []).append(change.deal.id)
    moved_tasks: dict[str, list[str]] = {}
    for (previous, manager, region, department), ids in groups.items():
        for start in range(0, len(ids), ROUND_CHUNK):
            chunk = ids[start:start + ROUND_CHUNK]
            session.execute(update(Deal).where(Deal.id.in_(chunk)).values(
                manager_id=manager, region=region, department=department, updated_at=now,
            ).execution_options(synchronize_session=False))
            if manager == previous:
                continue
            owned = Task.responsible_id.is_(None)
            if previous is not None:
                owned = or_(owned, Task.responsible_id == previous)
            for task_id, deal_id in session.execute(
                update(Task).where(Task.deal_id.in_(chunk), Task.done.is_(False), owned)
                .values(responsible_id=manager).returning(Task.id, Task.deal_id)
                .execution_options(synchronize_session=False)
            ):
                moved_tasks.setdefault(str(deal_id), []).append(str(task_id))
    session.execute(insert(DealAssignment.__table__), [  # Core: no ORM bookkeeping per row
        {"deal_id": change.deal.id, "manager_id": change.manager_id, "previous_manager_id": change.deal.manager_id,
         "region": change.region, "department": change.department, "reason": change.reason,
         "handover_id": change.handover_id, "tasks_moved": len(moved_tasks.get(str(change.deal.id), ())),
         "changed_at": now, "changed_by": change.by}
        for change in changes
    ])
    for change in changes:
        deal = change.deal
        uow.emit(events.DEAL_REASSIGNED, {
            "deal_id": deal.id, "partner_id": deal.partner_id, "manager_id": change.manager_id,
            "process_code": deal.process_code, "region": change.region, "department": change.department,
            "previous_manager_id": deal.manager_id, "previous_region": deal.region,
            "previous_department": deal.department, "reason": change.reason, "handover_id": change.handover_id,
            "partner_event_id": change.event_id, "task_ids": moved_tasks.get(str(deal.id), []), "by": change.by,
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
    _apply(uow, [Change(deal, data["manager_id"], deal.region, deal.department, reason=data["reason"],
                        by=actor.user_id)])
    session.expire(deal)
    return deal_with_assignments(session, deal)


def assignments_of(session: Session, deal_ids: Iterable[str]) -> list[dict[str, Any]]:
    rows = session.scalars(select(DealAssignment).where(DealAssignment.deal_id.in_(list(deal_ids)))
                           .order_by(DealAssignment.changed_at, DealAssignment.id)).all()
    return [assignment_view(row) for row in rows]


def deal_with_assignments(session: Session, deal: Deal) -> dict[str, Any]:
    """The deal as get_deal answers it: everything it holds and who it was handed to, oldest first."""
    return {**deal_view(deal, process_of(session, deal)), "assignments": assignments_of(session, [deal.id])}
