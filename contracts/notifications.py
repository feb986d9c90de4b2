"""The events the notifications service publishes (exchange ``notifications.events``).

A message is one notification to one recipient over one channel (an email today), made by a
notification kind from the event that triggered it (``event_id``). Its event says who it went
to (``partner_id``/``contact_id`` for a client, ``user_id`` for staff) so that claims and
interactions can react (an email sent to a client becomes part of its history).
"""

from __future__ import annotations

from marshmallow import fields, validate

from crm_kit.contracts import EventContract, EventData, Moment, Uuid, nullable, required

SOURCE = "notifications"
CHANNELS = ("email", "sms")


class AboutMessage(EventData):
    """The message an event is about: who it is for and what made it."""

    message_id = required(Uuid)
    kind = required(fields.String)
    channel = required(fields.String, validate=validate.OneOf(CHANNELS))
    event_id = required(Uuid)
    partner_id = nullable(Uuid)
    contact_id = nullable(Uuid)
    user_id = nullable(fields.String)
    address = nullable(fields.String)
    subject = nullable(fields.String)
    attempts = required(fields.Integer, strict=True, validate=validate.Range(min=0))


class MessageSent(AboutMessage):
    """The provider accepted the message (an SMTP server answered 250 to its data):
    ``provider_id`` is its Message-ID."""

    provider_id = required(fields.String)
    sent_at = required(Moment)


class MessageFailed(AboutMessage):
    """The message will not be sent: the provider refused it for good (an SMTP 5xx), it kept
    failing for a while (4xx past the last attempt), or the recipient has no address on the
    channel (``address`` null). ``error`` says which; it is final."""

    error = required(fields.String)
    failed_at = required(Moment)


MESSAGE_ID = "d4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f7a"
EVENT_ID = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
PARTNER_ID = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"
ABOUT = {
    "message_id": MESSAGE_ID,
    "kind": "invoice_overdue",
    "channel": "email",
    "event_id": EVENT_ID,
    "partner_id": PARTNER_ID,
    "contact_id": None,
    "user_id": None,
    "address": "buh@romashka.ru",
    "subject": "Счёт СЧ-101 просрочен на 3 дня",
    "attempts": 1,
}

MESSAGE_SENT = EventContract(
    SOURCE,
    "message_sent",
    MessageSent,
    summary="A message was accepted by its provider.",
    example={**ABOUT, "provider_id": f"<{MESSAGE_ID}@crm>", "sent_at": "2026-12-04T10:00:01+00:00"},
)
MESSAGE_FAILED = EventContract(
    SOURCE,
    "message_failed",
    MessageFailed,
    summary="A message failed for good.",
    example={**ABOUT, "attempts": 1, "error": "550 5.1.1 mailbox unavailable", "failed_at": "2026-12-04T10:00:01+00:00"},
)

ALL = (MESSAGE_SENT, MESSAGE_FAILED)
