"""The sales process in motion: processes as data, moving a deal between stages, its status
(won, lost, postponed), and the sales terms chosen for it.

The rules are in domain/process.py and domain/status.py; here the facts a stage needs are
gathered (whether the partner is a client is asked of the partners service, only when the
target stage needs it), each stay is recorded in the stage history, and every change is
written with its event.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts import deals as events
from crm_kit.access import require_sales_head
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import Conflict, NotFound, PreconditionFailed
from crm_kit.validation import load
from services.deals.domain import money as money_rules
from services.deals.domain import offers as offer_rules
from services.deals.domain import status as status_rules
from services.deals.domain import terms as terms_rules
from services.deals.domain.process import BUILTIN_PROCESSES, STRICT, DealFacts, SalesProcess, check_move, validate_process
from services.deals.models import Deal, Invoice, Offer, SalesProcessRecord, StageStay
from services.deals.partners_client import Partners
from services.deals.schemas import MoveIn, StatusIn, TermsIn
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import DEALS, process_of, require_open
from services.deals.usecases.references import visible_partner
from services.deals.views import deal_view, process_view

APPROVED = "approved"
STANDARD, INDIVIDUAL = "standard", "individual"


# --- processes ----------------------------------------------------------------------------

def list_processes(session: Session) -> list[dict[str, Any]]:
    """Every sales process: the built-in ones (standard, manual, none) and those defined."""
    builtin = list(BUILTIN_PROCESSES)
    records = session.scalars(select(SalesProcessRecord)).all()
    records = sorted(records, key=lambda r: (builtin.index(r.code) if r.code in builtin else len(builtin), r.created_at, r.code))
    return [process_view(record) for record in records]


def define_process(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Define a sales process (admins and heads of sales only). Refuses what
    domain/process.validate_process refuses, naming each field, and a code already taken
    (Conflict)."""
    require_sales_head(actor, "define a sales process")
    process = validate_process(payload)
    session = uow.session
    if session.get(SalesProcessRecord, process.code) is not None:
        raise Conflict(f"a sales process {process.code!r} already exists", {"code": process.code})
    as_dict = process.to_dict()
    record = SalesProcessRecord(
        code=process.code, name=process.name, mode=process.mode, stages=as_dict["stages"], created_by=actor.user_id,
    )
    session.add(record)
    session.flush()
    return process_view(record)


# --- stage moves --------------------------------------------------------------------------

def _partner_is_client(partners: Partners, deal: Deal, target: str) -> bool:
    """Ask the partners service (as the actor) whether the deal's partner is a client."""
    try:
        partner = partners.get(deal.partner_id)
    except NotFound:
        raise PreconditionFailed(
            f"cannot enter {target}: partner {deal.partner_id} is not found in the partners service"
            " (or you may not see it), so it cannot be checked as a client",
            {"stage": target, "missing": ["partner_is_client"], "partner_id": deal.partner_id},
        ) from None
    return "client" in (partner.get("kinds") or [])


def gather_facts(session: Session, partners: Partners, deal: Deal, process: SalesProcess, target: str) -> DealFacts:
    """What is true of ``deal`` for the preconditions of ``target``. The partner's class is
    asked of the partners service only when a strict process's target stage needs it."""
    stage = process.stage(target)
    needed = set(stage.preconditions) if stage is not None and process.mode == STRICT else set()
    if "partner_is_client" in needed:
        deal.partner_is_client = _partner_is_client(partners, deal, target)
    offers = session.execute(select(Offer.status, Offer.sent_at).where(Offer.deal_id == deal.id)).all()
    invoices = session.execute(
        select(Invoice.status).where(Invoice.deal_id == deal.id, Invoice.status != money_rules.CANCELLED)
    ).scalars().all()
    prepaid = True
    if deal.terms_prepayment_share:
        paid = session.scalar(select(func.coalesce(func.sum(Invoice.paid), 0)).where(
            Invoice.deal_id == deal.id, Invoice.status != money_rules.CANCELLED))
        prepaid = terms_rules.prepayment_paid(deal.amount, deal.terms_prepayment_share, Decimal(paid))
    return DealFacts(
        partner_is_client=bool(deal.partner_is_client),
        terms_chosen=terms_rules.terms_chosen(deal.agreement_id, deal.agreement_status),
        amount_set=deal.amount is not None and deal.amount > 0,
        offer_sent=any(o.sent_at is not None for o in offers),
        offer_accepted=any(o.status == offer_rules.ACCEPTED for o in offers),
        invoice_issued=bool(invoices),
        invoice_paid=bool(invoices) and all(status == money_rules.PAID for status in invoices),
        prepayment_paid=prepaid,
    )


def _current_stay(session: Session, deal: Deal) -> StageStay | None:
    return session.scalar(
        select(StageStay).where(StageStay.deal_id == deal.id, StageStay.left_at.is_(None)).order_by(StageStay.entered_at.desc())
    )


def enter_stage(session: Session, actor: Actor, deal: Deal, stage: str, note: str | None) -> None:
    """Close the current stay and open one at ``stage``."""
    now = utcnow()
    stay = _current_stay(session, deal)
    if stay is not None:
        stay.left_at = now
        stay.left_by = actor.user_id
    deal.history.append(StageStay(deal_id=deal.id, stage=stage, entered_at=now, entered_by=actor.user_id, note=note))
    deal.stage = stage
    deal.stage_entered_at = now
    deal.updated_at = now


