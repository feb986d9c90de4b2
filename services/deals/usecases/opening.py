"""Opening deals: a deal opened by a person, and a lead opened from a first call (asked by the
interactions service for a caller nobody had).

A deal starts at its process's first stage (no stage in a process without stages), in
progress, with its first stay in the stage history and its ``deal_opened`` event, or nothing.
Both are idempotent: a deal by the caller's ``request_id``, a lead by its ``call_id``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contracts import deals as events
from crm_kit.access import require_role
from crm_kit.actor import SERVICE, Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import ValidationError
from crm_kit.validation import load
from services.deals.domain import status as status_rules
from services.deals.domain.money import ZERO
from services.deals.domain.process import first_stage
from services.deals.models import Deal, StageStay
from services.deals.schemas import CallLeadIn, DealIn, OpenOptions
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import DEALS, find_process, process_of
from services.deals.usecases.references import visible_contact, visible_partner
from services.deals.views import deal_view

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


def _create(uow: UnitOfWork, actor: Actor, partners: Any | None, data: dict[str, Any], request_id: str | None) -> Deal:
    session = uow.session
    process = find_process(session, data["process_code"])
    if process is None:
        raise ValidationError.for_field("process_code", f"no sales process {data['process_code']!r}; see list_processes")
    # The partner (and contact) must exist for the caller (references.py); the deal sits where
    # its partner sits, whatever the caller gave (reassignment.py).
    placement = visible_partner(session, actor, partners, data["partner_id"])
    if data.get("contact_id"):
        visible_contact(partners, data["contact_id"], data["partner_id"])
    # "-" (no department is called that) keeps assign_owner from filling in the caller's.
    data["region"], data["department"] = placement["region"], placement["department"] or "-"
    DEALS.assign_owner(actor, data, "open deals")
    data["department"] = placement["department"]
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


def open_deal(uow: UnitOfWork, actor: Actor, payload: Any, options: Any = None, *, partners: Any = None) -> dict[str, Any]:
    """Open a deal; see the module docstring. A retried call with the same ``request_id``
    answers the first deal (``replayed``). Its region and department are its partner's (asked
    of the partners service, ``partners``, for a partner not heard of yet). Refuses a partner or
    contact that does not exist or that the caller may not see (NotFound, references.py), a
    contact of another partner and an unknown process (ValidationError), the source "call"
    (call leads are the PBX's: :func:`open_lead_from_call`), and a manager the actor may not
    assign."""
    opts = load(OpenOptions(), options or {}, what="options")
    data = load(DealIn(), payload, what="deal")
    if data.get("source") == CALL:
        # A call's lead is keyed by the PBX's call id: a deal opened by hand with that source
        # would take the lead of a call that has not come yet.
        raise ValidationError.for_field("source", "leads from calls are opened by the telephony path only")
    session = uow.session
    request_id = opts["request_id"]
    earlier = session.scalar(select(Deal).where(Deal.request_id == request_id)) if request_id else None
    if earlier is None:
        try:
            # A retry racing the first call: the unique request_id lets one in; the other
            # answers the winner's deal.
            with session.begin_nested():
                deal = _create(uow, actor, partners, data, request_id)
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


def open_lead_from_call(uow: UnitOfWork, actor: Actor, payload: Any, *, partners: Any = None) -> dict[str, Any]:
    """A lead (a deal of the standard process at its first stage) from a first call, once per
    call: a second call with the same ``call_id`` answers the first deal (``replayed``).

    Services only (PermissionDenied for people, whatever their roles): call ids are the PBX's,
    and the interactions service opens a call's lead when the PBX reports a call from an unknown
    number. A person who could name a call id would take the lead of a call not yet made (the
    lead is once per call id). A manager opens a deal for a known caller with open_deal."""
    require_role(actor, (SERVICE,), "open leads from calls")
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
                deal = _create(uow, actor, partners, deal_data, None)
        except IntegrityError:
            earlier = _lead_of_call(session, data["call_id"])
            if earlier is None:
                raise
        else:
            view = deal_view(deal, process_of(session, deal))
            uow.emit(events.DEAL_OPENED, opened_event(deal, view))
            return view
    return {**deal_view(DEALS.for_read(session, actor, earlier.id), process_of(session, earlier)), "replayed": True}
