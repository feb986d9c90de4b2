"""marshmallow schemas of the partners service's RPC payloads (what it answers with is in
views.py).

Loading a payload checks types and business formats at once (INN/KPP/OGRN checksums, phones to
E.164, emails, BIC with account) so a caller hears of every bad field in one error, before
anything is written.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from crm_kit.errors import ValidationError as CrmValidationError
from crm_kit.fields import (
    Currency,
    Id,
    Normalised,
    Payload,
    one_of,
    optional_date,
    optional_id,
    optional_one_of,
    optional_text,
    page_cursor,
    page_size,
    required_text,
)
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


class PhoneIn(Payload):
    number = Normalised(contact_rules.normalize_phone, required=True)
    kind = one_of(PHONE_KINDS, load_default="work")
    extension = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{1,10}$"))


class EmailIn(Payload):
    address = Normalised(contact_rules.normalize_email, required=True)
    kind = one_of(EMAIL_KINDS, load_default="work")


class AddressIn(Payload):
    kind = one_of(ADDRESS_KINDS, required=True)
    text = required_text(1000)


class BankAccountIn(Payload):
    bic = fields.String(required=True)
    account = fields.String(required=True)
    bank_name = optional_text(300)

    @validates_schema
    def _check(self, data, **_):
        try:
            data["bic"], data["account"] = legal.normalize_bank_account(data["bic"], data["account"])
        except CrmValidationError as exc:
            raise ValidationError(exc.details or {"account": [exc.message]}) from None


class ContactIn(Payload):
    full_name = required_text(300)
    position = optional_text(200)
    roles = fields.List(one_of(CONTACT_ROLES), load_default=list)
    phones = fields.List(fields.Nested(PhoneIn), load_default=list, validate=validate.Length(max=20))
    emails = fields.List(fields.Nested(EmailIn), load_default=list, validate=validate.Length(max=20))
    comment = optional_text(2000)


class ContactChanges(ContactIn):
    status = one_of(("active", "left"))


class PartnerIn(Payload):
    kinds = fields.List(one_of(PARTNER_KINDS), required=True, validate=validate.Length(min=1))
    legal_form = one_of(LEGAL_FORMS, required=True)
    short_name = required_text(300)
    full_name = optional_text(500)
    inn = fields.String(load_default=None, allow_none=True)
    kpp = fields.String(load_default=None, allow_none=True)
    ogrn = fields.String(load_default=None, allow_none=True)
    legal_address = optional_text(1000)
    website = Normalised(contact_rules.normalize_website, load_default=None, allow_none=True)
    phones = fields.List(fields.Nested(PhoneIn), load_default=list, validate=validate.Length(max=50))
    emails = fields.List(fields.Nested(EmailIn), load_default=list, validate=validate.Length(max=50))
    addresses = fields.List(fields.Nested(AddressIn), load_default=list, validate=validate.Length(max=20))
    bank_accounts = fields.List(fields.Nested(BankAccountIn), load_default=list, validate=validate.Length(max=20))
    properties = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.String(validate=validate.Length(max=2000)),
        load_default=dict,
        validate=validate.Length(max=100),
    )
    contacts = fields.List(fields.Nested(ContactIn), load_default=list, validate=validate.Length(max=100))
    segment = optional_text(100)
    source = optional_text(100)
    region = optional_text(100)
    manager_id = optional_text(64)
    department = optional_text(100)
    comment = optional_text(4000)

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


class RegisterOptions(Payload):
    duplicate_policy = one_of(POLICIES, load_default=DuplicatePolicy.BLOCK)
    override_reason = optional_text(500)
    request_id = optional_text(100)


class CandidateIn(Payload):
    """What ``find_duplicates`` compares: any of name, INN/KPP, phones, emails."""

    partner_id = optional_id()
    name = optional_text(300)
    inn = fields.String(load_default=None, allow_none=True)
    kpp = fields.String(load_default=None, allow_none=True)
    phones = fields.List(Normalised(contact_rules.normalize_phone), load_default=list, validate=validate.Length(max=50))
    emails = fields.List(Normalised(contact_rules.normalize_email), load_default=list, validate=validate.Length(max=50))
    limit = page_size(10, 50)

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


class SearchIn(Payload):
    kind = optional_one_of(PARTNER_KINDS)
    segment = optional_text(100)
    region = optional_text(100)
    manager_id = optional_text(64)
    status = one_of(("active", "merged", "archived", "any"), load_default="active")
    text = optional_text(300)
    source = optional_text(100)
    limit = page_size(50, 500)
    cursor = page_cursor()


class RelationshipIn(Payload):
    kind = one_of(PARTNER_RELATIONSHIPS + CONTACT_RELATIONSHIPS, required=True)
    from_partner_id = optional_id()
    to_partner_id = optional_id()
    from_contact_id = optional_id()
    to_contact_id = optional_id()
    comment = optional_text(2000)

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


class AgreementIn(Payload):
    kind = one_of(("standard", "individual"), required=True)
    name = required_text(300)
    number = optional_text(50)
    partner_id = optional_id()
    segment = optional_text(100)
    parent_id = optional_id()
    valid_from = optional_date()
    valid_to = optional_date()
    prepayment_share = fields.Decimal(load_default=None, allow_none=True, places=2, allow_nan=False)
    credit_days = fields.Integer(load_default=None, allow_none=True, strict=True)
    price_type = optional_text(100)
    delivery_terms = optional_text(300)
    discount_percent = fields.Decimal(load_default=None, allow_none=True, places=2, allow_nan=False)
    currency = Currency(load_default=None, allow_none=True)

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


class AgreementStatusIn(Payload):
    status = one_of(AGREEMENT_STATUSES, required=True)


class ArchiveIn(Payload):
    reason = required_text(500)


class ReassignIn(Payload):
    manager_id = required_text(64)
    department = optional_text(100)
    reason = optional_text(500)


class HandoverIn(ReassignIn):
    from_manager_id = required_text(64)


class MergeIn(Payload):
    survivor_id = Id(required=True)
    merged_id = Id(required=True)
    # For each field, whose value the survivor keeps: "survivor" (default) or "merged".
    keep = fields.Dict(keys=fields.String(), values=one_of(("survivor", "merged")), load_default=dict)

    @validates_schema
    def _different(self, data, **_):
        if data["survivor_id"] == data["merged_id"]:
            raise ValidationError({"merged_id": ["a partner cannot be merged into itself"]})
