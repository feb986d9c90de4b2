"""Sales agreements: standard ones for a segment, individual ones for a partner, and their
status flow draft → approved → expired | cancelled (rules in domain/agreements.py).

Standard agreements are set by administrators and heads of sales and are visible to everyone;
an individual agreement is seen and changed as its partner is. Only a draft is edited; an
approved agreement is a commitment and only expires or is cancelled.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contracts import partners as events
from crm_kit.access import require_sales_head
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import NotFound, PreconditionFailed, ValidationError
from crm_kit.validation import load, uuid_arg
from services.partners.domain import agreements as rules
from services.partners.models import Agreement, Partner
from services.partners.schemas import AgreementIn, AgreementStatusIn
from services.partners.usecases.lookup import PARTNERS, partner_for_change
from services.partners.views import agreement_view

STANDARD, INDIVIDUAL = "standard", "individual"

# Terms an agreement has when neither the payload nor a standard agreement gives them.
DEFAULT_TERMS: dict[str, Any] = {
    "prepayment_share": Decimal("0"),
    "credit_days": 0,
    "price_type": None,
    "delivery_terms": None,
    "discount_percent": Decimal("0"),
    "currency": "RUB",
}
_CENT = Decimal("0.01")
# Fields of a draft an update may change besides the terms.
UPDATABLE = ("name", "number", "segment", "valid_from", "valid_to")
# Fields that make it another agreement: create a new one instead.
FIXED = ("kind", "partner_id", "parent_id")


def _require_standard_rights(actor: Actor, what: str) -> None:
    require_sales_head(actor, f"{what} a standard agreement", kind=STANDARD)


def _not_found(agreement_id: str) -> NotFound:
    return NotFound(f"agreement {agreement_id} not found", {"agreement_id": agreement_id})


def _agreement_for_read(session: Session, actor: Actor, agreement_id: str) -> Agreement:
    """The agreement, or NotFound also when it is an individual one of a partner the actor
    cannot see."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise _not_found(agreement_id)
    if agreement.kind == INDIVIDUAL:
        partner = session.get(Partner, agreement.partner_id)
        if partner is None or not PARTNERS.sees(actor, partner):
            raise _not_found(agreement_id)
    return agreement


def _agreement_for_change(session: Session, actor: Actor, agreement_id: str, what: str) -> Agreement:
    """The agreement, locked, that the actor may change: a standard one for admins and heads of
    sales, an individual one for whoever may change its partner."""
    agreement = session.get(Agreement, agreement_id, with_for_update=True)
    if agreement is None:
        raise _not_found(agreement_id)
    if agreement.kind == STANDARD:
        _require_standard_rights(actor, what)
        return agreement
    partner = session.get(Partner, agreement.partner_id)
    if partner is None or not PARTNERS.sees(actor, partner):
        raise _not_found(agreement_id)
    partner_for_change(session, actor, partner.id)
    return agreement


def _terms_of(agreement: Agreement) -> dict[str, Any]:
    return {name: getattr(agreement, name) for name in rules.TERMS}


def _base_terms(parent: Agreement | None) -> dict[str, Any]:
    """What a term falls back to: the standard agreement's, else the default."""
    return {**DEFAULT_TERMS, **_terms_of(parent)} if parent is not None else dict(DEFAULT_TERMS)


