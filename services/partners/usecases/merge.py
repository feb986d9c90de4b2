"""Merging two partners that turned out to be one.

The survivor keeps the values chosen field by field (its own by default) and absorbs the other's
contacts, phones, emails, addresses, bank accounts, properties, kinds, relationships and
individual agreements. The other stays as a tombstone (status ``merged``, ``merged_into`` the
survivor) so old references still resolve; ``partners_merged`` tells other services to
re-point theirs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update

from contracts import partners as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import ValidationError
from crm_kit.validation import load
from services.partners.domain import legal
from services.partners.domain.names import name_key
from services.partners.models import (
    MERGED,
    Agreement,
    Contact,
    Email,
    ManagerAssignment,
    Partner,
    PartnerKind,
    Phone,
    Relationship,
)
from services.partners.schemas import MergeIn
from services.partners.usecases import name_words
from services.partners.usecases.about import about_partner
from services.partners.usecases.lookup import partner_for_change
from services.partners.views import partner_view

MERGEABLE = (
    "legal_form", "short_name", "full_name", "inn", "kpp", "ogrn", "legal_address", "website",
    "segment", "source", "region", "manager_id", "department", "comment",
)


def _relink_relationships(session, survivor: Partner, merged: Partner) -> None:
    for column in (Relationship.from_partner_id, Relationship.to_partner_id):
        session.execute(update(Relationship).where(column == merged.id).values({column.key: survivor.id}))
    session.flush()
    seen: set[tuple] = set()
    rows = session.scalars(
        select(Relationship)
        .where(or_(Relationship.from_partner_id == survivor.id, Relationship.to_partner_id == survivor.id))
        .order_by(Relationship.created_at)
    ).all()
    for rel in rows:
        key = (rel.kind, rel.from_partner_id, rel.to_partner_id)
        # A link between the two merged partners, or one both had, means nothing any more.
        if rel.from_partner_id == rel.to_partner_id or key in seen:
            session.delete(rel)
        seen.add(key)


def merge(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Merge ``merged_id`` into ``survivor_id``; ``keep`` picks, per field, whose value stays."""
    data = load(MergeIn(), payload, what="merge")
    unknown = sorted(set(data["keep"]) - set(MERGEABLE))
    if unknown:
        raise ValidationError(
            f"keep names fields that cannot be chosen: {', '.join(unknown)}",
            {f"keep.{field}": [f"choose among {', '.join(MERGEABLE)}"] for field in unknown},
        )
    session = uow.session
    # Lock in id order so two opposite merges cannot deadlock.
    first, second = sorted((data["survivor_id"], data["merged_id"]))
    locked = {pid: partner_for_change(session, actor, pid) for pid in (first, second)}
    survivor, merged = locked[data["survivor_id"]], locked[data["merged_id"]]

    previous_manager = survivor.manager_id
    for field, side in data["keep"].items():
        if side == "merged":
            setattr(survivor, field, getattr(merged, field))
    if {"legal_form", "inn", "kpp", "ogrn"} & set(data["keep"]):
        details = legal.check_legal_details(survivor.legal_form, survivor.inn, survivor.kpp, survivor.ogrn)
        for key, value in details.items():
            setattr(survivor, key, value)
    survivor_key = name_key(survivor.short_name)
    if survivor_key != survivor.name_key:
        survivor.name_key = survivor_key
        name_words.sync(session, survivor.id, survivor_key)
    name_words.sync(session, merged.id, "")  # a tombstone is no one's duplicate any more

    # Contacts move with their own phones and emails.
    moved_contacts = [c.id for c in merged.contacts]
    session.execute(update(Contact).where(Contact.partner_id == merged.id).values(partner_id=survivor.id))
    session.execute(
        update(Phone).where(Phone.partner_id == merged.id, Phone.contact_id.isnot(None)).values(partner_id=survivor.id)
    )
    session.execute(
        update(Email).where(Email.partner_id == merged.id, Email.contact_id.isnot(None)).values(partner_id=survivor.id)
    )
    have_numbers = {p.number for p in survivor.phones}
    for phone in list(merged.phones):
        merged.phones.remove(phone)
        if phone.number not in have_numbers:
            survivor.phones.append(phone)
            have_numbers.add(phone.number)
    have_emails = {e.address for e in survivor.emails}
    for email in list(merged.emails):
        merged.emails.remove(email)
        if email.address not in have_emails:
            survivor.emails.append(email)
            have_emails.add(email.address)
    have_addresses = {(a.kind, a.text) for a in survivor.addresses}
    for address in list(merged.addresses):
        merged.addresses.remove(address)
        if (address.kind, address.text) not in have_addresses:
            survivor.addresses.append(address)
    have_accounts = {(b.bic, b.account) for b in survivor.bank_accounts}
    for account in list(merged.bank_accounts):
        merged.bank_accounts.remove(account)
        if (account.bic, account.account) not in have_accounts:
            survivor.bank_accounts.append(account)
    have_keys = {p.key for p in survivor.properties}
    for prop in list(merged.properties):
        merged.properties.remove(prop)
        if prop.key not in have_keys:
            survivor.properties.append(prop)
    kinds = {k.kind for k in survivor.kinds} | {k.kind for k in merged.kinds}
    merged.kinds = []
    session.flush()
    survivor.kinds = [PartnerKind(partner_id=survivor.id, kind=k) for k in sorted(kinds)]

    _relink_relationships(session, survivor, merged)
    session.execute(
        update(Agreement).where(Agreement.partner_id == merged.id).values(partner_id=survivor.id)
    )
    # Partners merged into the tombstone earlier now point straight at the survivor.
    session.execute(update(Partner).where(Partner.merged_into == merged.id).values(merged_into=survivor.id))
    merged.status = MERGED
    merged.merged_into = survivor.id
    if survivor.manager_id != previous_manager:
        session.add(ManagerAssignment(
            partner_id=survivor.id, manager_id=survivor.manager_id, previous_manager_id=previous_manager,
            department=survivor.department, reason=f"merged with {merged.id}", changed_by=actor.user_id,
        ))
    session.flush()
    session.expire(survivor)
    view = partner_view(survivor)
    uow.emit(events.PARTNERS_MERGED, {
        **about_partner(survivor),
        "survivor_id": survivor.id,
        "merged_id": merged.id,
        "contact_ids_moved": moved_contacts,
        "partner": view,
    })
    return view
