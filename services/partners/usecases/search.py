"""Listing partners with filters and keyset pagination, and finding who is behind a phone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from crm_kit import reads
from crm_kit.access import require_operator
from crm_kit.actor import Actor
from crm_kit.errors import ValidationError
from crm_kit.paging import decode_cursor, encode_cursor, id_key, text_key
from crm_kit.validation import load
from services.partners.domain import contacts as contact_rules
from services.partners.domain import legal
from services.partners.domain.names import name_key
from services.partners.models import ACTIVE, Contact, Email, Partner, PartnerKind, Phone
from services.partners.schemas import SearchIn
from services.partners.usecases.lookup import PARTNERS
from services.partners.views import PARTNER_SUMMARY


def _text_condition(text: str):
    """Free text: an INN, a phone number, or part of the name (canonical, any script)."""
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) in (10, 12):
        try:
            return Partner.inn == legal.normalize_inn(compact)
        except ValidationError:
            pass
    phone = contact_rules.phone_lookup_key(text) if sum(c.isdigit() for c in text) >= 7 else None
    key = name_key(text)
    conditions = [Partner.short_name.ilike(f"%{text}%")]
    if key:
        conditions.append(Partner.name_key.like(f"%{key}%"))
    if phone:
        conditions.append(Partner.id.in_(select(Phone.partner_id).where(Phone.number == phone)))
    return or_(*conditions)


def search(session: Session, actor: Actor, filters: Any) -> dict[str, Any]:
    """Partners the actor may see, filtered, ordered by name; ``next_cursor`` pages on."""
    data = load(SearchIn(), filters or {}, what="filters")
    # The summaries built by the database (crm_kit.reads): one statement for the page, no
    # partner's phones, contacts or properties loaded to list it.
    query = select(PARTNER_SUMMARY, Partner.short_name, Partner.id).where(PARTNERS.visible(actor))
    if data["status"] != "any":
        query = query.where(Partner.status == data["status"])
    if data["kind"]:
        query = query.where(Partner.id.in_(select(PartnerKind.partner_id).where(PartnerKind.kind == data["kind"])))
    for key in ("segment", "region", "manager_id", "source"):
        if data[key]:
            query = query.where(getattr(Partner, key) == data[key])
    if data["text"]:
        query = query.where(_text_condition(data["text"].strip()))
    if data["cursor"]:
        name, partner_id = decode_cursor(data["cursor"], text_key, id_key)
        query = query.where(
            or_(Partner.short_name > name, and_(Partner.short_name == name, Partner.id > partner_id))
        )
    limit = data["limit"]
    rows = session.connection().execute(query.order_by(Partner.short_name, Partner.id).limit(limit + 1)).all()
    items = rows[:limit]
    return {
        "items": [reads.document(row[0]) for row in items],
        "next_cursor": encode_cursor(items[-1].short_name, str(items[-1].id)) if len(rows) > limit else None,
    }


MAX_NUMBERS = 500


def _phone_matches(session: Session, actor: Actor, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The visible active partners and contacts behind each E.164 key, in one statement."""
    query = (
        select(Phone.number, Phone.partner_id, Phone.contact_id, Partner.short_name, Partner.manager_id, Contact.full_name)
        .join(Partner, Partner.id == Phone.partner_id)
        .outerjoin(Contact, Contact.id == Phone.contact_id)
        .where(Phone.number.in_(keys), Partner.status == ACTIVE, PARTNERS.visible(actor))
        .order_by(Phone.number, Phone.partner_id, Phone.contact_id)
    )
    found: dict[str, list[dict[str, Any]]] = {key: [] for key in keys}
    for row in session.execute(query):
        matches = found[row.number]
        if len(matches) < 20:
            matches.append({
                "partner_id": str(row.partner_id),
                "partner_name": row.short_name,
                "contact_id": str(row.contact_id) if row.contact_id else None,
                "contact_name": row.full_name,
                "manager_id": row.manager_id,
            })
    return found


