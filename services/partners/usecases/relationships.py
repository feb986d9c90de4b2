"""Typed links between partners (head office of, dealer of...) and between contact persons
(reports to, influences...).

The actor declares a link from a record they may change (the "from" end) to one they may see;
the same link twice is a Conflict, and head offices never form a cycle.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contracts import partners as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import Conflict, NotFound, PreconditionFailed
from crm_kit.validation import load, uuid_arg
from services.partners.models import ACTIVE, Contact, Partner, Relationship
from services.partners.schemas import RelationshipIn
from services.partners.usecases.about import about_partner
from services.partners.usecases.lookup import PARTNERS, contact_for_change, partner_for_change
from services.partners.views import relationship_view

HEAD_OFFICE_OF = "head_office_of"


def relationship_event(session: Session, rel: Relationship) -> dict[str, Any]:
    """The data of relationship_added / relationship_removed: the partner at the "from" end (the
    contact's, for a link between contacts) with its dimensions, the partner at the other end."""
    if rel.from_partner_id:
        from_partner, other_partner_id = session.get(Partner, rel.from_partner_id), rel.to_partner_id
    else:
        from_partner = session.get(Contact, rel.from_contact_id).partner
        other_partner_id = session.scalar(select(Contact.partner_id).where(Contact.id == rel.to_contact_id))
    return {
        **about_partner(from_partner), "relationship_id": rel.id, "kind": rel.kind, "other_partner_id": other_partner_id,
        "relationship": relationship_view(rel),
    }


def _linkable_partner(session: Session, actor: Actor, partner_id: str) -> Partner:
    """The "to" end: a partner the actor may see and that still exists as itself."""
    partner = PARTNERS.for_read(session, actor, partner_id)
    if partner.status != ACTIVE:
        raise PreconditionFailed(
            f"partner {partner_id} is {partner.status}"
            + (f" into {partner.merged_into}" if partner.merged_into else ""),
            {"partner_id": partner_id, "status": partner.status, "merged_into": partner.merged_into},
        )
    return partner


def _visible_contact(session: Session, actor: Actor, contact_id: str) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id})
    try:
        _linkable_partner(session, actor, contact.partner_id)
    except NotFound:
        raise NotFound(f"contact {contact_id} not found", {"contact_id": contact_id}) from None
    return contact


def _head_office_path(session: Session, start: str, goal: str) -> list[str] | None:
    """The chain of head_office_of links leading from ``start`` down to ``goal``, if any."""
    came_from: dict[str, str | None] = {start: None}
    frontier = [start]
    while frontier:
        rows = session.execute(
            select(Relationship.from_partner_id, Relationship.to_partner_id).where(
                Relationship.kind == HEAD_OFFICE_OF, Relationship.from_partner_id.in_(frontier)
            )
        ).all()
        frontier = []
        for parent, child in rows:
            if child in came_from:
                continue
            came_from[child] = parent
            if child == goal:
                path = [child]
                while came_from[path[-1]] is not None:
                    path.append(came_from[path[-1]])
                return list(reversed(path))
            frontier.append(child)
    return None


def _check_partner_link(session: Session, actor: Actor, data: dict[str, Any]) -> None:
    from_id, to_id = data["from_partner_id"], data["to_partner_id"]
    # Lock both ends in id order: two opposite links (a→b, b→a) added at once serialise here,
    # so the cycle check of the second sees the first.
    for partner_id in sorted((from_id, to_id)):
        session.get(Partner, partner_id, with_for_update=True)
    partner_for_change(session, actor, from_id)
    _linkable_partner(session, actor, to_id)
    if data["kind"] == HEAD_OFFICE_OF:
        path = _head_office_path(session, to_id, from_id)
        if path is not None:
            raise PreconditionFailed(
                f"partner {to_id} is already a head office of {from_id}"
                f"{' through ' + ', '.join(path[1:-1]) if len(path) > 2 else ''}: head offices cannot form a cycle",
                {"kind": HEAD_OFFICE_OF, "from_partner_id": from_id, "to_partner_id": to_id, "cycle": path + [to_id]},
            )


def _check_contact_link(session: Session, actor: Actor, data: dict[str, Any]) -> None:
    contact_for_change(session, actor, data["from_contact_id"])  # locks the from contact's partner
    _visible_contact(session, actor, data["to_contact_id"])