def _resolve_terms(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the non-null ``overrides``; refuses terms out of range, naming each field."""
    terms = rules.derive_individual(base, overrides)
    for name, value in DEFAULT_TERMS.items():
        if terms[name] is None:
            terms[name] = value
    rules.check_terms(terms["prepayment_share"], terms["credit_days"], terms["discount_percent"])
    # As the Numeric(5, 2) columns will give them back, so a view is the same before and after.
    for name in ("prepayment_share", "discount_percent"):
        terms[name] = Decimal(str(terms[name])).quantize(_CENT)
    return terms


def agreement_event(agreement: Agreement, view: dict[str, Any]) -> dict[str, Any]:
    """The data of every agreement event: the agreement, its partner (null for a standard one)."""
    return {
        "agreement_id": agreement.id, "partner_id": agreement.partner_id, "kind": agreement.kind,
        "segment": agreement.segment, "status": agreement.status, "agreement": view,
    }


def _parent_standard(session: Session, actor: Actor, parent_id: str) -> Agreement:
    parent = session.get(Agreement, parent_id)
    owner = session.get(Partner, parent.partner_id) if parent is not None and parent.partner_id else None
    if parent is None or (parent.partner_id and (owner is None or not PARTNERS.sees(actor, owner))):
        # Another partner's agreement out of the actor's sight is as absent as a missing one:
        # its kind and status are not told.
        raise NotFound(f"agreement {parent_id} not found", {"parent_id": parent_id})
    if parent.kind != STANDARD or parent.status != rules.APPROVED:
        raise PreconditionFailed(
            f"an individual agreement derives from an approved standard one;"
            f" agreement {parent_id} is a {parent.status} {parent.kind} one",
            {"parent_id": parent_id, "kind": parent.kind, "status": parent.status,
             "required": {"kind": STANDARD, "status": rules.APPROVED}},
        )
    return parent


def create_agreement(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Create an agreement as a draft.

    A standard one (for a segment) only by an administrator or a head of sales
    (PermissionDenied). An individual one for a partner the actor may change; with
    ``parent_id`` it starts from that standard agreement's terms (which must be approved:
    PreconditionFailed), the payload's non-null terms overriding them. Terms given by neither
    default to no prepayment, no credit, no discount, RUB. Refuses terms out of range
    (ValidationError naming each).
    """
    data = load(AgreementIn(), payload, what="agreement")
    session = uow.session
    overrides = {name: data[name] for name in rules.TERMS}
    parent = None
    if data["kind"] == STANDARD:
        _require_standard_rights(actor, "create")
        errors = {}
        if data["parent_id"]:
            errors["parent_id"] = ["a standard agreement derives from no other"]
        if not data["segment"]:
            errors["segment"] = ["a standard agreement is for a segment: give it"]
        if errors:
            raise ValidationError(f"invalid agreement: {', '.join(sorted(errors))}", errors)
        segment = data["segment"]
    else:
        partner = partner_for_change(session, actor, data["partner_id"])
        if data["parent_id"]:
            parent = _parent_standard(session, actor, data["parent_id"])
        segment = data["segment"] or (parent.segment if parent is not None else partner.segment)
    terms = _resolve_terms(_base_terms(parent), overrides)

    agreement = Agreement(
        kind=data["kind"],
        number=data["number"],
        name=data["name"],
        partner_id=data["partner_id"],
        segment=segment,
        parent_id=parent.id if parent is not None else None,
        status=rules.DRAFT,
        valid_from=data["valid_from"],
        valid_to=data["valid_to"],
        created_by=actor.user_id,
        **terms,
    )
    session.add(agreement)
    session.flush()
    view = agreement_view(agreement)
    uow.emit(events.AGREEMENT_CREATED, agreement_event(agreement, view))
    return view


def update_agreement(uow: UnitOfWork, actor: Actor, agreement_id: str, changes: Any) -> dict[str, Any]:
    """Change a draft agreement: only the fields given. A term given as null falls back to the
    standard agreement's (or the default). Refuses an agreement that is no longer a draft
    (PreconditionFailed naming its status), a change of kind, partner or parent, and terms or
    dates out of range (ValidationError). No event: a draft binds nobody until approved."""
    agreement_id = uuid_arg(agreement_id, "agreement_id")
    data = load(AgreementIn(), changes, what="changes", partial=True)
    if not data:
        raise ValidationError("no changes given", {"changes": ["give at least one field to change"]})
    session = uow.session
    agreement = _agreement_for_change(session, actor, agreement_id, "change")
    if agreement.status != rules.DRAFT:
        raise PreconditionFailed(
            f"agreement {agreement_id} is {agreement.status}: only a draft can be changed",
            {"status": agreement.status, "required": rules.DRAFT},
        )
    fixed = {key: ["cannot change: create another agreement"]
             for key in FIXED if key in data and data[key] != getattr(agreement, key)}
    if fixed:
        raise ValidationError(f"invalid changes: {', '.join(sorted(fixed))}", fixed)
    valid_from = data.get("valid_from", agreement.valid_from)
    valid_to = data.get("valid_to", agreement.valid_to)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError.for_field("valid_to", "ends before it starts")
    if agreement.kind == STANDARD and "segment" in data and not data["segment"]:
        raise ValidationError.for_field("segment", "a standard agreement is for a segment: give it")

    if set(rules.TERMS) & set(data):
        parent = session.get(Agreement, agreement.parent_id) if agreement.parent_id else None
        base = _base_terms(parent)
        # Terms left out keep their value; a term given as null falls back to the base.
        current = {name: (getattr(agreement, name) if name not in data else base[name]) for name in rules.TERMS}
        overrides = {name: data[name] for name in rules.TERMS if name in data}
        for name, value in _resolve_terms(current, overrides).items():
            setattr(agreement, name, value)
    for key in UPDATABLE:
        if key in data:
            setattr(agreement, key, data[key])
    session.flush()
    view = agreement_view(agreement)
    uow.emit(events.AGREEMENT_UPDATED, agreement_event(agreement, view))
    return view


def set_agreement_status(uow: UnitOfWork, actor: Actor, agreement_id: str, status_payload: Any) -> dict[str, Any]:
    """Move an agreement along draft → approved | cancelled, approved → expired | cancelled.

    Approving records who and when. Refuses a move the flow does not allow, approving an
    agreement that has already ended, or one derived from a standard agreement that is no
    longer approved (PreconditionFailed). Emits agreement_approved / _expired / _cancelled.
    """
    agreement_id = uuid_arg(agreement_id, "agreement_id")
    data = load(AgreementStatusIn(), status_payload, what="status")
    target = data["status"]
    session = uow.session
    agreement = _agreement_for_change(session, actor, agreement_id, "approve or end")
    rules.check_transition(agreement.status, target)
    now = utcnow()
    if target == rules.APPROVED:
        if agreement.valid_to is not None and agreement.valid_to < now.date():
            raise PreconditionFailed(
                f"agreement {agreement_id} ended on {agreement.valid_to.isoformat()}: it cannot be approved",
                {"valid_to": agreement.valid_to.isoformat(), "today": now.date().isoformat()},
            )
        if agreement.parent_id:
            _parent_standard(session, actor, agreement.parent_id)
        agreement.approved_by = actor.user_id
        agreement.approved_at = now
    agreement.status = target
    agreement.status_changed_at = now
    session.flush()
    view = agreement_view(agreement)
    uow.emit(events.AGREEMENT_STATUS_EVENTS[target], agreement_event(agreement, view))
    return view


def get_agreement(session: Session, actor: Actor, agreement_id: str) -> dict[str, Any]:
    """One agreement; NotFound also for an individual one of a partner the actor cannot see."""
    return agreement_view(_agreement_for_read(session, actor, uuid_arg(agreement_id, "agreement_id")))


def _as_date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError.for_field(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def list_agreements(
    session: Session,
    actor: Actor,
    *,
    partner_id: str | None = None,
    segment: str | None = None,
    in_force_on: date | None = None,
) -> list[dict[str, Any]]:
    """Agreements the actor may see (standard ones, individual ones of visible partners), of a
    partner and/or a segment, optionally only those in force on a day. NotFound for a partner
    the actor cannot see."""
    query = select(Agreement)
    if partner_id is not None:
        partner = PARTNERS.for_read(session, actor, uuid_arg(partner_id, "partner_id"))
        query = query.where(Agreement.partner_id == partner.id)
    else:
        partner_ids = select(Partner.id).where(PARTNERS.visible(actor))
        query = query.where(or_(Agreement.kind == STANDARD, Agreement.partner_id.in_(partner_ids)))
    if segment is not None:
        query = query.where(Agreement.segment == segment)
    on = _as_date(in_force_on, "in_force_on") if in_force_on is not None else None
    if on is not None:
        query = query.where(Agreement.status == rules.APPROVED)
    rows = session.scalars(query.order_by(Agreement.kind, Agreement.created_at, Agreement.id)).all()
    if on is not None:
        rows = [a for a in rows if rules.is_in_force(a.status, a.valid_from, a.valid_to, on)]
    return [agreement_view(a) for a in rows]


def agreements_in_force(session: Session, partner: Partner, on: date) -> list[dict[str, Any]]:
    """What binds ``partner`` on day ``on``: its approved individual agreements in force, then
    the approved standard agreements of its segment in force. The caller has checked access."""
    conditions = [Agreement.partner_id == partner.id]
    if partner.segment:
        conditions.append((Agreement.kind == STANDARD) & (Agreement.segment == partner.segment))
    rows = session.scalars(
        select(Agreement)
        .where(Agreement.status == rules.APPROVED, or_(*conditions))
        .order_by(Agreement.kind, Agreement.valid_from, Agreement.created_at, Agreement.id)
    ).all()
    return [agreement_view(a) for a in rows if rules.is_in_force(a.status, a.valid_from, a.valid_to, on)]


def expire_ended(uow: UnitOfWork, today: date) -> int:
    """Approved agreements whose last day was before ``today`` become expired, each with its
    ``agreement_expired``; how many. Replicas running it at once skip each other's rows."""
    session = uow.session
    rows = session.scalars(
        select(Agreement)
        .where(Agreement.status == rules.APPROVED, Agreement.valid_to.is_not(None), Agreement.valid_to < today)
        .order_by(Agreement.id)
        .with_for_update(skip_locked=True)
    ).all()
    now = utcnow()
    for agreement in rows:
        rules.check_transition(agreement.status, rules.EXPIRED)
        agreement.status = rules.EXPIRED
        agreement.status_changed_at = now
    session.flush()
    for agreement in rows:
        uow.emit(events.AGREEMENT_EXPIRED, agreement_event(agreement, agreement_view(agreement)))
    return len(rows)
