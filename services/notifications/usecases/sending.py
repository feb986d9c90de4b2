"""The sender: queued messages that are due go out, several at once, and each ends sent, queued
again for later, or failed for good (domain/delivery.py says which).

Each tick claims a batch of due messages (``FOR UPDATE SKIP LOCKED``: replicas never take the
same one) and commits them as ``sending`` with a lease, sends them, then commits each one's
outcome with its event (``message_sent`` / ``message_failed``). A sender that dies mid-send
leaves its messages ``sending`` until the lease lapses; then they are taken up again (at least
once: the letter keeps its Message-ID). While the SMTP server cannot be reached the messages
stay queued, spend no attempt, and the sender backs off; they drain when it is back.

Before a batch goes out its addresses are checked against the suppression list and the
subscriptions (usecases/consent.py): a message that may no longer go (its address bounced
hard, or unsubscribed from its marketing topic, since it was queued) ends ``suppressed``
without a send. A refusal of the recipient with 550/551/553 ends the message ``bounced`` and
puts the address on the suppression list (``hard_bounce``): later letters to it, transactional
ones too, are not sent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import eventlet
from prometheus_client import Counter
from sqlalchemy import select

from contracts import notifications as events
from crm_kit.clock import utcnow
from crm_kit.db import UnitOfWork
from crm_kit.trust import internal_key
from services.notifications.domain import consent
from services.notifications.domain.delivery import OUTAGE, SENT, Outcome, RetryPolicy
from services.notifications.models import Message
from services.notifications.smtp import Letter, SmtpConnections
from services.notifications.usecases.consent import add_suppression, refusals
from services.notifications.usecases.notifying import about, failed_data

log = logging.getLogger(__name__)

MESSAGES = Counter("crm_notification_messages_total", "Send attempts of messages by channel and outcome", ["channel", "outcome"])
LEASE = timedelta(minutes=5)


class OutageBackoff:
    """How long the sender leaves the SMTP server alone after consecutive outages."""

    def __init__(self, policy: RetryPolicy):
        self.policy, self.outages = policy, 0

    def next_try(self, now: datetime) -> datetime:
        self.outages += 1
        return now + self.policy.delay(self.outages)

    def recovered(self) -> None:
        self.outages = 0


def claim_due(uow: UnitOfWork, now: datetime, batch: int) -> list[Message]:
    """Take up to ``batch`` due messages (queued, or sending with a lapsed lease) and commit them
    as ``sending`` with a lease."""
    session = uow.session
    rows = list(
        session.scalars(
            select(Message)
            .where(Message.status.in_(("queued", "sending")), Message.next_attempt_at <= now)
            .order_by(Message.next_attempt_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.status, row.next_attempt_at = "sending", now + LEASE
    uow.commit()
    return rows


def send_due(
    uow: UnitOfWork,
    smtp: SmtpConnections,
    policy: RetryPolicy,
    backoff: OutageBackoff,
    *,
    batch: int = 100,
    max_batches: int = 20,
) -> dict[str, int]:
    """One tick of the sender: batch after batch while batches come full (a mailing's backlog
    drains without waiting a tick per batch), each batch's outcomes committed before the next,
    until an outage; answers how many messages were sent, queued again, failed."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "outage": 0, "suppressed": 0}
    for _ in range(max_batches):
        rows = claim_due(uow, utcnow(), batch)
        if not rows:
            break
        send_batch(uow, smtp, policy, backoff, rows, counts)
        uow.commit()
        if len(rows) < batch or counts["outage"]:
            break
    return counts


def send_batch(
    uow: UnitOfWork, smtp: SmtpConnections, policy: RetryPolicy, backoff: OutageBackoff, rows: list[Message], counts: dict[str, int]
) -> None:
    """Send claimed messages in parallel (one connection each, at most the pool's size) and
    write each one's outcome; those that may not go (:func:`refusals`) end suppressed."""
    refused = refusals(uow.session, rows)
    for row in rows:
        if row.id in refused:
            row.status, row.next_attempt_at, row.error = "suppressed", None, refused[row.id]
            uow.emit(events.MESSAGE_FAILED, failed_data(_as_dict(row), refused[row.id]))
            counts["suppressed"] += 1
            MESSAGES.labels(row.channel, "suppressed").inc()
    rows = [row for row in rows if row.id not in refused]
    if not rows:
        return
    letters = [letter_of(row, smtp) for row in rows]
    pool = eventlet.GreenPool(smtp.settings.connections)
    outcomes = list(pool.imap(smtp.send, letters))
    now = utcnow()
    outage_until = backoff.next_try(now) if any(o.result == OUTAGE for o in outcomes) else None
    if any(o.result == SENT for o in outcomes):
        backoff.recovered()
    for row, letter, outcome in zip(rows, letters, outcomes, strict=True):
        counts[record(uow, row, letter, outcome, policy, now, outage_until)] += 1
        MESSAGES.labels(row.channel, outcome.result).inc()


def letter_of(row: Message, smtp: SmtpConnections) -> Letter:
    return Letter(
        message_id=f"<{row.id}@{smtp.settings.domain}>",
        to=row.address or "",
        to_name=None,
        subject=row.subject or "",
        text=row.body_text or "",
        html=row.body_html,
        headers=unsubscribe_headers(smtp.settings.unsubscribe_url, row.address, row.topic),
    )


def unsubscribe_headers(url: str, address: str | None, topic: str | None) -> tuple[tuple[str, str], ...]:
    """A marketing letter's one-click unsubscribe (RFC 8058): the signed link, and the header
    that tells the mail client a POST to it is enough. A transactional letter has none."""
    if not topic or not address:
        return ()
    token = consent.unsubscribe_token(internal_key(), address, topic)
    separator = "&" if "?" in url else "?"
    return (("List-Unsubscribe", f"<{url}{separator}token={token}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))


def record(
    uow: UnitOfWork, row: Message, letter: Letter, outcome: Outcome, policy: RetryPolicy, now: datetime, outage_until: datetime | None
) -> str:
    """Write one send attempt's outcome on its message (and its event); answers the count it
    goes under."""
    if outcome.result == OUTAGE:
        row.status, row.next_attempt_at, row.error = "queued", outage_until, outcome.error
        return "outage"
    row.attempts += 1
    status, next_attempt_at = policy.after(outcome, row.attempts, now)
    row.status, row.next_attempt_at = status, next_attempt_at
    message = _as_dict(row)
    if status == "sent":
        row.provider_id, row.sent_at, row.error = letter.message_id, now, None
        uow.emit(events.MESSAGE_SENT, {**about(message), "provider_id": letter.message_id, "sent_at": now.isoformat()})
        return "sent"
    row.error = outcome.error
    if status == "failed":
        if consent.is_hard_bounce(outcome.code, outcome.at_rcpt) and row.address:
            row.status = "bounced"
            add_suppression(uow.session, row.address, consent.HARD_BOUNCE, outcome.error, None)
        log.warning("message %s to %s failed for good after %d attempts: %s", row.id, row.address, row.attempts, outcome.error)
        uow.emit(events.MESSAGE_FAILED, failed_data(message, outcome.error or "failed"))
        return "failed"
    return "retry"


def _as_dict(row: Message) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "channel": row.channel,
        "event_id": row.event_id,
        "partner_id": row.partner_id,
        "contact_id": row.contact_id,
        "user_id": row.user_id,
        "address": row.address,
        "subject": row.subject,
        "attempts": row.attempts,
    }
