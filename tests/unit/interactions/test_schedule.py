from datetime import UTC, date, datetime, timedelta

import pytest

from crm_kit.errors import ValidationError
from services.interactions.domain import schedule

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_day_range_includes_the_last_day():
    start, end = schedule.day_range(date(2026, 5, 1), date(2026, 5, 7))
    assert start == datetime(2026, 5, 1, tzinfo=UTC) and end == datetime(2026, 5, 8, tzinfo=UTC)


@pytest.mark.parametrize(("date_from", "date_to"), [(date(2026, 5, 2), date(2026, 5, 1)), (date(2025, 1, 1), date(2026, 5, 1))])
def test_day_range_refused(date_from, date_to):
    with pytest.raises(ValidationError) as caught:
        schedule.day_range(date_from, date_to)
    assert "date_to" in caught.value.details


def test_overdue_only_planned_in_the_past():
    assert schedule.is_overdue("planned", NOW - timedelta(minutes=1), NOW)
    assert not schedule.is_overdue("planned", NOW + timedelta(minutes=1), NOW)
    assert not schedule.is_overdue("done", NOW - timedelta(days=1), NOW)
    assert not schedule.is_overdue("planned", None, NOW)


def test_reminder_due_once():
    past = NOW - timedelta(minutes=1)
    assert schedule.reminder_due(past, None, "planned", NOW)
    assert not schedule.reminder_due(past, NOW, "planned", NOW)
    assert not schedule.reminder_due(NOW + timedelta(minutes=1), None, "planned", NOW)
    assert not schedule.reminder_due(past, None, "cancelled", NOW)


def test_forgotten_cutoff():
    assert schedule.forgotten_cutoff(30, NOW) == NOW - timedelta(days=30)
    for bad in (0, -1, 4000, "30", True, 1.5):
        with pytest.raises(ValidationError):
            schedule.forgotten_cutoff(bad, NOW)


def test_later_keeps_the_latest():
    assert schedule.later(None, NOW) == NOW
    assert schedule.later(NOW, NOW - timedelta(days=1)) == NOW
