"""A prospect and a lead for an incoming call from a number nobody has, queued by the PBX batch
(call_ingest.py, through :func:`queue_lead`) or by later matching (caller_matching.py).

Done by a timer, outside the batch that stored the call, because it waits on two other
services: the partners service registers the prospect (idempotent by ``request_id``
``pbx-prospect:<number>``, so a retry after a crash finds the same partner) and the deals
service opens the lead (idempotent by ``call_id``). One number makes one prospect and one lead,
however many calls come from it before the prospect exists; every call from that number is then
linked to the prospect, and the first one to the lead (``created_deal_id``).

When the number turns out to belong to a partner by then (someone registered it meanwhile:
partners refuses the prospect as a duplicate), the calls are linked to that partner and no
lead is made. While partners or deals do not answer, the row stays pending and is tried again
after 2, 4, 8... seconds (at most INTERACTIONS_CALL_LEAD_MAX_BACKOFF_S, default 300). A
refusal that retrying cannot fix (the number is not one partners accepts) marks it failed with
the reason, listed by ``list_call_leads``.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

import eventlet
from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import interactions as events
from crm_kit import phones
from crm_kit.config import env_float, env_int
from crm_kit.db import UnitOfWork, upsert, utcnow
from crm_kit.errors import Conflict, CrmError, Unavailable
from crm_kit.views import iso
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import CallLead, Interaction
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.last_interaction import touch_partner, where_partners_sit
from services.interactions.usecases.tasks import hand_call_backs_to_caller

log = logging.getLogger(__name__)

PENDING, DONE, FAILED = "pending", "done", "failed"
MAX_BACKOFF_S = env_float("INTERACTIONS_CALL_LEAD_MAX_BACKOFF_S", 300.0, minimum=1.0)
# Prospects and leads asked of partners and deals at once (each pair of calls in order).
CONCURRENCY = env_int("INTERACTIONS_CALL_LEAD_CONCURRENCY", 8, minimum=1, maximum=64)


def queue_lead(session: Session, rec: dict[str, Any]) -> None:
    """Ask for a prospect and a lead for this call's number (a call record of the PBX batch,
    call_records.py), once per number."""
    queue_leads(session, [rec])


def queue_leads(session: Session, recs: list[dict[str, Any]]) -> None:
    """:func:`queue_lead` for many calls in one statement: the first call queued for a number
    is the one the lead is for (rows are inserted in the order given; a number already queued,
    earlier in the list or before, is skipped)."""
    if not recs:
        return
    now = utcnow()
    statement = upsert(session, CallLead.__table__).on_conflict_do_nothing(index_elements=["number"])
    session.execute(statement, [{
        "number": rec["external_number"], "interaction_id": rec["id"], "call_id": rec["call_id"],
        "responsible_id": rec["responsible_id"], "region": rec["region"], "department": rec["department"],
        "state": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now,
    } for rec in recs])


def prospect_of(lead: CallLead) -> dict[str, Any]:
    return {
        "kinds": ["prospect"],
        "legal_form": "person",
        "short_name": f"Caller {phones.display(lead.number)}",
        "phones": [{"number": lead.number}],
        "source": "call",
        "manager_id": lead.responsible_id,
        "region": lead.region,
        "department": lead.department,
        "comment": f"Registered from incoming call {lead.call_id} from an unknown number.",
    }


def process(uow: UnitOfWork, partners, deals, limit: int = 40, budget_s: float = 1.5) -> dict[str, int]:
    """Work through the due pending rows, ``limit`` at a time (each chunk committed on its own,
    so its rows and calls are not held locked for the whole round), for at most about
    ``budget_s`` seconds (the timer comes back for the rest)."""
    started = time.monotonic()
    counts = {"due": 0, DONE: 0, FAILED: 0, "retry": 0}
    while True:
        taken = _process_some(uow, partners, deals, limit, counts)
        if taken < limit or time.monotonic() - started >= budget_s:
            return counts
        uow.commit()


def _process_some(uow: UnitOfWork, partners, deals, limit: int, counts: dict[str, int]) -> int:
    """Ask partners and deals for the chunk's prospects and leads at once (up to CONCURRENCY
    pairs of calls in flight: one after the other, a round trip each, made about 20 leads a
    second), then record each answer under its own savepoint, in the rows' order."""
    session = uow.session
    due = session.scalars(
        select(CallLead).where(CallLead.state == PENDING, CallLead.next_attempt_at <= utcnow())
        .order_by(CallLead.next_attempt_at).limit(limit).with_for_update(skip_locked=True)
    ).all()
    counts["due"] += len(due)
    asks = [_ask_of(lead) for lead in due]
    pool = eventlet.GreenPool(CONCURRENCY)
    answers = list(pool.imap(lambda ask: _answer(partners, deals, ask), asks))
    for lead, answer in zip(due, answers, strict=True):
        try:
            with session.begin_nested():
                if isinstance(answer, BaseException):
                    raise answer
                _record(uow, lead, *answer)
            counts[DONE] += 1
        except Unavailable as exc:
            lead.attempts += 1
            lead.last_error = str(exc)
            lead.next_attempt_at = utcnow() + timedelta(seconds=min(2.0 ** lead.attempts, MAX_BACKOFF_S))
            counts["retry"] += 1
        except CrmError as exc:
            lead.attempts += 1
            lead.state, lead.last_error = FAILED, f"{type(exc).__name__}: {exc}"
            log.warning("no prospect for calls from %s: %s", lead.number, lead.last_error)
            counts[FAILED] += 1
        except Exception as exc:  # noqa: BLE001 - an unexpected answer: try again later, never block the others
            lead.attempts += 1
            lead.last_error = f"{type(exc).__name__}: {exc}"
            lead.next_attempt_at = utcnow() + timedelta(seconds=min(2.0 ** lead.attempts, MAX_BACKOFF_S))
            log.error("prospect for calls from %s failed; again later", lead.number, exc_info=exc)
            counts["retry"] += 1
    session.flush()
    return len(due)


