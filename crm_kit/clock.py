"""The one clock every service reads: aware UTC datetimes."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """``value`` with its offset; a time without one is UTC (SQLite hands back UTC times
    without their offset, and comparing naive with aware would raise)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
