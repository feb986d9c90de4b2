"""Registering a partner in one call and one transaction, and editing its details.

Registration takes the partner with its contacts, legal details, bank accounts and extra
properties, checks it for duplicates under a policy (block / warn / skip), and writes it all
with its ``partner_registered`` event, or nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import partners as events
from crm_kit import access
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import Conflict, PermissionDenied, ValidationError
from crm_kit.validation import load
from services.partners.domain import contacts as contact_rules
from services.partners.domain import legal
from services.partners.domain.duplicates import Candidate, DuplicatePolicy, DuplicateReport, policy_blocks
from services.partners.domain.names import name_key
from services.partners.models import (
    Address,
    BankAccount,
    Contact,
    Email,
    ManagerAssignment,
    Partner,
    PartnerKind,
    Phone,
    Property,
)
from services.partners.schemas import CandidateIn, PartnerIn, RegisterOptions
from services.partners.usecases import duplicates, name_words
from services.partners.usecases.about import about_partner
from services.partners.usecases.lookup import PARTNERS, partner_for_change
from services.partners.views import partner_view

# Scalar fields a partner update may change (manager_id goes through reassign, with history).
UPDATABLE = (
    "legal_form", "short_name", "full_name", "inn", "kpp", "ogrn", "legal_address", "website",
    "segment", "source", "region", "department", "comment",
)


def _phones(items: list[dict], partner_id: str | None = None, contact_id: str | None = None) -> list[Phone]:
    return [
        Phone(partner_id=partner_id, contact_id=contact_id, number=p["number"], kind=p["kind"], extension=p["extension"])
        for p in items
    ]


def _emails(items: list[dict], partner_id: str | None = None, contact_id: str | None = None) -> list[Email]:
    return [
        Email(
            partner_id=partner_id, contact_id=contact_id, address=e["address"], kind=e["kind"],
            domain=contact_rules.corporate_domain(e["address"]),
        )
        for e in items
    ]


def candidate_of(data: dict[str, Any], partner_id: str | None = None) -> Candidate:
    """The duplicate-check view of a partner payload: its and its contacts' phones and emails."""
    phones = [p["number"] for p in data.get("phones", [])]
    emails = [e["address"] for e in data.get("emails", [])]
    for contact in data.get("contacts", []):
        phones += [p["number"] for p in contact.get("phones", [])]
        emails += [e["address"] for e in contact.get("emails", [])]
    return Candidate(
        partner_id=partner_id,
        name=data.get("short_name") or "",
        inn=data.get("inn"),
        kpp=data.get("kpp"),
        phones=sorted(set(phones)),
        emails=sorted(set(emails)),
    )


def _check_duplicates(
    uow: UnitOfWork, actor: Actor, candidate: Candidate, policy: str, reason: str | None
) -> tuple[DuplicateReport, dict | None]:
    """The duplicates found and the override to record; raises Conflict when policy blocks."""
    if policy == DuplicatePolicy.SKIP:
        override = {"policy": policy, "by": actor.user_id, "at": utcnow().isoformat(), "reason": reason, "matches": []}
        return DuplicateReport(), override
    duplicates.lock_identifiers(uow.session, candidate)
    report = duplicates.find(uow.session, candidate)
    if policy_blocks(policy, report):
        raise Conflict(
            f"{candidate.name!r} looks like a partner that already exists"
            f" ({len(report.matches)} possible duplicate(s)); register with duplicate_policy='warn' to override",
            report.to_dict(),
        )
    override = None
    if report.has_strong:
        override = {
            "policy": policy,
            "by": actor.user_id,
            "at": utcnow().isoformat(),
            "reason": reason,
            "matches": [m.partner_id for m in report.matches if m.strength == "strong"],
        }
    return report, override