def _ends(data: dict[str, Any]) -> tuple:
    return (
        data["kind"], data["from_partner_id"], data["to_partner_id"], data["from_contact_id"], data["to_contact_id"]
    )


def add_relationship(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Link two partners or two contacts.

    Refuses: a bad payload (ValidationError); an end that does not exist or the actor cannot
    see (NotFound); a merged or archived partner (PreconditionFailed); the same link twice
    (Conflict, listing it); a head_office_of link that closes a cycle (PreconditionFailed,
    naming the cycle).
    """
    data = load(RelationshipIn(), payload, what="relationship")
    session = uow.session
    if data["from_partner_id"]:
        _check_partner_link(session, actor, data)
    else:
        _check_contact_link(session, actor, data)

    kind, from_partner, to_partner, from_contact, to_contact = _ends(data)
    existing = session.scalars(
        select(Relationship).where(
            Relationship.kind == kind,
            Relationship.from_partner_id == from_partner if from_partner else Relationship.from_partner_id.is_(None),
            Relationship.to_partner_id == to_partner if to_partner else Relationship.to_partner_id.is_(None),
            Relationship.from_contact_id == from_contact if from_contact else Relationship.from_contact_id.is_(None),
            Relationship.to_contact_id == to_contact if to_contact else Relationship.to_contact_id.is_(None),
        )
    ).all()
    if existing:
        raise Conflict(
            f"this {kind} relationship already exists",
            {"relationships": [relationship_view(rel) for rel in existing]},
        )

    rel = Relationship(
        kind=kind,
        from_partner_id=from_partner,
        to_partner_id=to_partner,
        from_contact_id=from_contact,
        to_contact_id=to_contact,
        comment=data["comment"],
        created_by=actor.user_id,
    )
    session.add(rel)
    session.flush()
    uow.emit(events.RELATIONSHIP_ADDED, relationship_event(session, rel))
    return relationship_view(rel)


def remove_relationship(uow: UnitOfWork, actor: Actor, relationship_id: str) -> dict[str, Any]:
    """Remove a relationship; the actor must be able to change its "from" end, as to add it.

    Refuses an unknown relationship, or one whose from end the actor cannot see (NotFound)."""
    relationship_id = uuid_arg(relationship_id, "relationship_id")
    session = uow.session
    rel = session.get(Relationship, relationship_id)
    if rel is None:
        raise NotFound(f"relationship {relationship_id} not found", {"relationship_id": relationship_id})
    try:
        if rel.from_partner_id:
            partner_for_change(session, actor, rel.from_partner_id)
        else:
            contact_for_change(session, actor, rel.from_contact_id)
    except NotFound:
        raise NotFound(f"relationship {relationship_id} not found", {"relationship_id": relationship_id}) from None
    removed = relationship_event(session, rel)
    session.delete(rel)
    session.flush()
    uow.emit(events.RELATIONSHIP_REMOVED, removed)
    return {"relationship_id": relationship_id}


def list_relationships(session: Session, actor: Actor, partner_id: str) -> list[dict[str, Any]]:
    """A partner's links in both directions and those of its contacts, oldest first; each with
    ``direction`` ("outgoing" when the partner, or its contact, is the from end)."""
    partner = PARTNERS.for_read(session, actor, uuid_arg(partner_id, "partner_id"))
    contact_ids = select(Contact.id).where(Contact.partner_id == partner.id)
    rows = session.scalars(
        select(Relationship)
        .where(
            or_(
                Relationship.from_partner_id == partner.id,
                Relationship.to_partner_id == partner.id,
                Relationship.from_contact_id.in_(contact_ids),
                Relationship.to_contact_id.in_(contact_ids),
            )
        )
        .order_by(Relationship.created_at, Relationship.id)
    ).all()
    own_contacts = set(session.scalars(contact_ids))
    result = []
    for rel in rows:
        view = relationship_view(rel)
        outgoing = rel.from_partner_id == partner.id or (
            rel.from_contact_id is not None and rel.from_contact_id in own_contacts
        )
        view["direction"] = "outgoing" if outgoing else "incoming"
        result.append(view)
    return result
