"""The one clock every service reads: aware UTC datetimes."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
