"""Commercial offers: their statuses and the changes allowed, with the offer's validity.

An offer is prepared as a draft, sent to the client, then accepted or rejected by the client;
one still unanswered after its last valid day has expired and can no longer be accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

from crm_kit.errors import PreconditionFailed, ValidationError

DRAFT: Final = "draft"
SENT: Final = "sent"
ACCEPTED: Final = "accepted"
REJECTED: Final = "rejected"
EXPIRED: Final = "expired"
STATUSES: Final = (DRAFT, SENT, ACCEPTED, REJECTED, EXPIRED)

ALLOWED_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    DRAFT: frozenset({SENT}),
    SENT: frozenset({ACCEPTED, REJECTED, EXPIRED}),
    ACCEPTED: frozenset(),
    REJECTED: frozenset(),
    EXPIRED: frozenset(),
}


def is_expired(valid_until: date | None, today: date) -> bool:
    """Whether an offer valid until ``valid_until`` (that day included) has expired by
    ``today``. An offer without a date does not expire."""
    return valid_until is not None and today > valid_until


def check_offer_transition(current: str, target: str, valid_until: date | None, today: date) -> None:
    """Refuses moving an offer from ``current`` to ``target`` on day ``today``:

    - ``target`` that is no status: ``ValidationError`` on field ``status``;
    - a change :data:`ALLOWED_TRANSITIONS` does not list (draft → sent; sent → accepted |
      rejected | expired): ``PreconditionFailed`` with details ``{"status": current, "target":
      target}``;
    - sending or accepting an offer after ``valid_until``: ``PreconditionFailed`` "the offer
      expired on <date>" with ``{"status", "target", "valid_until"}``;
    - marking as expired an offer still valid: ``PreconditionFailed`` with the same details.

    Rejecting stays possible after expiry: the client's answer is worth recording.
    """
    if target not in ALLOWED_TRANSITIONS:
        raise ValidationError.for_field("status", f"must be one of: {', '.join(STATUSES)}")
    if target not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise PreconditionFailed(
            f"an offer in status {current!r} cannot become {target!r}",
            {"status": current, "target": target},
        )
    details = {
        "status": current,
        "target": target,
        "valid_until": valid_until.isoformat() if valid_until is not None else None,
    }
    expired = is_expired(valid_until, today)
    if target in (SENT, ACCEPTED) and expired:
        raise PreconditionFailed(f"the offer expired on {valid_until.isoformat()}", details)
    if target == EXPIRED and not expired:
        until = f"until {valid_until.isoformat()}" if valid_until is not None else "without a time limit"
        raise PreconditionFailed(f"the offer is valid {until}", details)
