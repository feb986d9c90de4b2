"""marshmallow schemas of the partners service's RPC payloads, and the views it answers with.

Loading a payload checks types and business formats at once (INN/KPP/OGRN checksums, phones to
E.164, emails, BIC with account) so a caller hears of every bad field in one error, before
anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from crm_kit.errors import ValidationError as CrmValidationError
from services.partners.domain import agreements as agreement_rules
from services.partners.domain import contacts as contact_rules
from services.partners.domain import legal
from services.partners.domain.duplicates import DuplicatePolicy
from services.partners.models import PARTNER_KINDS

LEGAL_FORMS = ("legal_entity", "entrepreneur", "person")
PHONE_KINDS = ("work", "mobile", "fax", "home", "other")
EMAIL_KINDS = ("work", "personal", "billing", "other")
ADDRESS_KINDS = ("legal", "actual", "postal", "delivery")
CONTACT_ROLES = (
    "decision_maker", "influencer", "director", "accountant", "buyer", "engineer",
    "logistics", "lawyer", "secretary", "contact", "other",
)
PARTNER_RELATIONSHIPS = (
    "head_office_of", "dealer_of", "distributor_of", "supplier_of", "carrier_of",
    "competitor_of", "subsidiary_of", "partner_of",
)
CONTACT_RELATIONSHIPS = ("reports_to", "influences", "colleague_of", "relative_of", "replaced_by")
POLICIES = (DuplicatePolicy.BLOCK, DuplicatePolicy.WARN, DuplicatePolicy.SKIP)
AGREEMENT_STATUSES = (agreement_rules.DRAFT, agreement_rules.APPROVED, agreement_rules.EXPIRED, agreement_rules.CANCELLED)

def _text(max_len: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_len), **kwargs)


class Normalised(fields.String):
    """A string field checked and normalised by a domain rule (``rule(value) -> value``)."""

    def __init__(self, rule: Callable[[str], str], **kwargs):
        super().__init__(**kwargs)
        self.rule = rule

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.rule(text)
        except CrmValidationError as exc:
            messages = [m for msgs in (exc.details or {}).values() for m in msgs] or [exc.message]
            raise ValidationError(messages) from None


class Base(Schema):
    class Meta:
        unknown = EXCLUDE  # older and newer clients send fields we do not know; ignore them


class PhoneIn(Base):
    number = Normalised(contact_rules.normalize_phone, required=True)
    kind = fields.String(load_default="work", validate=validate.OneOf(PHONE_KINDS))
    extension = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{1,10}$"))


class EmailIn(Base):
    address = Normalised(contact_rules.normalize_email, required=True)
    kind = fields.String(load_default="work", validate=validate.OneOf(EMAIL_KINDS))


class AddressIn(Base):
    kind = fields.String(required=True, validate=validate.OneOf(ADDRESS_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class BankAccountIn(Base):
    bic = fields.String(required=True)
    account = fields.String(required=True)
    bank_name = _text(300, load_default=None, allow_none=True)

    @validates_schema
    def _check(self, data, **_):
        try:
            data["bic"], data["account"] = legal.normalize_bank_account(data["bic"], data["account"])
        except CrmValidationError as exc:
            raise ValidationError(exc.details or {"account": [exc.message]}) from None


class ContactIn(Base):
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    position = _text(200, load_default=None, allow_none=True)
    roles = fields.List(fields.String(validate=validate.OneOf(CONTACT_ROLES)), load_default=list)
    phones = fields.List(fields.Nested(PhoneIn), load_default=list, validate=validate.Length(max=20))
    emails = fields.List(fields.Nested(EmailIn), load_default=list, validate=validate.Length(max=20))
    comment = _text(2000, load_default=None, allow_none=True)


class ContactChanges(ContactIn):
    status = fields.String(validate=validate.OneOf(("active", "left")))


class PartnerIn(Base):
    kinds = fields.List(
        fields.String(validate=validate.OneOf(PARTNER_KINDS)), required=True, validate=validate.Length(min=1)
    )
    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    short_name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    full_name = _text(500, load_default=None, allow_none=True)
    inn = fields.String(load_default=None, allow_none=True)
    kpp = fields.String(load_default=None, allow_none=True)
    ogrn = fields.String(load_default=None, allow_none=True)
    legal_address = _text(1000, load_default=None, allow_none=True)
    website = Normalised(contact_rules.normalize_website, load_default=None, allow_none=True)
    phones = fields.List(fields.Nested(PhoneIn), load_default=list, validate=validate.Length(max=50))
    emails = fields.List(fields.Nested(EmailIn), load_default=list, validate=validate.Length(max=50))
    addresses = fields.List(fields.Nested(AddressIn), load_default=list, validate=validate.Length(max=20))
    bank_accounts = fields.List(fields.Nested(BankAccountIn), load_default=list, validate=validate.Length(max=20))
    properties = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.String(validate=validate.Length(max=2000)),
        load_default=dict,
    )
    contacts = fields.List(fields.Nested(ContactIn), load_default=list, validate=validate.Length(max=100))
    segment = _text(100, load_default=None, allow_none=True)
    source = _text(100, load_default=None, allow_none=True)
    region = _text(100, load_default=None, allow_none=True)
    manager_id = _text(64, load_default=None, allow_none=True)
    department = _text(100, load_default=None, allow_none=True)
    comment = _text(4000, load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)  # report bad legal details with the other fields
    def _legal_details(self, data, partial=False, **_):
        if partial and not {"legal_form", "inn", "kpp", "ogrn"} & set(data):
            return
        if "legal_form" not in data:
            return  # reported as required by marshmallow, or checked on update against the record
        try:
            details = legal.check_legal_details(
                data["legal_form"], data.get("inn") or None, data.get("kpp") or None, data.get("ogrn") or None
            )
        except CrmValidationError as exc:
            raise ValidationError(exc.details or {"inn": [exc.message]}) from None
        data.update(details)


class RegisterOptions(Base):
    duplicate_policy = fields.String(load_default=DuplicatePolicy.BLOCK, validate=validate.OneOf(POLICIES))
    override_reason = _text(500, load_default=None, allow_none=True)
    request_id = _text(100, load_default=None, allow_none=True)


class CandidateIn(Base):
    """What ``find_duplicates`` compares: any of name, INN/KPP, phones, emails."""

    partner_id = fields.UUID(load_default=None, allow_none=True)
    name = _text(300, load_default=None, allow_none=True)
    inn = fields.String(load_default=None, allow_none=True)
    kpp = fields.String(load_default=None, allow_none=True)
    phones = fields.List(Normalised(contact_rules.normalize_phone), load_default=list, validate=validate.Length(max=50))
    emails = fields.List(Normalised(contact_rules.normalize_email), load_default=list, validate=validate.Length(max=50))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))

    @validates_schema
    def _something(self, data, **_):
        errors: dict[str, list[str]] = {}
        if data.get("inn"):
            try:
                data["inn"] = legal.normalize_inn(data["inn"])
            except CrmValidationError as exc:
                errors.update(exc.details or {})
        if data.get("kpp"):
            try:
                data["kpp"] = legal.normalize_kpp(data["kpp"])
            except CrmValidationError as exc:
                errors.update(exc.details or {})
        if errors:
            raise ValidationError(errors)
        if not (data.get("name") or data.get("inn") or data.get("phones") or data.get("emails")):
            raise ValidationError({"_schema": ["give at least one of name, inn, phones, emails"]})


class SearchIn(Base):
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PARTNER_KINDS))
    segment = _text(100, load_default=None, allow_none=True)
    region = _text(100, load_default=None, allow_none=True)
    manager_id = _text(64, load_default=None, allow_none=True)
    status = fields.String(load_default="active", validate=validate.OneOf(("active", "merged", "archived", "any")))
    text = _text(300, load_default=None, allow_none=True)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = _text(500, load_default=None, allow_none=True)


class RelationshipIn(Base):
    kind = fields.String(required=True, validate=validate.OneOf(PARTNER_RELATIONSHIPS + CONTACT_RELATIONSHIPS))
    from_partner_id = fields.UUID(load_default=None, allow_none=True)
    to_partner_id = fields.UUID(load_default=None, allow_none=True)
    from_contact_id = fields.UUID(load_default=None, allow_none=True)
    to_contact_id = fields.UUID(load_default=None, allow_none=True)
    comment = _text(2000, load_default=None, allow_none=True)

    @validates_schema
    def _ends(self, data, **_):
        partners = data.get("from_partner_id") and data.get("to_partner_id")
        contacts = data.get("from_contact_id") and data.get("to_contact_id")
        if bool(partners) == bool(contacts):
            raise ValidationError({"_schema": ["link two partners (from_partner_id, to_partner_id) or two contacts"
                                               " (from_contact_id, to_contact_id)"]})
        if partners and data["kind"] not in PARTNER_RELATIONSHIPS:
            raise ValidationError({"kind": [f"between partners use one of {', '.join(PARTNER_RELATIONSHIPS)}"]})
        if contacts and data["kind"] not in CONTACT_RELATIONSHIPS:
            raise ValidationError({"kind": [f"between contacts use one of {', '.join(CONTACT_RELATIONSHIPS)}"]})
        ends = ("from_partner_id", "to_partner_id") if partners else ("from_contact_id", "to_contact_id")
        if data[ends[0]] == data[ends[1]]:
            raise ValidationError({ends[1]: ["a relationship links two different records"]})
        for key in ("from_partner_id", "to_partner_id", "from_contact_id", "to_contact_id"):
            if data.get(key) is not None:
                data[key] = str(data[key])


class AgreementIn(Base):
    kind = fields.String(required=True, validate=validate.OneOf(("standard", "individual")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    number = _text(50, load_default=None, allow_none=True)
    partner_id = fields.UUID(load_default=None, allow_none=True)
    segment = _text(100, load_default=None, allow_none=True)
    parent_id = fields.UUID(load_default=None, allow_none=True)
    valid_from = fields.Date(load_default=None, allow_none=True)
    valid_to = fields.Date(load_default=None, allow_none=True)
    prepayment_share = fields.Decimal(load_default=None, allow_none=True, places=2, allow_nan=False)
    credit_days = fields.Integer(load_default=None, allow_none=True, strict=True)
    price_type = _text(100, load_default=None, allow_none=True)
    delivery_terms = _text(300, load_default=None, allow_none=True)
    discount_percent = fields.Decimal(load_default=None, allow_none=True, places=2, allow_nan=False)
    currency = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Z]{3}$"))

    @validates_schema
    def _shape(self, data, partial=False, **_):
        errors: dict[str, list[str]] = {}
        kind = data.get("kind")
        if kind == "individual" and not data.get("partner_id") and not partial:
            errors["partner_id"] = ["an individual agreement belongs to a partner"]
        if kind == "standard" and data.get("partner_id"):
            errors["partner_id"] = ["a standard agreement is for a segment, not one partner"]
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            errors["valid_to"] = ["ends before it starts"]
        if errors:
            raise ValidationError(errors)
        for key in ("partner_id", "parent_id"):
            if data.get(key) is not None:
                data[key] = str(data[key])


class AgreementStatusIn(Base):
    status = fields.String(required=True, validate=validate.OneOf(AGREEMENT_STATUSES))


class ReassignIn(Base):
    manager_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    department = _text(100, load_default=None, allow_none=True)
    reason = _text(500, load_default=None, allow_none=True)


class HandoverIn(ReassignIn):
    from_manager_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class MergeIn(Base):
    survivor_id = fields.UUID(required=True)
    merged_id = fields.UUID(required=True)
    # For each field, whose value the survivor keeps: "survivor" (default) or "merged".
    keep = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(("survivor", "merged"))),
                       load_default=dict)

    @validates_schema
    def _different(self, data, **_):
        if data["survivor_id"] == data["merged_id"]:
            raise ValidationError({"merged_id": ["a partner cannot be merged into itself"]})
        data["survivor_id"], data["merged_id"] = str(data["survivor_id"]), str(data["merged_id"])


# --- views: what the service answers with (plain functions: they run on every read) --------

def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite hands back UTC times without their offset
    return value.isoformat()


def phone_view(phone) -> dict:
    return {"number": phone.number, "kind": phone.kind, "extension": phone.extension}


def email_view(email) -> dict:
    return {"address": email.address, "kind": email.kind}


def contact_view(contact) -> dict:
    return {
        "id": contact.id,
        "partner_id": contact.partner_id,
        "full_name": contact.full_name,
        "position": contact.position,
        "roles": list(contact.roles or []),
        "status": contact.status,
        "comment": contact.comment,
        "phones": [phone_view(p) for p in contact.phones],
        "emails": [email_view(e) for e in contact.emails],
    }


def partner_summary(partner) -> dict:
    return {
        "id": partner.id,
        "short_name": partner.short_name,
        "kinds": partner.kind_names,
        "legal_form": partner.legal_form,
        "inn": partner.inn,
        "kpp": partner.kpp,
        "segment": partner.segment,
        "region": partner.region,
        "manager_id": partner.manager_id,
        "department": partner.department,
        "status": partner.status,
        "merged_into": partner.merged_into,
    }


def partner_view(partner) -> dict:
    view = partner_summary(partner)
    view.update(
        full_name=partner.full_name,
        ogrn=partner.ogrn,
        legal_address=partner.legal_address,
        website=partner.website,
        source=partner.source,
        comment=partner.comment,
        phones=[phone_view(p) for p in partner.phones],
        emails=[email_view(e) for e in partner.emails],
        addresses=[{"kind": a.kind, "text": a.text} for a in partner.addresses],
        bank_accounts=[{"bic": b.bic, "account": b.account, "bank_name": b.bank_name} for b in partner.bank_accounts],
        properties={p.key: p.value for p in partner.properties},
        contacts=[contact_view(c) for c in partner.contacts],
        duplicate_override=partner.duplicate_override,
        created_at=_iso(partner.created_at),
        created_by=partner.created_by,
        updated_at=_iso(partner.updated_at),
    )
    return view


def relationship_view(rel) -> dict:
    return {
        "id": rel.id,
        "kind": rel.kind,
        "from_partner_id": rel.from_partner_id,
        "to_partner_id": rel.to_partner_id,
        "from_contact_id": rel.from_contact_id,
        "to_contact_id": rel.to_contact_id,
        "comment": rel.comment,
        "created_at": _iso(rel.created_at),
        "created_by": rel.created_by,
    }


def agreement_view(agreement) -> dict:
    return {
        "id": agreement.id,
        "kind": agreement.kind,
        "number": agreement.number,
        "name": agreement.name,
        "partner_id": agreement.partner_id,
        "segment": agreement.segment,
        "parent_id": agreement.parent_id,
        "status": agreement.status,
        "valid_from": _iso(agreement.valid_from),
        "valid_to": _iso(agreement.valid_to),
        "prepayment_share": str(agreement.prepayment_share),
        "credit_days": agreement.credit_days,
        "price_type": agreement.price_type,
        "delivery_terms": agreement.delivery_terms,
        "discount_percent": str(agreement.discount_percent),
        "currency": agreement.currency,
        "approved_at": _iso(agreement.approved_at),
        "approved_by": agreement.approved_by,
    }


def assignment_view(row) -> dict:
    return {
        "partner_id": row.partner_id,
        "manager_id": row.manager_id,
        "previous_manager_id": row.previous_manager_id,
        "department": row.department,
        "reason": row.reason,
        "changed_at": _iso(row.changed_at),
        "changed_by": row.changed_by,
    }
