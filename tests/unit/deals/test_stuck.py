"""Stuck deals: a stay longer than the stage's time limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.deals.domain.stuck import is_stuck, stuck_after

ENTERED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


class TestStuck:
    def test_within_the_limit(self) -> None:
        assert not is_stuck(ENTERED, 3, ENTERED + timedelta(days=2, hours=23))

    def test_exactly_the_limit_is_not_yet_stuck(self) -> None:
        assert not is_stuck(ENTERED, 3, ENTERED + timedelta(days=3))

    def test_past_the_limit(self) -> None:
        assert is_stuck(ENTERED, 3, ENTERED + timedelta(days=3, seconds=1))

    def test_no_limit_never_stuck(self) -> None:
        assert not is_stuck(ENTERED, None, ENTERED + timedelta(days=10_000))
        assert stuck_after(ENTERED, None) is None

    def test_naive_times_are_utc(self) -> None:
        naive = datetime(2026, 11, 1, 9, 0)
        assert is_stuck(naive, 1, ENTERED + timedelta(days=2))
        assert not is_stuck(ENTERED, 1, datetime(2026, 11, 2, 8, 0))

    def test_offsets_compared_as_moments(self) -> None:
        moscow = timezone(timedelta(hours=3))
        # 12:00 in Moscow is 09:00 UTC: exactly one day after entering, not yet stuck.
        assert not is_stuck(ENTERED, 1, datetime(2026, 11, 2, 12, 0, tzinfo=moscow))
        assert is_stuck(ENTERED, 1, datetime(2026, 11, 2, 12, 1, tzinfo=moscow))

    def test_stuck_after(self) -> None:
        assert stuck_after(ENTERED, 7) == datetime(2026, 11, 8, 9, 0, tzinfo=UTC)
