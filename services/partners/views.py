"""What the partners service answers with: the partner as one SQL document (crm_kit.reads: the
database builds it with its child collections in one statement), and plain functions from
records to JSON values for the rest; times and dates as ISO text."""

from __future__ import annotations

from sqlalchemy import select

from crm_kit import reads
from crm_kit.views import iso
from services.partners.models import (
    Address,
    Agreement,
    BankAccount,
    Contact,
    Email,
    ManagerAssignment,
    Partner,
    PartnerKind,
    Phone,
    Property,
    Relationship,
)


def _phones(*where):
    return reads.rows(
        select(reads.record(number=Phone.number, kind=Phone.kind, extension=Phone.extension)).where(*where),
        order_by=[Phone.id],
    )


def _emails(*where):
    return reads.rows(select(reads.record(address=Email.address, kind=Email.kind)).where(*where), order_by=[Email.id])


# What partner_summary and partner_view write of a partner, built by the database (one
# statement: crm_kit.reads; RowAccess.read for one, search for a page).
SUMMARY_FIELDS = {
    "id": Partner.id,
    "short_name": Partner.short_name,
    "kinds": reads.values(PartnerKind.kind, PartnerKind.partner_id == Partner.id, order_by=[PartnerKind.kind]),
    "legal_form": Partner.legal_form,
    "inn": Partner.inn,
    "kpp": Partner.kpp,
    "segment": Partner.segment,
    "region": Partner.region,
    "manager_id": Partner.manager_id,
    "department": Partner.department,
    "status": Partner.status,
    "merged_into": Partner.merged_into,
}
PARTNER_SUMMARY = reads.record(**SUMMARY_FIELDS)
PARTNER = reads.record(
    **SUMMARY_FIELDS,
    full_name=Partner.full_name,
    ogrn=Partner.ogrn,
    legal_address=Partner.legal_address,
    website=Partner.website,
    source=Partner.source,
    comment=Partner.comment,
    phones=_phones(Phone.partner_id == Partner.id, Phone.contact_id.is_(None)),
    emails=_emails(Email.partner_id == Partner.id, Email.contact_id.is_(None)),
    addresses=reads.rows(
        select(reads.record(kind=Address.kind, text=Address.text)).where(Address.partner_id == Partner.id),
        order_by=[Address.id],
    ),
    bank_accounts=reads.rows(
        select(reads.record(bic=BankAccount.bic, account=BankAccount.account, bank_name=BankAccount.bank_name))
        .where(BankAccount.partner_id == Partner.id),
        order_by=[BankAccount.id],
    ),
    properties=reads.mapping(Property.key, Property.value, Property.partner_id == Partner.id),
    contacts=reads.rows(
        select(reads.record(
            id=Contact.id,
            partner_id=Contact.partner_id,
            full_name=Contact.full_name,
            position=Contact.position,
            roles=Contact.roles,
            status=Contact.status,
            comment=Contact.comment,
            phones=_phones(Phone.contact_id == Contact.id),
            emails=_emails(Email.contact_id == Contact.id),
        )).where(Contact.partner_id == Partner.id),
        order_by=[Contact.created_at, Contact.id],
    ),
    duplicate_override=Partner.duplicate_override,
    archived_at=Partner.archived_at,
    archived_by=Partner.archived_by,
    archive_reason=Partner.archive_reason,
    created_at=Partner.created_at,
    created_by=Partner.created_by,
    updated_at=Partner.updated_at,
)

# relationship_view, agreement_view and assignment_view as the database builds them.
RELATIONSHIP_FIELDS = {
    "id": Relationship.id,
    "kind": Relationship.kind,
    "from_partner_id": Relationship.from_partner_id,
    "to_partner_id": Relationship.to_partner_id,
    "from_contact_id": Relationship.from_contact_id,
    "to_contact_id": Relationship.to_contact_id,
    "comment": Relationship.comment,
    "created_at": Relationship.created_at,
    "created_by": Relationship.created_by,
}
AGREEMENT = reads.record(
    id=Agreement.id,
    kind=Agreement.kind,
    number=Agreement.number,
    name=Agreement.name,
    partner_id=Agreement.partner_id,
    segment=Agreement.segment,
    parent_id=Agreement.parent_id,
    status=Agreement.status,
    valid_from=Agreement.valid_from,
    valid_to=Agreement.valid_to,
    prepayment_share=Agreement.prepayment_share,
    credit_days=Agreement.credit_days,
    price_type=Agreement.price_type,
    delivery_terms=Agreement.delivery_terms,
    discount_percent=Agreement.discount_percent,
    currency=Agreement.currency,
    approved_at=Agreement.approved_at,
    approved_by=Agreement.approved_by,
)
ASSIGNMENT = reads.record(
    partner_id=ManagerAssignment.partner_id,
    manager_id=ManagerAssignment.manager_id,
    previous_manager_id=ManagerAssignment.previous_manager_id,
    department=ManagerAssignment.department,
    reason=ManagerAssignment.reason,
    changed_at=ManagerAssignment.changed_at,
    changed_by=ManagerAssignment.changed_by,
)


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
        archived_at=iso(partner.archived_at),
        archived_by=partner.archived_by,
        archive_reason=partner.archive_reason,
        created_at=iso(partner.created_at),
        created_by=partner.created_by,
        updated_at=iso(partner.updated_at),
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
        "created_at": iso(rel.created_at),
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
        "valid_from": iso(agreement.valid_from),
        "valid_to": iso(agreement.valid_to),
        "prepayment_share": str(agreement.prepayment_share),
        "credit_days": agreement.credit_days,
        "price_type": agreement.price_type,
        "delivery_terms": agreement.delivery_terms,
        "discount_percent": str(agreement.discount_percent),
        "currency": agreement.currency,
        "approved_at": iso(agreement.approved_at),
        "approved_by": agreement.approved_by,
    }


def assignment_view(row) -> dict:
    return {
        "partner_id": row.partner_id,
        "manager_id": row.manager_id,
        "previous_manager_id": row.previous_manager_id,
        "department": row.department,
        "reason": row.reason,
        "changed_at": iso(row.changed_at),
        "changed_by": row.changed_by,
    }