def find_by_phone(session: Session, actor: Actor, number: Any) -> dict[str, Any]:
    """The partners and contacts behind a phone number written in any format."""
    if not isinstance(number, str) or not number.strip():
        raise ValidationError.for_field("number", "give a phone number")
    key = contact_rules.phone_lookup_key(number)
    if key is None:
        raise ValidationError.for_field("number", f"{number!r} is not a phone number")
    return {"number": key, "matches": _phone_matches(session, actor, [key])[key]}


def find_by_email(session: Session, actor: Actor, address: Any) -> dict[str, Any]:
    """The partners and contacts with this email address (compared as normalised, lower-case):
    ``{"address", "matches": [{partner_id, partner_name, contact_id, contact_name, manager_id}]}``."""
    if not isinstance(address, str) or not address.strip():
        raise ValidationError.for_field("address", "give an email address")
    key = contact_rules.normalize_email(address.strip(), "address")
    query = (
        select(Email.partner_id, Email.contact_id, Partner.short_name, Partner.manager_id, Contact.full_name)
        .join(Partner, Partner.id == Email.partner_id)
        .outerjoin(Contact, Contact.id == Email.contact_id)
        .where(Email.address == key, Partner.status == ACTIVE, PARTNERS.visible(actor))
        .order_by(Email.partner_id, Email.contact_id)
        .limit(20)
    )
    matches = [
        {"partner_id": str(row.partner_id), "partner_name": row.short_name,
         "contact_id": str(row.contact_id) if row.contact_id else None, "contact_name": row.full_name,
         "manager_id": row.manager_id}
        for row in session.execute(query)
    ]
    return {"address": key, "matches": matches}


def find_by_phones(session: Session, actor: Actor, numbers: Any) -> dict[str, Any]:
    """Caller matching for a batch of numbers (a PBX consumer's batch) in one statement:
    ``{"results": {given: {"number": E.164 key, "matches": [...]}}, "invalid": [given...]}``.
    A number that is not a phone number (an extension, "anonymous") is listed in ``invalid``
    instead of failing the batch."""
    if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
        raise ValidationError.for_field("numbers", "give a list of phone numbers (strings)")
    if len(numbers) > MAX_NUMBERS:
        raise ValidationError.for_field("numbers", f"at most {MAX_NUMBERS} numbers at once, got {len(numbers)}")
    keys = {given: contact_rules.phone_lookup_key(given) for given in dict.fromkeys(numbers)}
    found = _phone_matches(session, actor, sorted({key for key in keys.values() if key})) if any(keys.values()) else {}
    return {
        "results": {given: {"number": key, "matches": found[key]} for given, key in keys.items() if key},
        "invalid": [given for given, key in keys.items() if key is None],
    }


DIRECTORY_PAGE = 5000


def phone_directory(session: Session, actor: Actor, after: Any = None, limit: Any = DIRECTORY_PAGE) -> dict[str, Any]:
    """Every number of an active partner or its contacts with who has it, in number order, a
    page of ``limit`` numbers after ``after``: ``{"items": [{number, partner_id, partner_name,
    contact_id, contact_name, manager_id}], "next": the last number, or None at the end}``.
    For services that keep a copy for caller matching (the interactions service); services and
    admins only."""
    require_operator(actor, "read the phone directory")
    if after is not None and (not isinstance(after, str) or len(after) > 20):
        raise ValidationError.for_field("after", "the last number of the previous page")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 20000:
        raise ValidationError.for_field("limit", "a whole number from 1 to 20000")
    query = select(Phone.number).join(Partner, Partner.id == Phone.partner_id).where(Partner.status == ACTIVE)
    if after:
        query = query.where(Phone.number > after)
    page = list(session.scalars(query.group_by(Phone.number).order_by(Phone.number).limit(limit)))
    found = _phone_matches(session, actor, page) if page else {}
    items = [{"number": key, **match} for key in page for match in found[key]]
    return {"items": items, "next": page[-1] if len(page) == limit else None}
