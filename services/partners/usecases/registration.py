"""Registering a partner in one call and one transaction.

Registration takes the partner with its contacts, legal details, bank accounts and extra
properties, checks it for duplicates under a policy (block / warn / skip), and writes it all
with its ``partner_registered`` event, or nothing. Editing it later is details.py; the
duplicate search itself is duplicates.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from contracts import partners as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import Conflict
from crm_kit.models import new_id
from crm_kit.validation import load
from services.partners.domain.duplicates import Candidate, DuplicatePolicy, DuplicateReport, policy_blocks
from services.partners.domain.names import name_key
from services.partners.models import (
    Address,
    BankAccount,
    Contact,
    ManagerAssignment,
    Partner,
    PartnerKind,
    Property,
)
from services.partners.schemas import PartnerIn, RegisterOptions
from services.partners.usecases import duplicates, name_words
from services.partners.usecases.about import about_partner
from services.partners.usecases.contact_details import email_rows, phone_rows
from services.partners.usecases.lookup import PARTNERS
from services.partners.views import partner_view


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
    report = duplicates.find(uow.session, candidate, actor)
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
            "matches": [m.partner_id for m in report.matches if m.strength == "strong" and m.status != "archived"],
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

    # Everything the partner holds is built before the one flush that writes it: collections
    # assigned after a flush are lazily loaded first (a statement each), and a contact flushed
    # before it is appended is in the collection twice.
    partner_id = new_id()
    now = utcnow()
    contacts = []
    for n, item in enumerate(data["contacts"]):
        contact_id = new_id()
        contacts.append(Contact(
            id=contact_id, full_name=item["full_name"], position=item["position"], roles=sorted(set(item["roles"])),
            comment=item["comment"], created_at=now + timedelta(microseconds=n),  # kept in the order given
            phones=phone_rows(item["phones"], partner_id, contact_id),
            emails=email_rows(item["emails"], partner_id, contact_id),
        ))
    partner = Partner(
        id=partner_id,
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
        kinds=[PartnerKind(kind=k) for k in sorted(set(data["kinds"]))],
        phones=phone_rows(data["phones"], partner_id),
        emails=email_rows(data["emails"], partner_id),
        addresses=[Address(kind=a["kind"], text=a["text"]) for a in data["addresses"]],
        bank_accounts=[BankAccount(**b) for b in data["bank_accounts"]],
        properties=[Property(key=k, value=v) for k, v in sorted(data["properties"].items())],
        contacts=contacts,
    )
    session.add(partner)
    session.flush()
    name_words.sync(session, partner.id, partner.name_key)
    if partner.manager_id:
        session.add(ManagerAssignment(
            partner_id=partner.id, manager_id=partner.manager_id, department=partner.department,
            reason="registered", changed_by=actor.user_id,
        ))
    session.flush()
    view = partner_view(partner)
    uow.emit(events.PARTNER_REGISTERED, {**about_partner(partner), "kinds": view["kinds"], "partner": view})
    return {"partner": view, "duplicates": report.to_dict()["matches"], "branches": report.branches}
