"""What every service's views (the JSON values its RPCs answer with) share: times and dates as
ISO text. A service's ``views.py`` holds its own view functions, built on these."""

from __future__ import annotations

from datetime import date, datetime

from crm_kit.clock import aware


def iso(value: date | datetime | None) -> str | None:
    """A date (``2026-11-23``) or a time with its offset (``2026-11-23T10:00:00+00:00``, UTC
    when the database gave none) as ISO text; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = aware(value)
    return value.isoformat()