def register(uow: UnitOfWork, actor: Actor, payload: Any, options: Any = None) -> dict[str, Any]:
    """Register a partner with everything it comes with; see the module docstring."""
    opts = load(RegisterOptions(), options or {}, what="options")
    data = load(PartnerIn(), payload, what="partner")
    session = uow.session
    if opts["request_id"]:
        earlier = session.scalar(select(Partner).where(Partner.request_id == opts["request_id"]))
        if earlier is not None:
            return {"partner": partner_view(earlier), "duplicates": [], "branches": [], "replayed": True}
    PARTNERS.assign_owner(actor, data, "register partners")
    report, override = _check_duplicates(
        uow, actor, candidate_of(data), opts["duplicate_policy"], opts["override_reason"]
    )

    partner = Partner(
        legal_form=data["legal_form"],
        short_name=data["short_name"],
        full_name=data["full_name"],
        name_key=name_key(data["short_name"]),
        inn=data.get("inn"),
        kpp=data.get("kpp"),
        ogrn=data.get("ogrn"),
        legal_address=data["legal_address"],
        website=data["website"],
        segment=data["segment"],
        source=data["source"],
        region=data["region"],
        manager_id=data["manager_id"],
        department=data["department"],
        comment=data["comment"],
        duplicate_override=override,
        request_id=opts["request_id"],
        created_by=actor.user_id,
    )
    session.add(partner)
    session.flush()
    name_words.sync(session, partner.id, partner.name_key)
    partner.kinds = [PartnerKind(kind=k) for k in sorted(set(data["kinds"]))]
    partner.phones = _phones(data["phones"], partner.id)
    partner.emails = _emails(data["emails"], partner.id)
    partner.addresses = [Address(kind=a["kind"], text=a["text"]) for a in data["addresses"]]
    partner.bank_accounts = [BankAccount(**b) for b in data["bank_accounts"]]
    partner.properties = [Property(key=k, value=v) for k, v in sorted(data["properties"].items())]
    for item in data["contacts"]:
        contact = Contact(
            partner_id=partner.id, full_name=item["full_name"], position=item["position"],
            roles=sorted(set(item["roles"])), comment=item["comment"],
        )
        session.add(contact)
        session.flush()
        contact.phones = _phones(item["phones"], partner.id, contact.id)
        contact.emails = _emails(item["emails"], partner.id, contact.id)
        partner.contacts.append(contact)
    if partner.manager_id:
        session.add(ManagerAssignment(
            partner_id=partner.id, manager_id=partner.manager_id, department=partner.department,
            reason="registered", changed_by=actor.user_id,
        ))
    session.flush()
    view = partner_view(partner)
    uow.emit(events.PARTNER_REGISTERED, {**about_partner(partner), "kinds": view["kinds"], "partner": view})
    return {"partner": view, "duplicates": report.to_dict()["matches"], "branches": report.branches}


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
        partner.phones = _phones(data["phones"], partner.id)
        changed.append("phones")
    if "emails" in data:
        partner.emails = _emails(data["emails"], partner.id)
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
        report = duplicates.find(session, candidate)
        if report.has_strong:
            raise Conflict("the change makes this partner a duplicate of another", report.to_dict())
    session.flush()
    view = partner_view(partner)
    if changed:
        uow.emit(events.PARTNER_UPDATED, {**about_partner(partner), "changed": changed, "partner": view})
    return view


def find_duplicates(session: Session, payload: Any) -> dict[str, Any]:
    """Ranked possible duplicates of a candidate (name, INN/KPP, phones, emails), with reasons."""
    data = load(CandidateIn(), payload, what="candidate")
    candidate = Candidate(
        partner_id=str(data["partner_id"]) if data["partner_id"] else None,
        name=data["name"] or "",
        inn=data["inn"],
        kpp=data["kpp"],
        phones=data["phones"],
        emails=data["emails"],
    )
    report = duplicates.find(session, candidate, limit=data["limit"])
    return {"duplicates": report.to_dict()["matches"], "branches": report.branches}
