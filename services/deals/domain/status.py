"""A deal's status: in progress, won, lost (with a reason), postponed, and the changes allowed.

Won and lost are final: a deal that comes back to life is a new deal, with its own history
and forecast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from crm_kit.errors import PreconditionFailed, ValidationError
from services.deals.domain.process import STRICT, SalesProcess

IN_PROGRESS: Final = "in_progress"
WON: Final = "won"
LOST: Final = "lost"
POSTPONED: Final = "postponed"
STATUSES: Final = (IN_PROGRESS, WON, LOST, POSTPONED)
FINAL_STATUSES: Final = frozenset({WON, LOST})

ALLOWED_CHANGES: Final[Mapping[str, frozenset[str]]] = {
    IN_PROGRESS: frozenset({WON, LOST, POSTPONED}),
    POSTPONED: frozenset({IN_PROGRESS, LOST}),
    WON: frozenset(),
    LOST: frozenset(),
}

LOSS_REASONS: Final = ("price", "competitor", "no_budget", "no_decision", "timing", "requirements", "other")


def check_status_change(
    process: SalesProcess,
    current_status: str,
    target: str,
    current_stage: str | None,
    *,
    loss_reason: str | None = None,
) -> None:
    """Refuses changing a deal of ``process`` at ``current_stage`` from ``current_status`` to
    ``target``:

    - ``target`` that is no status: ``ValidationError`` on field ``status``;
    - a won or lost deal (final) and any change :data:`ALLOWED_CHANGES` does not list
      (in progress → won | lost | postponed; postponed → in progress | lost):
      ``PreconditionFailed`` with details ``{"status": current_status, "target": target}``;
    - lost without a ``loss_reason``, or with one not in :data:`LOSS_REASONS`:
      ``ValidationError`` on field ``loss_reason``;
    - won in a strict process anywhere but at its last stage: ``PreconditionFailed`` with
      ``{"stage": current_stage, "required": <last stage>}``.

    A ``loss_reason`` given with another target is ignored.
    """
    if target not in ALLOWED_CHANGES:
        raise ValidationError.for_field("status", f"must be one of: {', '.join(STATUSES)}")
    if current_status in FINAL_STATUSES:
        raise PreconditionFailed(
            f"a {current_status} deal is closed: its status does not change",
            {"status": current_status, "target": target},
        )
    if target not in ALLOWED_CHANGES.get(current_status, frozenset()):
        raise PreconditionFailed(
            f"a deal in status {current_status!r} cannot become {target!r}",
            {"status": current_status, "target": target},
        )
    if target == LOST:
        if loss_reason is None or (isinstance(loss_reason, str) and not loss_reason.strip()):
            raise ValidationError.for_field("loss_reason", "a lost deal needs a loss reason")
        if loss_reason not in LOSS_REASONS:
            raise ValidationError.for_field("loss_reason", f"must be one of: {', '.join(LOSS_REASONS)}")
    if target == WON and process.mode == STRICT:
        last = process.last_stage()
        if current_stage != last:
            raise PreconditionFailed(
                f"a standard sale is won only at its last stage, {last}; the deal is at {current_stage}",
                {"stage": current_stage, "required": last},
            )
