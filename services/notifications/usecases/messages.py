"""Reading messages: by partner, user, kind and status, newest first; one by id.

A client's messages are seen by whoever sees the client's partner in the service's copy
(manager, region, department: the kit's row-access rule); a staff message (a reminder) only by
its user, and by administrators and services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select

from crm_kit.access import RowAccess
from crm_kit.actor import Actor
from crm_kit.errors import NotFound
from crm_kit.validation import load, uuid_arg
from services.notifications import views
from services.notifications.models import Message, RecipientPartner
from services.notifications.schemas import MessageFilters

PARTNERS = RowAccess(
    RecipientPartner, "partner", owner=RecipientPartner.manager_id, region=RecipientPartner.region, department=RecipientPartner.department
)


def _visible(actor: Actor):
    if actor.is_admin or actor.is_service:
        return None
    partners = select(RecipientPartner.id).where(PARTNERS.visible(actor))
    # A message to a user is that user's; a message to a client, of whoever sees the client.
    return or_(Message.user_id == actor.user_id, and_(Message.user_id.is_(None), Message.partner_id.in_(partners)))


def list_messages(session, actor: Actor, filters: Any) -> dict[str, Any]:
    """The messages the caller may see, newest first, by ``partner_id``, ``user_id``, ``kind``,
    ``status`` (at most ``limit``)."""
    data = load(MessageFilters(), filters or {}, what="filters")
    query = select(Message).order_by(Message.created_at.desc(), Message.id).limit(data["limit"])
    visible = _visible(actor)
    if visible is not None:
        query = query.where(visible)
    if data["partner_id"]:
        query = query.where(Message.partner_id == str(data["partner_id"]))
    for name in ("user_id", "kind", "status"):
        if data[name]:
            query = query.where(getattr(Message, name) == data[name])
    return {"items": [views.message(row) for row in session.scalars(query)]}


def get_message(session, actor: Actor, message_id: Any) -> dict[str, Any]:
    """One message; NotFound also when the caller may not see it."""
    message_id = uuid_arg(message_id, "message_id")
    query = select(Message).where(Message.id == message_id)
    visible = _visible(actor)
    if visible is not None:
        query = query.where(visible)
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"no message {message_id}", {"message_id": message_id})
    return views.message(row)


CARD_SHOWN = 10


def card_section(session, actor: Actor, partner_id: str) -> dict[str, Any]:
    """What the client card shows from notifications: the last messages to the client (its
    partner, and contacts of it) with their states, and how many are queued or failed."""
    visible = _visible(actor)
    query = select(Message).where(Message.partner_id == partner_id, Message.user_id.is_(None))
    counts = select(Message.status, func.count()).where(Message.partner_id == partner_id, Message.user_id.is_(None))
    if visible is not None:
        query, counts = query.where(visible), counts.where(visible)
    rows = session.scalars(query.order_by(Message.created_at.desc(), Message.id).limit(CARD_SHOWN))
    by_status = dict(session.execute(counts.group_by(Message.status)).all())
    return {
        "last_messages": [
            {key: value for key, value in views.message(row).items() if key not in ("text", "html", "event_id")} for row in rows
        ],
        "queued": by_status.get("queued", 0) + by_status.get("sending", 0),
        "failed": by_status.get("failed", 0) + by_status.get("bounced", 0) + by_status.get("suppressed", 0),
        "sent": by_status.get("sent", 0),
    }
