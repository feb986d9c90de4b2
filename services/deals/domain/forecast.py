"""The weighted pipeline forecast: a deal's amount weighted by its stage's win probability,
grouped by the period of its expected close date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from crm_kit.errors import ValidationError
from services.deals.domain.money import money

MONTH: Final = "month"
QUARTER: Final = "quarter"
PERIODS: Final = (MONTH, QUARTER)


def weighted(amount: Decimal, probability: int) -> Decimal:
    """``amount`` × ``probability`` % rounded to 0.01 (half up): what a deal adds to the
    weighted pipeline.

    Refuses an amount :func:`money` refuses (field ``amount``) and a probability that is not a
    whole number 0..100 (field ``probability``).
    """
    if isinstance(probability, bool) or not isinstance(probability, int) or not 0 <= probability <= 100:
        raise ValidationError.for_field("probability", "must be a whole number of percent from 0 to 100")
    return money(money(amount) * probability / 100)


def period_key(close_date: date, period: str) -> str:
    """The forecast period ``close_date`` falls in: ``"2026-11"`` by month, ``"2026-Q4"`` by
    quarter. Keys sort in time order as text.

    Refuses a period other than :data:`PERIODS` (field ``period``).
    """
    if period == MONTH:
        return f"{close_date.year:04d}-{close_date.month:02d}"
    if period == QUARTER:
        return f"{close_date.year:04d}-Q{(close_date.month - 1) // 3 + 1}"
    raise ValidationError.for_field("period", f"must be one of: {', '.join(PERIODS)}")
