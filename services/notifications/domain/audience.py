"""Who of a client gets a notification, from the service's own copy of the client.

A debt notice (``client_billing``) goes to, in this order:

1. the partner's billing emails (kind ``billing``): the partner itself is the recipient;
2. else each active contact with the role ``accountant`` (their billing email, else work
   email, else any);
3. else the partner's main email (its first ``work`` email, else its first).

Nobody at all is still an answer: the notification is recorded as failed, visibly, with
why (:data:`NO_ADDRESS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NO_ADDRESS = "no email address"


@dataclass(frozen=True)
class Recipient:
    """One recipient of a notification: ``key`` makes a message unique with the event and the
    channel (``partner:<id>``, ``contact:<id>``, ``user:<id>``); ``address`` is None when there
    is nowhere to send it."""

    key: str
    address: str | None
    name: str | None = None
    partner_id: str | None = None
    contact_id: str | None = None
    user_id: str | None = None


def _first(emails: list[dict[str, Any]], *kinds: str) -> str | None:
    for kind in kinds:
        for email in emails:
            if kind == "*" or email.get("kind") == kind:
                return email["address"]
    return None


def client_billing(partner: dict[str, Any], contacts: list[dict[str, Any]]) -> list[Recipient]:
    """The recipients of a debt notice to ``partner`` (``{id, short_name, emails}``) with its
    ``contacts`` (``{id, full_name, roles, status, emails}``)."""
    partner_id = partner["id"]
    emails = partner.get("emails") or []
    billing = _first(emails, "billing")
    if billing:
        return [Recipient(f"partner:{partner_id}", billing, partner.get("short_name"), partner_id=partner_id)]
    accountants = [
        Recipient(f"contact:{contact['id']}", address, contact.get("full_name"), partner_id=partner_id, contact_id=contact["id"])
        for contact in contacts
        if contact.get("status") == "active"
        and "accountant" in (contact.get("roles") or [])
        and (address := _first(contact.get("emails") or [], "billing", "work", "*"))
    ]
    if accountants:
        return accountants
    return [Recipient(f"partner:{partner_id}", _first(emails, "work", "*"), partner.get("short_name"), partner_id=partner_id)]


def staff(user_id: str, contact: dict[str, Any] | None, partner_id: str | None = None) -> Recipient:
    """A user of the platform, reached at the email an administrator set for them."""
    return Recipient(
        f"user:{user_id}",
        (contact or {}).get("email"),
        (contact or {}).get("full_name") or user_id,
        partner_id=partner_id,
        user_id=user_id,
    )
