"""The events the partners service publishes (exchange ``partners.events``).

Every event's data names its partner (``partner_id``) with the dimensions reports group by:
its responsible ``manager_id``, ``region``, ``department`` and ``segment`` (:class:`AboutPartner`).
Registration and changes carry the whole partner (``partner``: :class:`PartnerView`), contact
events the contact, relationship and agreement events theirs. A standard agreement (for a
segment) is the one event that names no partner.
"""

from __future__ import annotations

from marshmallow import fields, validate

from crm_kit.contracts import (
    DecimalText,
    EventContract,
    EventData,
    Moment,
    UserId,
    Uuid,
    nullable,
    optional,
    required,
)

SOURCE = "partners"
PARTNER_KINDS = ("client", "prospect", "supplier", "competitor", "dealer", "distributor", "carrier", "other")
PARTNER_STATUSES = ("active", "merged", "archived")
AGREEMENT_STATUSES = ("draft", "approved", "expired", "cancelled")


# --- what the events nest ------------------------------------------------------------------

class PhoneView(EventData):
    number = required(fields.String)  # E.164
    kind = required(fields.String)
    extension = nullable(fields.String)


class EmailView(EventData):
    address = required(fields.String)
    kind = required(fields.String)


class AddressView(EventData):
    kind = required(fields.String)
    text = required(fields.String)


class BankAccountView(EventData):
    bic = required(fields.String)
    account = required(fields.String)
    bank_name = nullable(fields.String)


class DuplicateOverride(EventData):
    """Why a partner was registered although it looked like another."""

    policy = required(fields.String)
    by = nullable(fields.String)
    at = required(Moment)
    reason = nullable(fields.String)
    matches = required(fields.List, cls_or_instance=Uuid())


class ContactView(EventData):
    """A contact person of a partner."""

    id = required(Uuid)
    partner_id = required(Uuid)
    full_name = required(fields.String)
    position = nullable(fields.String)
    roles = required(fields.List, cls_or_instance=fields.String())
    status = required(fields.String, validate=validate.OneOf(("active", "left")))
    comment = nullable(fields.String)
    phones = required(fields.List, cls_or_instance=fields.Nested(PhoneView))
    emails = required(fields.List, cls_or_instance=fields.Nested(EmailView))


class PartnerView(EventData):
    """A partner with everything it holds, as the partners service answers ``get``."""

    id = required(Uuid)
    short_name = required(fields.String)
    full_name = nullable(fields.String)
    kinds = required(fields.List, cls_or_instance=fields.String(validate=validate.OneOf(PARTNER_KINDS)))
    legal_form = required(fields.String)
    inn = nullable(fields.String)
    kpp = nullable(fields.String)
    ogrn = nullable(fields.String)
    legal_address = nullable(fields.String)
    website = nullable(fields.String)
    segment = nullable(fields.String)
    source = nullable(fields.String)
    region = nullable(fields.String)
    manager_id = nullable(UserId)
    department = nullable(fields.String)
    status = required(fields.String, validate=validate.OneOf(PARTNER_STATUSES))
    merged_into = nullable(Uuid)
    comment = nullable(fields.String)
    phones = required(fields.List, cls_or_instance=fields.Nested(PhoneView))
    emails = required(fields.List, cls_or_instance=fields.Nested(EmailView))
    addresses = required(fields.List, cls_or_instance=fields.Nested(AddressView))
    bank_accounts = required(fields.List, cls_or_instance=fields.Nested(BankAccountView))
    properties = required(fields.Dict, keys=fields.String(), values=fields.String())
    contacts = required(fields.List, cls_or_instance=fields.Nested(ContactView))
    duplicate_override = nullable(fields.Nested, nested=DuplicateOverride)
    # Absent in events written before partners could be archived (and in consumers' fixtures).
    archived_at = optional(Moment)
    archived_by = optional(fields.String)
    archive_reason = optional(fields.String)
    created_at = required(Moment)
    created_by = nullable(fields.String)
    updated_at = nullable(Moment)


class RelationshipView(EventData):
    """A link between two partners (head office, dealer, supplier...) or two contact persons."""

    id = required(Uuid)
    kind = required(fields.String)
    from_partner_id = nullable(Uuid)
    to_partner_id = nullable(Uuid)
    from_contact_id = nullable(Uuid)
    to_contact_id = nullable(Uuid)
    comment = nullable(fields.String)
    created_at = required(Moment)
    created_by = nullable(fields.String)


