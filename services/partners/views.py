"""What the partners service answers with: plain functions from records to JSON values (they
run on every read), times and dates as ISO text."""

from __future__ import annotations

from crm_kit.views import iso


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