def move_to_stage(uow: UnitOfWork, actor: Actor, partners: Partners, deal_id: str, payload: Any) -> dict[str, Any]:
    """Move a deal to another stage of its process (domain/process.check_move decides).

    Refuses (PreconditionFailed): a deal that is not in progress, a deal without stages, its
    current stage, in a strict process a skipped stage (details ``skipped``) or a stage whose
    preconditions are not met (details ``missing``). An unknown stage is a ValidationError on
    ``stage``.
    """
    data = load(MoveIn(), payload, what="move")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    process = process_of(session, deal)
    if deal.status != status_rules.IN_PROGRESS:
        raise PreconditionFailed(
            f"deal {deal.id} is {deal.status}: only a deal in progress moves between stages",
            {"status": deal.status, "required": status_rules.IN_PROGRESS},
        )
    target = data["stage"]
    facts = gather_facts(session, partners, deal, process, target)
    check_move(process, deal.stage, target, facts)
    previous = deal.stage
    enter_stage(session, actor, deal, target, data["note"])
    session.flush()
    view = deal_view(deal, process)
    uow.emit(events.DEAL_STAGE_CHANGED, {
        **about_deal(deal),
        "from_stage": previous,
        "to_stage": target,
        "probability": view["probability"],
        "amount": view["amount"],
        "currency": deal.currency,
        "note": data["note"],
    })
    return view


# --- status -------------------------------------------------------------------------------

def set_status(uow: UnitOfWork, actor: Actor, deal_id: str, payload: Any, *, partners: Partners | None = None) -> dict[str, Any]:
    """Win, lose, postpone or resume a deal (domain/status.check_status_change decides).

    Losing records the reason, the stage it was lost at and the competitor that won; a won or
    lost deal is closed (its current stay ends). Refuses leaving won or lost, winning a strict
    deal before its last stage (PreconditionFailed), losing without a reason
    (ValidationError on ``loss_reason``) and a competitor that does not exist or that the actor
    may not see (NotFound on ``competitor_id``, references.py).
    """
    data = load(StatusIn(), payload, what="change")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    process = process_of(session, deal)
    target = data["status"]
    status_rules.check_status_change(process, deal.status, target, deal.stage, loss_reason=data["loss_reason"])
    if target == status_rules.LOST and data["competitor_id"]:
        visible_partner(session, actor, partners, data["competitor_id"], "competitor_id")
    now = utcnow()
    deal.status = target
    deal.updated_at = now
    if target in status_rules.FINAL_STATUSES:
        deal.closed_at = now
        stay = _current_stay(session, deal)
        if stay is not None:
            stay.left_at = now
            stay.left_by = actor.user_id
    if target == status_rules.LOST:
        deal.loss_reason = data["loss_reason"]
        deal.lost_at_stage = deal.stage
        deal.competitor_id = data["competitor_id"]
    session.flush()
    view = deal_view(deal, process)
    payload_out: dict[str, Any] = {
        **about_deal(deal),
        "stage": deal.stage,
        "amount": view["amount"],
        "currency": deal.currency,
        "note": data["note"],
    }
    if target in status_rules.FINAL_STATUSES:
        payload_out.update(closed_at=view["closed_at"])
    if target == status_rules.LOST:
        payload_out.update(
            loss_reason=deal.loss_reason, lost_at_stage=deal.lost_at_stage, competitor_id=deal.competitor_id
        )
    uow.emit(events.STATUS_EVENTS[target], payload_out)
    return view


# --- sales terms --------------------------------------------------------------------------

def _decimal_or_none(value: Any) -> Decimal | None:
    """A term as the partners service answers it (decimal text), ``None`` when it sets none."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def deal_terms(deal: Deal) -> terms_rules.Terms | None:
    """The terms documents of ``deal`` are checked against; ``None`` without an agreement."""
    if deal.agreement_id is None:
        return None
    return terms_rules.Terms(deal.agreement_id, deal.terms_credit_days, deal.terms_discount_percent,
                             deal.terms_prepayment_share)


def choose_terms(uow: UnitOfWork, actor: Actor, partners: Partners, deal_id: str, payload: Any) -> dict[str, Any]:
    """Choose the sales terms: an agreement of the partners service, asked as the actor. It must
    be approved and either standard or individual for this deal's partner (PreconditionFailed
    otherwise); NotFound when the actor may not see it. Refuses a closed deal."""
    data = load(TermsIn(), payload, what="terms")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    require_open(deal, "choose its terms")
    agreement = partners.get_agreement(data["agreement_id"])
    problems = []
    if agreement.get("status") != APPROVED:
        problems.append(f"it is {agreement.get('status')}, not approved")
    if agreement.get("kind") == INDIVIDUAL and agreement.get("partner_id") != deal.partner_id:
        problems.append("it is an individual agreement of another partner")
    if agreement.get("kind") not in (STANDARD, INDIVIDUAL):
        problems.append(f"it is of an unknown kind {agreement.get('kind')!r}")
    if problems:
        raise PreconditionFailed(
            f"agreement {data['agreement_id']} cannot be this deal's terms: {'; '.join(problems)}",
            {"agreement_id": data["agreement_id"], "status": agreement.get("status"), "kind": agreement.get("kind"),
             "required": {"status": APPROVED, "partner_id": deal.partner_id}},
        )
    deal.agreement_id = data["agreement_id"]
    deal.agreement_status = APPROVED
    deal.terms_credit_days = agreement.get("credit_days")
    deal.terms_discount_percent = _decimal_or_none(agreement.get("discount_percent"))
    deal.terms_prepayment_share = _decimal_or_none(agreement.get("prepayment_share"))
    deal.updated_at = utcnow()
    session.flush()
    view = deal_view(deal, process_of(session, deal))
    uow.emit(events.DEAL_TERMS_CHOSEN, {
        **about_deal(deal),
        "agreement_id": deal.agreement_id,
        "agreement_kind": agreement.get("kind"),
        "agreement_name": agreement.get("name"),
    })
    return view

