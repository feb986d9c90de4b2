"""The weighted forecast and its periods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crm_kit.errors import ValidationError
from services.deals.domain.forecast import period_key, weighted

D = Decimal


class TestWeighted:
    @pytest.mark.parametrize(
        ("amount", "probability", "expected"),
        [
            (D("1000.00"), 50, "500.00"),
            (D("1000.00"), 0, "0.00"),
            (D("1000.00"), 100, "1000.00"),
            (D("333.33"), 10, "33.33"),
            (D("0.05"), 10, "0.01"),  # 0.005 rounds half up
            (D("123.45"), 60, "74.07"),
        ],
    )
    def test_weighted(self, amount: Decimal, probability: int, expected: str) -> None:
        assert str(weighted(amount, probability)) == expected

    @pytest.mark.parametrize("probability", [-1, 101, 50.0, True, None])
    def test_probability_refused(self, probability: object) -> None:
        with pytest.raises(ValidationError) as excinfo:
            weighted(D(1), probability)
        assert list(excinfo.value.details) == ["probability"]

    def test_amount_refused(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            weighted(D("NaN"), 50)
        assert list(excinfo.value.details) == ["amount"]


class TestPeriodKey:
    @pytest.mark.parametrize(
        ("day", "month", "quarter"),
        [
            (date(2026, 11, 30), "2026-11", "2026-Q4"),
            (date(2026, 1, 1), "2026-01", "2026-Q1"),
            (date(2026, 3, 31), "2026-03", "2026-Q1"),
            (date(2026, 4, 1), "2026-04", "2026-Q2"),
            (date(2026, 9, 15), "2026-09", "2026-Q3"),
            (date(999, 10, 1), "0999-10", "0999-Q4"),
        ],
    )
    def test_keys(self, day: date, month: str, quarter: str) -> None:
        assert period_key(day, "month") == month
        assert period_key(day, "quarter") == quarter

    def test_keys_sort_in_time_order(self) -> None:
        days = [date(2025, 12, 31), date(2026, 2, 1), date(2026, 10, 5)]
        assert sorted(period_key(d, "month") for d in reversed(days)) == [period_key(d, "month") for d in days]

    def test_unknown_period(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            period_key(date(2026, 1, 1), "week")
        assert list(excinfo.value.details) == ["period"]