class AgreementView(EventData):
    """Sales terms: standard (for a segment) or individual (for one partner)."""

    id = required(Uuid)
    kind = required(fields.String, validate=validate.OneOf(("standard", "individual")))
    number = nullable(fields.String)
    name = required(fields.String)
    partner_id = nullable(Uuid)
    segment = nullable(fields.String)
    parent_id = nullable(Uuid)
    status = required(fields.String, validate=validate.OneOf(AGREEMENT_STATUSES))
    valid_from = nullable(fields.Date)
    valid_to = nullable(fields.Date)
    prepayment_share = required(DecimalText)
    credit_days = nullable(fields.Integer, strict=True)
    price_type = nullable(fields.String)
    delivery_terms = nullable(fields.String)
    discount_percent = required(DecimalText)
    currency = nullable(fields.String)
    approved_at = nullable(Moment)
    approved_by = nullable(fields.String)


# --- the data of each event ------------------------------------------------------------------

class AboutPartner(EventData):
    """The partner an event is about, with what reports group it by."""

    partner_id = required(Uuid)
    manager_id = nullable(UserId)
    region = nullable(fields.String)
    department = nullable(fields.String)
    segment = nullable(fields.String)


class PartnerRegistered(AboutPartner):
    """A partner was registered (with its contacts, legal details and so on). ``partner`` is the
    whole partner; its ``duplicate_override`` says why it was registered when it looked like
    another."""

    kinds = required(fields.List, cls_or_instance=fields.String(validate=validate.OneOf(PARTNER_KINDS)))
    partner = required(fields.Nested, nested=PartnerView)


class PartnerUpdated(AboutPartner):
    """A partner's details changed: ``changed`` names the fields, ``partner`` is the partner now.
    The responsible manager changes by ``partner_reassigned`` instead."""

    changed = required(fields.List, cls_or_instance=fields.String(), validate=validate.Length(min=1))
    partner = required(fields.Nested, nested=PartnerView)


class PartnersMerged(AboutPartner):
    """Two partners became one: ``merged_id`` is gone into ``survivor_id`` (= ``partner_id``),
    taking its contacts (``contact_ids_moved``); ``partner`` is the survivor now. Every service
    that holds ``merged_id`` re-points it to ``survivor_id``."""

    survivor_id = required(Uuid)
    merged_id = required(Uuid)
    contact_ids_moved = required(fields.List, cls_or_instance=Uuid())
    partner = required(fields.Nested, nested=PartnerView)


class PartnerArchived(AboutPartner):
    """A partner was archived (``reason``) or taken out of the archive: out of searches, caller
    matching and duplicate blocks while archived. ``partner`` is the partner now."""

    reason = nullable(fields.String)
    partner = required(fields.Nested, nested=PartnerView)


class PartnerReassigned(AboutPartner):
    """A partner's responsible manager changed (``manager_id`` is the new one), alone or as part
    of a whole-base handover (``handover_id``, the same on every partner it moved)."""

    previous_manager_id = nullable(UserId)
    reason = nullable(fields.String)
    handover_id = nullable(Uuid)


class ContactChanged(AboutPartner):
    """A contact person of the partner was added or changed; ``contact`` is the contact now."""

    contact_id = required(Uuid)
    contact = required(fields.Nested, nested=ContactView)


class ContactRemoved(AboutPartner):
    """A contact person was removed from the partner (with their phones, emails and links)."""

    contact_id = required(Uuid)


class RelationshipChanged(AboutPartner):
    """A relationship was added or removed. ``partner_id`` is the partner at its "from" end (the
    partner of the contact, for a link between contacts), ``other_partner_id`` the one at the
    other end; ``relationship`` is the link as it is (or was, when removed)."""

    relationship_id = required(Uuid)
    kind = required(fields.String)
    other_partner_id = nullable(Uuid)
    relationship = required(fields.Nested, nested=RelationshipView)


class AgreementChanged(EventData):
    """An agreement was created, changed while a draft, approved, expired or cancelled.
    ``partner_id`` is the partner of an individual agreement, null for a standard one (which
    binds every partner of its ``segment``)."""

    agreement_id = required(Uuid)
    partner_id = nullable(Uuid)
    kind = required(fields.String, validate=validate.OneOf(("standard", "individual")))
    segment = nullable(fields.String)
    status = required(fields.String, validate=validate.OneOf(AGREEMENT_STATUSES))
    agreement = required(fields.Nested, nested=AgreementView)


