"""Opening deals (also a lead from a first call), reading, changing and listing them.

A deal starts at its process's first stage (no stage in a process without stages), in
progress, with its first stay in the stage history and its ``deal_opened`` event, or nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from contracts import deals as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import ValidationError
from crm_kit.merges import repoint_references
from crm_kit.paging import decode_cursor, encode_cursor
from crm_kit.validation import load
from crm_kit.views import iso
from services.deals.domain import status as status_rules
from services.deals.domain.money import ZERO
from services.deals.domain.process import first_stage
from services.deals.models import Deal, Invoice, StageStay, SupplierOrder
from services.deals.schemas import UPDATABLE, CallLeadIn, DealChanges, DealFilters, DealIn, OpenOptions
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import DEALS, all_processes, find_process, process_of, require_open
from services.deals.views import deal_summary, deal_view

CALL = "call"


def opened_event(deal: Deal, view: dict[str, Any]) -> dict[str, Any]:
    return {
        **about_deal(deal),
        "stage": deal.stage,
        "status": deal.status,
        "amount": view["amount"],
        "currency": deal.currency,
        "source": deal.source,
        "source_ref": deal.source_ref,
        "deal": {key: view[key] for key in view if key not in
                 ("stage_history", "offers", "tasks", "documents", "supplier_orders", "invoices")},
    }


def _create(uow: UnitOfWork, actor: Actor, data: dict[str, Any], request_id: str | None) -> Deal:
    session = uow.session
    process = find_process(session, data["process_code"])
    if process is None:
        raise ValidationError.for_field("process_code", f"no sales process {data['process_code']!r}; see list_processes")
    DEALS.assign_owner(actor, data, "open deals")
    now = utcnow()
    stage = first_stage(process)
    deal = Deal(
        title=data["title"].strip(),
        partner_id=data["partner_id"],
        contact_id=data.get("contact_id"),
        process_code=process.code,
        stage=stage,
        status=status_rules.IN_PROGRESS,
        amount=data.get("amount") or ZERO,
        currency=data.get("currency") or "RUB",
        expected_close_date=data.get("expected_close_date"),
        source=data.get("source"),
        source_ref=data.get("source_ref"),
        manager_id=data.get("manager_id"),
        region=data.get("region"),
        department=data.get("department"),
        created_at=now,
        updated_at=now,
        created_by=actor.user_id,
        stage_entered_at=now if stage else None,
        request_id=request_id,
    )
    session.add(deal)
    session.flush()
    if stage:
        deal.history.append(StageStay(deal_id=deal.id, stage=stage, entered_at=now, entered_by=actor.user_id))
        session.flush()
    return deal


def open_deal(uow: UnitOfWork, actor: Actor, payload: Any, options: Any = None) -> dict[str, Any]:
    """Open a deal; see the module docstring. A retried call with the same ``request_id``
    answers the first deal (``replayed``). Refuses an unknown process (ValidationError on
    ``process_code``) and a manager, region or department the actor may not assign."""
    opts = load(OpenOptions(), options or {}, what="options")
    data = load(DealIn(), payload, what="deal")
    session = uow.session
    request_id = opts["request_id"]
    earlier = session.scalar(select(Deal).where(Deal.request_id == request_id)) if request_id else None
    if earlier is None:
        try:
            # A retry racing the first call: the unique request_id lets one in; the other
            # answers the winner's deal.
            with session.begin_nested():
                deal = _create(uow, actor, data, request_id)
        except IntegrityError:
            earlier = session.scalar(select(Deal).where(Deal.request_id == request_id)) if request_id else None
            if earlier is None:
                raise
    if earlier is not None:
        return {**deal_view(DEALS.for_read(session, actor, earlier.id), process_of(session, earlier)), "replayed": True}
    view = deal_view(deal, process_of(session, deal))
    uow.emit(events.DEAL_OPENED, opened_event(deal, view))
    return view


def _lead_of_call(session: Session, call_id: str) -> Deal | None:
    return session.scalar(select(Deal).where(Deal.source == CALL, Deal.source_ref == call_id))


def open_lead_from_call(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """A lead (a deal of the standard process at its first stage) from a first call, once per
    call: a second call with the same ``call_id`` answers the first deal (``replayed``)."""
    data = load(CallLeadIn(), payload, what="call")
    session = uow.session
    earlier = _lead_of_call(session, data["call_id"])
    if earlier is None:
        title = data["title"] or (f"Lead from call {data['phone']}" if data["phone"] else "Lead from call")
        deal_data = {
            "title": title,
            "partner_id": data["partner_id"],
            "process_code": "standard",
            "manager_id": data["manager_id"],
            "region": data["region"],
            "department": data["department"],
            "source": CALL,
            "source_ref": data["call_id"],
        }
        try:
            # Two deliveries of one call at once: the unique index lets one in; the other
            # answers the winner's deal.
            with session.begin_nested():
                deal = _create(uow, actor, deal_data, None)
        except IntegrityError:
            earlier = _lead_of_call(session, data["call_id"])
            if earlier is None:
                raise
        else:
            view = deal_view(deal, process_of(session, deal))
            uow.emit(events.DEAL_OPENED, opened_event(deal, view))
            return view
    return {**deal_view(DEALS.for_read(session, actor, earlier.id), process_of(session, earlier)), "replayed": True}


def get_deal(session: Session, actor: Actor, deal_id: str) -> dict[str, Any]:
    """The deal with everything it holds; NotFound also when the actor may not see it."""
    deal = DEALS.for_read(session, actor, deal_id)
    return deal_view(deal, process_of(session, deal))


def update_deal(uow: UnitOfWork, actor: Actor, deal_id: str, changes: Any) -> dict[str, Any]:
    """Change a deal's title, amount, currency, expected close date or contact. Refuses other
    fields (stage, status, terms and manager have their own methods) and a closed deal."""
    if isinstance(changes, dict):
        others = sorted(set(changes) - set(UPDATABLE))
        if others:
            raise ValidationError(
                f"invalid changes: {', '.join(others)} cannot be changed here",
                {key: [f"update_deal changes only {', '.join(UPDATABLE)}"] for key in others},
            )
    data = load(DealChanges(), changes, what="changes", partial=True)
    if not data:
        raise ValidationError("no changes given", {"changes": ["give at least one field to change"]})
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    require_open(deal, "change it")
    changed = []
    for key in UPDATABLE:
        if key in data and data[key] != getattr(deal, key):
            setattr(deal, key, data[key].strip() if key == "title" else data[key])
            changed.append(key)
    if changed:
        deal.updated_at = utcnow()
    session.flush()
    process = process_of(session, deal)
    view = deal_view(deal, process)
    if changed:
        uow.emit(events.DEAL_UPDATED, {
            **about_deal(deal), "changed": changed, "amount": view["amount"], "currency": deal.currency,
            "deal": deal_summary(deal, process),
        })
    return view


def list_deals(session: Session, actor: Actor, filters: Any) -> dict[str, Any]:
    """Deals the actor may see, newest first, filtered; ``next_cursor`` pages on."""
    data = load(DealFilters(), filters or {}, what="filters")
    # A summary needs none of a deal's collections: do not load them for a page of 500.
    query = select(Deal).options(lazyload("*")).where(DEALS.visible(actor))
    for key in ("partner_id", "manager_id", "status", "stage", "process_code"):
        if data[key]:
            query = query.where(getattr(Deal, key) == data[key])
    if data["text"] and data["text"].strip():
        query = query.where(Deal.title.ilike(f"%{data['text'].strip()}%"))
    if data["cursor"]:
        created_at, deal_id = decode_cursor(data["cursor"], datetime.fromisoformat, str)
        query = query.where(
            or_(Deal.created_at < created_at, and_(Deal.created_at == created_at, Deal.id < deal_id))
        )
    limit = data["limit"]
    rows = session.scalars(query.order_by(Deal.created_at.desc(), Deal.id.desc()).limit(limit + 1)).all()
    items = rows[:limit]
    processes = all_processes(session)
    return {
        "items": [deal_summary(d, processes.get(d.process_code)) for d in items],
        "next_cursor": encode_cursor(iso(items[-1].created_at), items[-1].id) if len(rows) > limit else None,
    }


def partners_merged(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """Re-point everything that named the merged partner to the survivor: deals (as partner and
    as the competitor that won), invoices, supplier orders. Applied once per event (inbox)."""
    survivor_id, merged_id = event["data"]["survivor_id"], event["data"]["merged_id"]  # read through the contract
    return repoint_references(uow.session, merged_id, survivor_id, {
        "deals": Deal.partner_id,
        "lost_to": Deal.competitor_id,
        "invoices": Invoice.partner_id,
        "supplier_orders": SupplierOrder.supplier_id,
    })