def _ask_of(lead: CallLead) -> dict[str, Any]:
    """What the calls to partners and deals need of a row, read before they run concurrently
    (the session stays with this greenlet)."""
    return {"prospect": prospect_of(lead), "number": lead.number, "call_id": lead.call_id,
            "responsible_id": lead.responsible_id, "region": lead.region, "department": lead.department}


def _answer(partners, deals, ask: dict[str, Any]) -> tuple[str, str | None, str | None] | BaseException:
    """``(partner_id, manager_id, deal_id)``: the prospect registered and its lead opened, or the
    partner who has the number by now (no lead: ``deal_id`` None); or the error. Both calls are
    idempotent (a request id, the call id), so asking again after a failure makes nothing twice."""
    try:
        try:
            answer = partners.register(ask["prospect"], {"request_id": f"pbx-prospect:{ask['number']}"})
            partner = answer["partner"]
            partner_id, manager_id = partner["id"], partner.get("manager_id")
        except Conflict as exc:
            matches = (exc.details or {}).get("matches") or []
            if not matches:
                raise
            return matches[0]["partner_id"], matches[0].get("manager_id"), None  # known by now: no lead
        deal = deals.open_lead_from_call({
            "call_id": ask["call_id"], "partner_id": partner_id, "phone": ask["number"],
            "manager_id": ask["responsible_id"] or manager_id, "region": ask["region"], "department": ask["department"],
            "title": f"Lead from call {phones.display(ask['number'])}",
        })
        return partner_id, manager_id, deal["id"]
    except Exception as exc:  # noqa: BLE001 - recorded against its row by the caller
        return exc


def _record(uow: UnitOfWork, lead: CallLead, partner_id: str, manager_id: str | None, deal_id: str | None) -> None:
    lead.state, lead.partner_id, lead.deal_id, lead.done_at = DONE, partner_id, deal_id, utcnow()
    lead.attempts += 1
    lead.last_error = None
    link_calls(uow, lead, partner_id, manager_id)


def link_calls(uow: UnitOfWork, lead: CallLead, partner_id: str, manager_id: str | None) -> None:
    """Every call from the number not yet tied to anyone now names the partner; the first one
    also links the lead it made."""
    session = uow.session
    rows = session.scalars(
        select(Interaction).where(Interaction.external_number == lead.number, Interaction.partner_id.is_(None))
        .order_by(Interaction.call_id).with_for_update()  # the batch consumer's lock order
    ).all()
    # The partner's manager as partners' events told it, when the answer did not name one (a
    # partner found by its number rather than registered now).
    known_manager, region, department = where_partners_sit(session, {partner_id}).get(partner_id, (None, None, None))
    if manager_id is None or manager_id == known_manager:
        manager_id = manager_id or known_manager
    else:
        region = department = None
    hand_call_backs_to_caller(session, [row.id for row in rows], partner_id, manager_id, region, department)
    for row in rows:
        changed = ["partner_id", "subject_id", "match_state"]
        row.partner_id, row.match_state = partner_id, "matched"
        if row.subject_id is None:
            row.subject_kind, row.subject_id = kind_rules.PARTNER, partner_id
        if row.responsible_id is None and manager_id:
            row.responsible_id = manager_id
            if row.region is None and row.department is None:
                row.region, row.department = region, department
            changed.append("responsible_id")
        if row.participants:
            row.participants[0].partner_id, row.participants[0].linked_by = partner_id, "phone"
        if row.id == lead.interaction_id and lead.deal_id:
            row.created_deal_id = lead.deal_id
            changed.append("created_deal_id")
        uow.emit(events.INTERACTION_UPDATED, {
            **about_interaction(row), "changed": changed, "call_id": row.call_id,
            "deal_id": lead.deal_id if row.id == lead.interaction_id else None,
        })
        if row.answered_at is not None and row.call_state == "ended":
            touch_partner(session, row)  # an answered call counts for forgotten clients


def lead_view(lead: CallLead) -> dict[str, Any]:
    return {
        "number": lead.number, "interaction_id": lead.interaction_id, "call_id": lead.call_id, "state": lead.state,
        "attempts": lead.attempts, "next_attempt_at": iso(lead.next_attempt_at), "last_error": lead.last_error,
        "partner_id": lead.partner_id, "deal_id": lead.deal_id, "created_at": iso(lead.created_at),
        "done_at": iso(lead.done_at),
    }


def list_leads(session: Session, state: str | None, limit: int) -> list[dict[str, Any]]:
    query = select(CallLead).order_by(CallLead.created_at.desc()).limit(limit)
    if state:
        query = query.where(CallLead.state == state)
    return [lead_view(lead) for lead in session.scalars(query)]
