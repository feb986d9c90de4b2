"""Notification kinds: which event makes which notification, to whom, with what it may say.

A kind is bound to one event of another service's contract. Its ``audience`` says who gets it:

- ``client_billing``: the client's billing address (see domain/audience.py);
- ``responsible``: the user the event names as responsible (``responsible_id``): a reminder's
  owner, a missed call's call-back assignee;
- ``manager``: the partner's or deal's responsible manager (``manager_id``).

``variables`` are the values its templates may use: a template bound to the kind may declare
no other (refused at save time). :func:`values_for` makes them from the event's data (read
through its contract: Decimals, dates, aware times), the partner and the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AUDIENCES = ("client_billing", "responsible", "manager")
COMMON = ("partner_name", "recipient_name")


@dataclass(frozen=True)
class Kind:
    code: str
    source: str
    event: str
    audience: str
    channel: str
    template: str
    variables: tuple[str, ...]
    summary: str

    def offers(self) -> tuple[str, ...]:
        return COMMON + self.variables


INVOICE_OVERDUE = Kind(
    "invoice_overdue",
    "deals",
    "invoice_overdue",
    "client_billing",
    "email",
    "invoice_overdue",
    ("invoice_number", "amount", "balance", "currency", "due_date", "days_overdue"),
    "A debt notice to the client when an invoice is unpaid past its due date.",
)
REMINDER_DUE = Kind(
    "reminder_due",
    "interactions",
    "reminder_due",
    "responsible",
    "email",
    "reminder_due",
    ("title", "interaction_kind", "remind_at", "planned_at"),
    "A reminder to the responsible user of an interaction.",
)
CALL_MISSED = Kind(
    "call_missed",
    "interactions",
    "call_missed",
    "responsible",
    "email",
    "call_missed",
    ("number", "started_at", "direction"),
    "A missed incoming call, to the assignee of its call-back task.",
)
DEAL_STUCK = Kind(
    "deal_stuck",
    "deals",
    "deal_stuck",
    "manager",
    "email",
    "deal_stuck",
    ("deal_id", "stage", "entered_at", "limit_days"),
    "A deal stayed in its stage past the limit, to its manager.",
)

KINDS = {kind.code: kind for kind in (INVOICE_OVERDUE, REMINDER_DUE, CALL_MISSED, DEAL_STUCK)}


def values_for(kind: Kind, data: dict[str, Any], *, partner_name: str | None, recipient_name: str | None) -> dict[str, Any]:
    """The values ``kind``'s templates render with, from the event's ``data``."""
    values: dict[str, Any] = {"partner_name": partner_name or "", "recipient_name": recipient_name or ""}
    if kind is INVOICE_OVERDUE:
        values.update(
            invoice_number=data["number"],
            amount=data["amount"],
            balance=data["balance"],
            currency=data["currency"],
            due_date=data["due_date"],
            days_overdue=data["days_overdue"],
        )
    elif kind is REMINDER_DUE:
        values.update(
            title=data.get("title") or "", interaction_kind=data["kind"], remind_at=data["remind_at"], planned_at=data.get("planned_at")
        )
    elif kind is CALL_MISSED:
        values.update(number=data.get("number") or "", started_at=data["started_at"], direction=data["direction"])
    elif kind is DEAL_STUCK:
        values.update(deal_id=data["deal_id"], stage=data["stage"], entered_at=data["entered_at"], limit_days=data["limit_days"])
    return values


def wanted(kind: Kind, data: dict[str, Any]) -> bool:
    """Whether this event calls for the notification: a missed call only when it was incoming
    and made a call-back task (an outgoing one nobody needs to call back)."""
    if kind is CALL_MISSED:
        return data.get("direction") == "incoming" and data.get("task_id") is not None
    return True


# What a preview of each kind's template shows when the caller gives no values.
EXAMPLES: dict[str, dict[str, Any]] = {
    "invoice_overdue": {
        "partner_name": "Ромашка",
        "recipient_name": "Мария Ивановна",
        "invoice_number": "СЧ-101",
        "amount": "150000.00",
        "balance": "100000.00",
        "currency": "RUB",
        "due_date": "2026-12-04",
        "days_overdue": 3,
    },
    "reminder_due": {
        "partner_name": "Ромашка",
        "recipient_name": "Анна",
        "title": "Встреча у клиента",
        "interaction_kind": "meeting",
        "remind_at": "2026-11-25T10:30:00+03:00",
        "planned_at": "2026-11-25T11:00:00+03:00",
    },
    "call_missed": {
        "partner_name": "Ромашка",
        "recipient_name": "Анна",
        "number": "+74951234500",
        "started_at": "2026-11-23T10:00:00+00:00",
        "direction": "incoming",
    },
    "deal_stuck": {
        "partner_name": "Ромашка",
        "recipient_name": "Анна",
        "deal_id": "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b",
        "stage": "offer",
        "entered_at": "2026-11-01T10:00:00+00:00",
        "limit_days": 14,
    },
}