class PartnerSnapshot(AboutPartner):
    """A partner as it is now, replayed to a consumer that starts late (crm_kit.replay): every
    partner, tombstones of merged ones included."""

    kinds = required(fields.List, cls_or_instance=fields.String(validate=validate.OneOf(PARTNER_KINDS)))
    partner = required(fields.Nested, nested=PartnerView)


# --- examples (kept by the contracts: tests/unit/contracts) ----------------------------------

PARTNER_ID = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"
OTHER_PARTNER_ID = "7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CONTACT_ID = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
ABOUT = {"partner_id": PARTNER_ID, "manager_id": "anna", "region": "msk", "department": "north", "segment": "wholesale"}
CONTACT = {
    "id": CONTACT_ID, "partner_id": PARTNER_ID, "full_name": "Иванов Иван Петрович", "position": "Директор",
    "roles": ["director", "decision_maker"], "status": "active", "comment": None,
    "phones": [{"number": "+74951234567", "kind": "work", "extension": "101"}],
    "emails": [{"address": "ivanov@romashka.ru", "kind": "work"}],
}
PARTNER = {
    "id": PARTNER_ID, "short_name": "Ромашка", "full_name": "ООО «Ромашка»", "kinds": ["client"],
    "legal_form": "legal_entity", "inn": "7707083893", "kpp": "770701001", "ogrn": "1027700132195",
    "legal_address": "Москва, ул. Ленина, 1", "website": "https://romashka.ru", "segment": "wholesale",
    "source": "exhibition", "region": "msk", "manager_id": "anna", "department": "north", "status": "active",
    "merged_into": None, "comment": None,
    "phones": [{"number": "+74951234500", "kind": "work", "extension": None}],
    "emails": [{"address": "info@romashka.ru", "kind": "work"}],
    "addresses": [{"kind": "actual", "text": "Москва, ул. Ленина, 1, офис 5"}],
    "bank_accounts": [{"bic": "044525225", "account": "40702810938000000001", "bank_name": "ПАО Сбербанк"}],
    "properties": {"delivery": "самовывоз"}, "contacts": [CONTACT], "duplicate_override": None,
    "archived_at": None, "archived_by": None, "archive_reason": None,
    "created_at": "2026-11-23T10:00:00+00:00", "created_by": "anna", "updated_at": "2026-11-23T10:00:00+00:00",
}
RELATIONSHIP = {
    "id": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", "kind": "dealer_of", "from_partner_id": PARTNER_ID,
    "to_partner_id": OTHER_PARTNER_ID, "from_contact_id": None, "to_contact_id": None, "comment": None,
    "created_at": "2026-11-23T10:00:00+00:00", "created_by": "anna",
}
AGREEMENT = {
    "id": "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a", "kind": "individual", "number": "И-12", "name": "Условия для Ромашки",
    "partner_id": PARTNER_ID, "segment": "wholesale", "parent_id": None, "status": "approved",
    "valid_from": "2026-01-01", "valid_to": "2026-12-31", "prepayment_share": "0.30", "credit_days": 14,
    "price_type": "wholesale", "delivery_terms": "EXW", "discount_percent": "5.00", "currency": "RUB",
    "approved_at": "2026-11-23T10:00:00+00:00", "approved_by": "head-1",
}
AGREEMENT_DATA = {"agreement_id": AGREEMENT["id"], "partner_id": PARTNER_ID, "kind": "individual", "segment": "wholesale",
                  "status": "approved", "agreement": AGREEMENT}


def _agreement_event(name: str, summary: str, status: str) -> EventContract:
    return EventContract(
        SOURCE, name, AgreementChanged, summary=summary, subject=("partner_id", "agreement_id"),
        example={**AGREEMENT_DATA, "status": status, "agreement": {**AGREEMENT, "status": status}},
    )


# --- the contracts ---------------------------------------------------------------------------

