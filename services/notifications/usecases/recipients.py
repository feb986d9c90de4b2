"""The service's own copy of the partners and their contacts, fed by the partners service's
events, so that a notification never asks partners who to write to.

Each partners event type comes on its own queue, so they may arrive out of order: a change is
applied only when its event is not older than what the copy already holds (``as_of``), and a
removed contact stays as a tombstone so that a late older event cannot bring it back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from crm_kit.clock import aware
from crm_kit.db import UnitOfWork
from services.notifications.models import RecipientContact, RecipientPartner


def occurred_at(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(event["occurred_at"]))


def _emails(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"address": item["address"], "kind": item["kind"]} for item in items]


def _phones(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"number": item["number"], "kind": item["kind"]} for item in items]


def _newer(seen: datetime | None, moment: datetime) -> bool:
    return seen is None or aware(seen) <= moment


def partner_told(uow: UnitOfWork, event: dict[str, Any]) -> bool:
    """A partner as a whole (registered, updated, archived, unarchived, or the survivor of a
    merge): its names, addresses, manager and contacts replace what the copy held, unless the
    copy already holds a later state. Answers whether it was applied."""
    data, moment = event["data"], occurred_at(event)
    partner = data["partner"]
    row = uow.session.get(RecipientPartner, partner["id"], with_for_update=True)
    if row is None:
        row = RecipientPartner(id=partner["id"])
        uow.session.add(row)
    elif not _newer(row.as_of, moment):
        return False
    row.short_name = partner["short_name"]
    row.kinds = list(partner["kinds"])
    row.status = partner["status"]
    row.merged_into = partner.get("merged_into")
    row.segment = partner.get("segment")
    row.source = partner.get("source")
    row.emails = _emails(partner["emails"])
    row.phones = _phones(partner["phones"])
    row.as_of = moment
    if _newer(row.manager_as_of, moment):
        row.manager_id, row.region, row.department = partner.get("manager_id"), partner.get("region"), partner.get("department")
        row.manager_as_of = moment
    told = {contact["id"] for contact in partner["contacts"]}
    for contact in partner["contacts"]:
        _contact_told(uow, contact, moment)
    # Contacts the partner no longer has (removed, or moved away by a merge) go.
    for contact in uow.session.scalars(
        select(RecipientContact).where(RecipientContact.partner_id == partner["id"], RecipientContact.id.not_in(sorted(told)))
    ):
        if _newer(contact.as_of, moment):
            contact.status, contact.as_of = "removed", moment
    uow.session.flush()
    return True


# A replayed partner is as of its snapshot, older than any live event: it fills in what the copy
# does not know and never overwrites what a live event told.
AS_OF_REPLAY = datetime(1970, 1, 1, tzinfo=UTC)


def partners_replayed(uow: UnitOfWork, records: list[dict[str, Any]]) -> int:
    """The partners service's snapshot of every partner (a backfill when this service starts
    late: crm_kit.replay), tombstones of merged ones included; answers how many were new here."""
    applied = 0
    for record in records:
        applied += partner_told(uow, {**record, "occurred_at": AS_OF_REPLAY.isoformat()})
    return applied


def partners_merged(uow: UnitOfWork, event: dict[str, Any]) -> None:
    """Two partners became one: the merged one is a tombstone pointing at the survivor (a
    notification about it reaches the survivor), and the survivor is as the event tells."""
    data = event["data"]
    merged = uow.session.get(RecipientPartner, data["merged_id"], with_for_update=True)
    if merged is None:
        merged = RecipientPartner(id=data["merged_id"], as_of=occurred_at(event))
        uow.session.add(merged)
    merged.status, merged.merged_into = "merged", data["survivor_id"]
    uow.session.flush()
    partner_told(uow, event)


def partner_reassigned(uow: UnitOfWork, events: list[dict[str, Any]]) -> int:
    """Partners got another manager (a whole-base handover is a burst of these): the copy's
    manager, region and department follow, unless it holds a later state."""
    applied = 0
    for event in events:
        data, moment = event["data"], occurred_at(event)
        row = uow.session.get(RecipientPartner, data["partner_id"], with_for_update=True)
        if row is None:
            # Heard before the partner itself: keep the manager; the partner fills in later.
            row = RecipientPartner(id=data["partner_id"])
            uow.session.add(row)
        elif not _newer(row.manager_as_of, moment):
            continue
        row.manager_id, row.region, row.department = data["manager_id"], data["region"], data["department"]
        row.manager_as_of = moment
        applied += 1
    uow.session.flush()
    return applied


def contact_told(uow: UnitOfWork, event: dict[str, Any]) -> bool:
    """A contact person was added or changed."""
    return _contact_told(uow, event["data"]["contact"], occurred_at(event))


def contact_removed(uow: UnitOfWork, event: dict[str, Any]) -> None:
    """A contact person was removed: a tombstone, so a late older event does not bring it back."""
    data, moment = event["data"], occurred_at(event)
    row = uow.session.get(RecipientContact, data["contact_id"], with_for_update=True)
    if row is None:
        uow.session.add(RecipientContact(id=data["contact_id"], partner_id=data["partner_id"], status="removed", as_of=moment))
    elif _newer(row.as_of, moment):
        row.status, row.as_of = "removed", moment


def _contact_told(uow: UnitOfWork, contact: dict[str, Any], moment: datetime) -> bool:
    row = uow.session.get(RecipientContact, contact["id"], with_for_update=True)
    if row is None:
        row = RecipientContact(id=contact["id"])
        uow.session.add(row)
    elif not _newer(row.as_of, moment):
        return False
    row.partner_id = contact["partner_id"]
    row.full_name = contact["full_name"]
    row.position = contact.get("position")
    row.roles = list(contact["roles"])
    row.status = contact["status"]
    row.emails = _emails(contact["emails"])
    row.phones = _phones(contact["phones"])
    row.as_of = moment
    return True


def partner_with_contacts(session, partner_id: str | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The partner (followed to the survivor when it was merged) and its active contacts, as
    plain values for domain/audience.py; ``(None, [])`` when the copy has not heard of it."""
    seen: set[str] = set()
    row = session.get(RecipientPartner, partner_id) if partner_id else None
    while row is not None and row.merged_into and row.merged_into not in seen:
        seen.add(row.id)
        row = session.get(RecipientPartner, row.merged_into)
    if row is None:
        return None, []
    partner = {
        "id": row.id,
        "short_name": row.short_name,
        "emails": row.emails or [],
        "phones": row.phones or [],
        "manager_id": row.manager_id,
        "status": row.status,
    }
    contacts = [
        {"id": c.id, "full_name": c.full_name, "roles": c.roles or [], "status": c.status, "emails": c.emails or []}
        for c in session.scalars(
            select(RecipientContact)
            .where(RecipientContact.partner_id == row.id, RecipientContact.status == "active")
            .order_by(RecipientContact.full_name, RecipientContact.id)
        )
    ]
    return partner, contacts


def recipients_of(session, partner_id: str) -> dict[str, Any]:
    """What the copy holds of a partner (for operators and tests): the partner and its contacts."""
    partner, contacts = partner_with_contacts(session, partner_id)
    return {"partner": partner, "contacts": contacts}
