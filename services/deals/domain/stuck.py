"""Stuck deals: a deal that stays in a stage longer than the stage's time limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from crm_kit.clock import aware


def stuck_after(entered_at: datetime, time_limit_days: int | None) -> datetime | None:
    """The moment a stay that began at ``entered_at`` becomes stuck, ``None`` without a limit."""
    if time_limit_days is None:
        return None
    return aware(entered_at) + timedelta(days=time_limit_days)


def is_stuck(entered_at: datetime, time_limit_days: int | None, now: datetime) -> bool:
    """Whether a deal that entered its stage at ``entered_at`` has stayed there longer than
    ``time_limit_days`` by ``now`` (exactly the limit is not yet stuck). A stage without a limit
    never holds a deal stuck. Times without an offset are read as UTC."""
    deadline = stuck_after(entered_at, time_limit_days)
    return deadline is not None and aware(now) > deadline
