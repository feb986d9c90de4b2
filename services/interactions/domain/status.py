"""An interaction's status: planned, in progress, done, postponed, cancelled.

Done and cancelled are final. A postponed interaction is planned again (or held) later.
"""

from __future__ import annotations

from crm_kit.errors import PreconditionFailed

PLANNED, IN_PROGRESS, DONE, POSTPONED, CANCELLED = "planned", "in_progress", "done", "postponed", "cancelled"
STATUSES = (PLANNED, IN_PROGRESS, DONE, POSTPONED, CANCELLED)
FINAL_STATUSES = (DONE, CANCELLED)
OPEN_STATUSES = (PLANNED, IN_PROGRESS, POSTPONED)
HAPPENED_STATUSES = (IN_PROGRESS, DONE)
"""Statuses in which the client was actually in touch (counted for forgotten clients)."""

MOVES = {
    PLANNED: (IN_PROGRESS, DONE, POSTPONED, CANCELLED),
    IN_PROGRESS: (DONE, POSTPONED, CANCELLED),
    POSTPONED: (PLANNED, IN_PROGRESS, DONE, CANCELLED),
    DONE: (),
    CANCELLED: (),
}


def check_move(current: str, target: str) -> None:
    """Refuses (PreconditionFailed, details ``status`` and ``allowed``) a move the flow does not
    allow: leaving done or cancelled, or staying where it is."""
    allowed = MOVES.get(current, ())
    if target not in allowed:
        raise PreconditionFailed(
            f"an interaction {current} cannot become {target}",
            {"status": current, "target": target, "allowed": list(allowed)},
        )


def require_open(status: str, what: str) -> None:
    """Refuses ``what`` on a done or cancelled interaction."""
    if status in FINAL_STATUSES:
        raise PreconditionFailed(f"the interaction is {status}: cannot {what}", {"status": status})
