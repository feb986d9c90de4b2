"""An event makes notifications: its kind finds the recipients, renders the kind's template for
each and queues one message per recipient and channel.

A message is unique per (triggering event id, recipient, channel): the inbox already skips a
redelivered event, and the database refuses a second message even if the same event came
through another door. A recipient with no address, or a template that cannot render the
event's values, makes a message that failed at once, with why: nothing is dropped silently.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from contracts import notifications as events
from crm_kit.clock import utcnow
from crm_kit.db import UnitOfWork, upsert
from crm_kit.models import new_id
from services.notifications.domain import audience
from services.notifications.domain.kinds import Kind, values_for, wanted
from services.notifications.domain.templates import TemplateProblem, render
from services.notifications.models import Message, NotificationKind, StaffContact, Template
from services.notifications.usecases.recipients import partner_with_contacts
from services.notifications.usecases.templates import text_of

log = logging.getLogger(__name__)


def notify(uow: UnitOfWork, kind: Kind, event: dict[str, Any]) -> dict[str, int]:
    """Queue ``kind``'s messages for ``event`` (its data read through its contract). Answers
    how many were queued, failed at once, or already there (a redelivery)."""
    counts = {"queued": 0, "failed": 0, "already": 0}
    data = event["data"]
    session = uow.session
    setting = session.get(NotificationKind, kind.code)
    if setting is None or not setting.enabled or not wanted(kind, data):
        return counts
    template = session.scalar(
        select(Template)
        .where(Template.code == setting.template_code, Template.channel == setting.channel)
        .order_by(Template.version.desc())
        .limit(1)
    )
    partner, contacts = partner_with_contacts(session, data.get("partner_id"))
    now = utcnow()
    for recipient in recipients_for(session, kind, data, partner, contacts):
        message = {
            "id": new_id(),
            "kind": kind.code,
            "event_id": str(event["event_id"]),
            "recipient": recipient.key,
            "channel": setting.channel,
            "address": recipient.address,
            "partner_id": (partner or {}).get("id") or data.get("partner_id"),
            "contact_id": recipient.contact_id,
            "user_id": recipient.user_id,
            "template_code": setting.template_code,
            "template_version": template.version if template else None,
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        error = None
        if template is None:
            error = f"no template {setting.template_code!r} for {setting.channel}"
        elif recipient.address is None:
            error = audience.NO_ADDRESS + (f" for user {recipient.user_id}" if recipient.user_id else "")
        else:
            values = values_for(kind, data, partner_name=(partner or {}).get("short_name"), recipient_name=recipient.name)
            try:
                rendered = render(text_of(template), values)
                message.update(subject=rendered.get("subject"), body_text=rendered["text"], body_html=rendered.get("html"))
            except TemplateProblem as exc:
                error = f"template {template.code} v{template.version} cannot render: {exc}"
        if error:
            message.update(status="failed", error=error, next_attempt_at=None)
        inserted = session.execute(
            upsert(session, Message.__table__)
            .values(**message)
            .on_conflict_do_nothing(index_elements=["event_id", "recipient", "channel"])
            .returning(Message.__table__.c.id)
        ).first()
        if inserted is None:
            counts["already"] += 1
            continue
        if error:
            counts["failed"] += 1
            log.warning("%s for event %s: %s", kind.code, event["event_id"], error)
            uow.emit(events.MESSAGE_FAILED, failed_data(message, error))
        else:
            counts["queued"] += 1
    return counts


def recipients_for(
    session, kind: Kind, data: dict[str, Any], partner: dict[str, Any] | None, contacts: list[dict[str, Any]]
) -> list[audience.Recipient]:
    """Who gets ``kind``'s notification of this event."""
    if kind.audience == "client_billing":
        if partner is None:
            partner_id = data["partner_id"]
            return [audience.Recipient(f"partner:{partner_id}", None, partner_id=partner_id)]
        return audience.client_billing(partner, contacts)
    user_id = data.get("responsible_id") if kind.audience == "responsible" else data.get("manager_id")
    if not user_id:
        return []
    return [audience.staff(user_id, _staff_contact(session, user_id), partner_id=(partner or {}).get("id"))]


def _staff_contact(session, user_id: str) -> dict[str, Any] | None:
    row = session.get(StaffContact, user_id)
    return None if row is None else {"email": row.email, "phone": row.phone, "full_name": row.full_name}


def about(message: dict[str, Any]) -> dict[str, Any]:
    """What every message event says of its message."""
    return {
        "message_id": message["id"],
        "kind": message["kind"],
        "channel": message["channel"],
        "event_id": message["event_id"],
        "partner_id": message.get("partner_id"),
        "contact_id": message.get("contact_id"),
        "user_id": message.get("user_id"),
        "address": message.get("address"),
        "subject": message.get("subject"),
        "attempts": message.get("attempts") or 0,
    }


def failed_data(message: dict[str, Any], error: str) -> dict[str, Any]:
    return {**about(message), "error": error, "failed_at": utcnow().isoformat()}