PARTNER_REGISTERED = EventContract(
    SOURCE, "partner_registered", PartnerRegistered, summary="A partner was registered.",
    example={**ABOUT, "kinds": ["client"], "partner": PARTNER},
)
PARTNER_UPDATED = EventContract(
    SOURCE, "partner_updated", PartnerUpdated, summary="A partner's details changed.",
    example={**ABOUT, "changed": ["website", "phones"], "partner": PARTNER},
)
PARTNERS_MERGED = EventContract(
    SOURCE, "partners_merged", PartnersMerged, summary="Two partners became one.",
    subject=("partner_id", "merged_id"), partners=("partner_id", "merged_id"),
    example={**ABOUT, "survivor_id": PARTNER_ID, "merged_id": OTHER_PARTNER_ID, "contact_ids_moved": [CONTACT_ID],
             "partner": PARTNER},
)
PARTNER_REASSIGNED = EventContract(
    SOURCE, "partner_reassigned", PartnerReassigned, summary="A partner's responsible manager changed.",
    example={**ABOUT, "manager_id": "boris", "previous_manager_id": "anna", "reason": "vacation", "handover_id": None},
)
PARTNER_ARCHIVED = EventContract(
    SOURCE, "partner_archived", PartnerArchived, summary="A partner was archived.",
    example={**ABOUT, "reason": "закрылась", "partner": {
        **PARTNER, "status": "archived", "archived_at": "2026-11-24T10:00:00+00:00", "archived_by": "anna",
        "archive_reason": "закрылась"}},
)
PARTNER_UNARCHIVED = EventContract(
    SOURCE, "partner_unarchived", PartnerArchived, summary="A partner was taken out of the archive.",
    example={**ABOUT, "reason": None, "partner": PARTNER},
)
CONTACT_ADDED = EventContract(
    SOURCE, "contact_added", ContactChanged, summary="A contact person was added to a partner.",
    subject=("partner_id", "contact_id"), example={**ABOUT, "contact_id": CONTACT_ID, "contact": CONTACT},
)
CONTACT_UPDATED = EventContract(
    SOURCE, "contact_updated", ContactChanged, summary="A contact person's details changed.",
    subject=("partner_id", "contact_id"), example={**ABOUT, "contact_id": CONTACT_ID, "contact": CONTACT},
)
CONTACT_REMOVED = EventContract(
    SOURCE, "contact_removed", ContactRemoved, summary="A contact person was removed.",
    subject=("partner_id", "contact_id"), example={**ABOUT, "contact_id": CONTACT_ID},
)
RELATIONSHIP_ADDED = EventContract(
    SOURCE, "relationship_added", RelationshipChanged, summary="Two partners or two contact persons were linked.",
    subject=("partner_id", "other_partner_id", "relationship_id"), partners=("partner_id", "other_partner_id"),
    example={**ABOUT, "relationship_id": RELATIONSHIP["id"], "kind": "dealer_of", "other_partner_id": OTHER_PARTNER_ID,
             "relationship": RELATIONSHIP},
)
RELATIONSHIP_REMOVED = EventContract(
    SOURCE, "relationship_removed", RelationshipChanged, summary="A relationship was removed.",
    subject=("partner_id", "other_partner_id", "relationship_id"), partners=("partner_id", "other_partner_id"),
    example={**ABOUT, "relationship_id": RELATIONSHIP["id"], "kind": "dealer_of", "other_partner_id": OTHER_PARTNER_ID,
             "relationship": RELATIONSHIP},
)
AGREEMENT_CREATED = _agreement_event("agreement_created", "An agreement was created (a draft).", "draft")
AGREEMENT_UPDATED = _agreement_event("agreement_updated", "A draft agreement's terms changed.", "draft")
AGREEMENT_APPROVED = _agreement_event("agreement_approved", "An agreement was approved: its terms bind from now.", "approved")
AGREEMENT_EXPIRED = _agreement_event("agreement_expired", "An approved agreement's last day passed.", "expired")
AGREEMENT_CANCELLED = _agreement_event("agreement_cancelled", "An agreement was cancelled.", "cancelled")

AGREEMENT_STATUS_EVENTS = {
    "approved": AGREEMENT_APPROVED,
    "expired": AGREEMENT_EXPIRED,
    "cancelled": AGREEMENT_CANCELLED,
}

ALL = (
    PARTNER_REGISTERED, PARTNER_UPDATED, PARTNERS_MERGED, PARTNER_REASSIGNED, PARTNER_ARCHIVED, PARTNER_UNARCHIVED,
    CONTACT_ADDED, CONTACT_UPDATED, CONTACT_REMOVED, RELATIONSHIP_ADDED, RELATIONSHIP_REMOVED,
    AGREEMENT_CREATED, AGREEMENT_UPDATED, AGREEMENT_APPROVED, AGREEMENT_EXPIRED, AGREEMENT_CANCELLED,
)

# Replayed to one consumer on the ``replay`` exchange, not published on ``partners.events``.
PARTNER_SNAPSHOT = EventContract(
    SOURCE, "partner_snapshot", PartnerSnapshot, summary="A partner as it is now (a replay to a late consumer).",
    example={**ABOUT, "kinds": ["client"], "partner": PARTNER},
)
SNAPSHOTS = (PARTNER_SNAPSHOT,)
