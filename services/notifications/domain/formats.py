"""How letters write money, dates and counted words for their readers (Babel, Russian by default).

The template filters: ``{{ balance | money(currency) }}`` → «100 000,00 ₽»,
``{{ due_date | date }}`` → «4 декабря 2026 г.», ``{{ remind_at | datetime }}`` in the service's
time zone, ``{{ days | plural("день", "дня", "дней") }}`` → the form CLDR's plural rule picks for
the number (one / few / many).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

LOCALE = "ru_RU"
TIME_ZONE = "Europe/Moscow"


def money(amount: Any, currency: str | None = None, locale: str = LOCALE) -> str:
    """An amount with its currency as the reader's locale writes it; text amounts ("1500.00",
    as they travel) are read exactly."""
    value = _decimal(amount)
    if currency:
        return format_currency(value, currency, locale=locale)
    return format_decimal(value, format="#,##0.00", locale=locale)


def long_date(value: Any, locale: str = LOCALE) -> str:
    """A date (or the date of a time) in words: «4 декабря 2026 г.»."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="long", locale=locale)


def local_datetime(value: Any, locale: str = LOCALE, time_zone: str = TIME_ZONE) -> str:
    """A moment in the service's time zone: «4 дек. 2026 г., 13:30»."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, format="d MMM y г., HH:mm", tzinfo=ZoneInfo(time_zone), locale=locale)


def plural(count: Any, one: str, few: str, many: str | None = None, locale: str = LOCALE) -> str:
    """The form of a counted word the locale's plural rule asks for ``count``: in Russian
    1 день, 2 дня, 5 дней, 21 день, 1,5 дня."""
    form = Locale.parse(locale).plural_form(_decimal(count))
    if form == "one":
        return one
    if form == "few":
        return few
    if form == "many":
        return many if many is not None else few
    return few  # "other": fractions (1,5 дня)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


FILTERS = {"money": money, "date": long_date, "datetime": local_datetime, "plural": plural}
