"""A partner's contact persons: adding, changing, removing and listing them.

A contact's phones and emails are rows of their own that carry both the partner and the contact,
so a number or an address finds the partner directly (caller matching, duplicate checks).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from contracts import partners as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import NotFound, ValidationError
from crm_kit.models import new_id
from crm_kit.validation import load, uuid_arg
from services.partners.models import Contact, Partner, Relationship
from services.partners.schemas import ContactChanges, ContactIn
from services.partners.usecases.about import about_partner
from services.partners.usecases.contact_details import email_rows, phone_rows
from services.partners.usecases.lookup import PARTNERS, contact_for_change, partner_for_change
from services.partners.usecases.relationships import relationship_event
from services.partners.views import contact_view, email_view, phone_view

# Scalar fields of a contact an update may change; phones and emails are replaced as lists.
UPDATABLE = ("full_name", "position", "roles", "comment", "status")


def add_contact(uow: UnitOfWork, actor: Actor, partner_id: str, payload: Any) -> dict[str, Any]:
    """Add a contact person with roles, phones and emails to a partner the actor may change.

    Refuses a bad payload (ValidationError naming the fields), a partner the actor cannot see
    (NotFound), a merged or archived partner (PreconditionFailed).
    """
    partner_id = uuid_arg(partner_id, "partner_id")
    data = load(ContactIn(), payload, what="contact")
    partner = partner_for_change(uow.session, actor, partner_id)
    contact = Contact(
        id=new_id(),
        partner_id=partner.id,
        full_name=data["full_name"],
        position=data["position"],
        roles=sorted(set(data["roles"])),
        comment=data["comment"],
        status="active",
    )
    contact.phones = phone_rows(data["phones"], partner.id, contact.id)
    contact.emails = email_rows(data["emails"], partner.id, contact.id)
    partner.contacts.append(contact)
    uow.session.flush()
    view = contact_view(contact)
    uow.emit(events.CONTACT_ADDED, {**about_partner(partner), "contact_id": contact.id, "contact": view})
    return view


def update_contact(uow: UnitOfWork, actor: Actor, contact_id: str, changes: Any) -> dict[str, Any]:
    """Change a contact person: only the fields given; phones or emails given replace the stored
    lists. Refuses an empty change, bad fields, and contacts of partners the actor may not
    change. Emits ``contact_updated`` when something did change."""
    contact_id = uuid_arg(contact_id, "contact_id")
    schema = ContactChanges()
    # Partial at the top level only: a phone or email given is checked whole, with its defaults
    # (partial=True would reach into the nested items too).
    data = load(schema, changes, what="changes", partial=tuple(schema.fields))
    if not data:
        raise ValidationError("no changes given", {"changes": ["give at least one field to change"]})
    contact = contact_for_change(uow.session, actor, contact_id)

    changed = False
    if "roles" in data:
        data["roles"] = sorted(set(data["roles"]))
    for key in UPDATABLE:
        if key in data and data[key] != getattr(contact, key):
            setattr(contact, key, data[key])
            changed = True
    if "phones" in data and data["phones"] != [phone_view(p) for p in contact.phones]:
        contact.phones = phone_rows(data["phones"], contact.partner_id, contact.id)
        changed = True
    if "emails" in data and [{"address": e["address"], "kind": e["kind"]} for e in data["emails"]] != [
        email_view(e) for e in contact.emails
    ]:
        contact.emails = email_rows(data["emails"], contact.partner_id, contact.id)
        changed = True
    uow.session.flush()
    view = contact_view(contact)
    if changed:
        uow.emit(events.CONTACT_UPDATED, {**about_partner(contact.partner), "contact_id": contact.id, "contact": view})
    return view


def remove_contact(uow: UnitOfWork, actor: Actor, contact_id: str) -> dict[str, Any]:
    """Remove a contact person with their phones, emails and person-to-person relationships
    (each of those gets its ``relationship_removed``)."""
    contact_id = uuid_arg(contact_id, "contact_id")
    session = uow.session
    contact = contact_for_change(session, actor, contact_id)
    partner_id = contact.partner_id
    linked = session.scalars(
        select(Relationship)
        .where(or_(Relationship.from_contact_id == contact.id, Relationship.to_contact_id == contact.id))
        .order_by(Relationship.id)
    ).all()
    removed = [relationship_event(session, rel) for rel in linked]  # while both ends are there
    # The database cascades too, but SQLite only with its foreign keys pragma on: say it here.
    if linked:
        session.execute(delete(Relationship).where(Relationship.id.in_([rel.id for rel in linked])))
    about = about_partner(contact.partner)
    contact.partner.contacts.remove(contact)  # delete-orphan: the contact, its phones and emails go
    session.flush()
    for data in removed:
        uow.emit(events.RELATIONSHIP_REMOVED, data)
    uow.emit(events.CONTACT_REMOVED, {**about, "contact_id": contact_id})
    return {"partner_id": partner_id, "contact_id": contact_id}


def list_contacts(session: Session, actor: Actor, partner_id: str) -> list[dict[str, Any]]:
    """The contact persons of a partner the actor may see, oldest first."""
    partner = PARTNERS.for_read(session, actor, uuid_arg(partner_id, "partner_id"))
    return [contact_view(c) for c in partner.contacts]


def get_contact(session: Session, actor: Actor, contact_id: str) -> dict[str, Any]:
    """A contact person, seen as its partner is (row-level access on the partner): what another
    service asks before a write names the contact. NotFound alike for a contact that does not
    exist and one whose partner the actor may not see."""
    contact = session.get(Contact, contact_id)
    partner = session.get(Partner, contact.partner_id) if contact is not None else None
    if partner is None or not PARTNERS.sees(actor, partner):
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})
    return contact_view(contact)
