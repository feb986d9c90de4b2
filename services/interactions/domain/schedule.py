"""Time rules: calendar ranges, overdue planned interactions, reminders due, forgotten clients.

Every moment is timezone-aware UTC; a date range is whole days, ``date_to`` included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from crm_kit.errors import ValidationError

MAX_RANGE_DAYS = 366
MAX_FORGOTTEN_DAYS = 3650


def day_range(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """``[start, end)`` for the days from ``date_from`` to ``date_to`` inclusive. Refuses a range
    backwards or longer than a year (ValidationError on ``date_to``)."""
    if date_to < date_from:
        raise ValidationError.for_field("date_to", "is before date_from")
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise ValidationError.for_field("date_to", f"a calendar covers at most {MAX_RANGE_DAYS} days")
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    return start, datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)


def is_overdue(status: str, planned_at: datetime | None, now: datetime) -> bool:
    """A planned interaction whose time has passed."""
    return status == "planned" and planned_at is not None and planned_at < now


def reminder_due(remind_at: datetime | None, reminded_at: datetime | None, status: str, now: datetime) -> bool:
    """Its reminder time has come, it has not been raised, and it is not done or cancelled."""
    return remind_at is not None and reminded_at is None and remind_at <= now and status not in ("done", "cancelled")


def forgotten_cutoff(days: int, now: datetime) -> datetime:
    """Clients last in touch before this moment are forgotten. Refuses ``days`` outside
    1..3650 (ValidationError on ``days``)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_FORGOTTEN_DAYS:
        raise ValidationError.for_field("days", f"a whole number of days from 1 to {MAX_FORGOTTEN_DAYS}")
    return now - timedelta(days=days)


def later(current: datetime | None, candidate: datetime) -> datetime:
    """The later of a stored last-interaction time and a new one (events may come late)."""
    return candidate if current is None or candidate > current else current
