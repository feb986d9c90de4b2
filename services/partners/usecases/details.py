"""Editing a partner's details: names, legal details, segment, region, comment and the lists it
holds (kinds, phones, emails, addresses, bank accounts, properties), checked again for strong
duplicates, with ``partner_updated``. The responsible manager changes through managers.py,
contact persons through contacts.py."""

from __future__ import annotations

from typing import Any

from contracts import partners as events
from crm_kit import access
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import Conflict, PermissionDenied, ValidationError
from crm_kit.validation import load
from services.partners.domain import legal
from services.partners.domain.duplicates import Candidate
from services.partners.domain.names import name_key
from services.partners.models import Address, BankAccount, Partner, PartnerKind, Property
from services.partners.schemas import PartnerIn
from services.partners.usecases import duplicates, name_words
from services.partners.usecases.about import about_partner
from services.partners.usecases.contact_details import email_rows, phone_rows
from services.partners.usecases.lookup import partner_for_change
from services.partners.views import partner_view

# Scalar fields a partner update may change (manager_id goes through reassign, with history).
UPDATABLE = (
    "legal_form", "short_name", "full_name", "inn", "kpp", "ogrn", "legal_address", "website",
    "segment", "source", "region", "department", "comment",
)


def _current_legal(partner: Partner, data: dict[str, Any]) -> dict[str, Any]:
    merged = {key: data.get(key, getattr(partner, key)) for key in ("legal_form", "inn", "kpp", "ogrn")}
    return legal.check_legal_details(merged["legal_form"], merged["inn"], merged["kpp"], merged["ogrn"])


def update(uow: UnitOfWork, actor: Actor, partner_id: str, changes: Any) -> dict[str, Any]:
    """Change a partner's details; lists given (phones, emails, addresses, bank accounts,
    properties, kinds) replace the stored ones. Refuses manager changes (use reassign) and
    changes that would make it a strong duplicate of another partner."""
    if isinstance(changes, dict) and "manager_id" in changes:
        raise ValidationError.for_field("manager_id", "change the responsible manager with reassign")
    if isinstance(changes, dict) and "contacts" in changes:
        raise ValidationError.for_field("contacts", "change contacts with add_contact / update_contact")
    # Only the top-level fields may be absent; a phone or contact given is checked whole.
    loaded = load(PartnerIn(), changes, what="changes", partial=("kinds", "legal_form", "short_name"))
    data = {key: value for key, value in loaded.items() if key in changes}
    if not data:
        raise ValidationError("no changes given", {"changes": ["give at least one field to change"]})
    session = uow.session
    partner = partner_for_change(session, actor, partner_id)
    if {"legal_form", "inn", "kpp", "ogrn"} & set(data):
        data.update(_current_legal(partner, data))
    if "region" in data or "department" in data:
        if not access.can_see(actor, partner.manager_id, data.get("region", partner.region),
                              data.get("department", partner.department)):
            raise PermissionDenied("you may not move the partner out of your regions", {"region": data.get("region")})

    changed = []
    for key in UPDATABLE:
        if key in data and data[key] != getattr(partner, key):
            setattr(partner, key, data[key])
            changed.append(key)
    if "short_name" in changed:
        new_key = name_key(partner.short_name)
        if new_key != partner.name_key:
            partner.name_key = new_key
            name_words.sync(session, partner.id, new_key)
    if "kinds" in data:
        partner.kinds = [PartnerKind(partner_id=partner.id, kind=k) for k in sorted(set(data["kinds"]))]
        changed.append("kinds")
    if "phones" in data:
        partner.phones = phone_rows(data["phones"], partner.id)
        changed.append("phones")
    if "emails" in data:
        partner.emails = email_rows(data["emails"], partner.id)
        changed.append("emails")
    if "addresses" in data:
        partner.addresses = [Address(kind=a["kind"], text=a["text"]) for a in data["addresses"]]
        changed.append("addresses")
    if "bank_accounts" in data:
        partner.bank_accounts = [BankAccount(**b) for b in data["bank_accounts"]]
        changed.append("bank_accounts")
    if "properties" in data:
        partner.properties = [Property(key=k, value=v) for k, v in sorted(data["properties"].items())]
        changed.append("properties")

    if {"inn", "kpp", "phones", "emails", "short_name"} & set(changed):
        candidate = Candidate(
            partner_id=partner.id, name=partner.short_name, inn=partner.inn, kpp=partner.kpp,
            phones=[p.number for p in partner.phones], emails=[e.address for e in partner.emails],
        )
        duplicates.lock_identifiers(session, candidate)
        session.flush()
        report = duplicates.find(session, candidate, actor)
        if report.has_strong:
            raise Conflict("the change makes this partner a duplicate of another", report.to_dict())
    session.flush()
    view = partner_view(partner)
    if changed:
        uow.emit(events.PARTNER_UPDATED, {**about_partner(partner), "changed": changed, "partner": view})
    return view
