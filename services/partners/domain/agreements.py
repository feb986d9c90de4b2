"""Sales agreements with partners: statuses, their transitions and the commercial terms.

A standard agreement states terms for many partners; an individual agreement for one partner
starts from a standard one and overrides some of its terms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from crm_kit.errors import PreconditionFailed, ValidationError

DRAFT: Final = "draft"
APPROVED: Final = "approved"
EXPIRED: Final = "expired"
CANCELLED: Final = "cancelled"
STATUSES: Final = (DRAFT, APPROVED, EXPIRED, CANCELLED)

# Expired and cancelled are final: a renewed agreement is a new one, with its own history.
ALLOWED_TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    DRAFT: frozenset({APPROVED, CANCELLED}),
    APPROVED: frozenset({EXPIRED, CANCELLED}),
    EXPIRED: frozenset(),
    CANCELLED: frozenset(),
}

# The terms an individual agreement inherits from a standard one.
TERMS: Final = (
    "prepayment_share",
    "credit_days",
    "price_type",
    "delivery_terms",
    "discount_percent",
    "currency",
)

MAX_CREDIT_DAYS: Final = 365
_HUNDRED: Final = Decimal(100)
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_transition(current: str, target: str) -> None:
    """Refuses moving an agreement from ``current`` to ``target`` unless
    :data:`ALLOWED_TRANSITIONS` allows it (draft → approved | cancelled, approved → expired |
    cancelled), with ``PreconditionFailed`` whose details are ``{"status", "target"}``.

    Refuses a ``target`` that is no status at all with ``ValidationError`` (field ``status``).
    """
    if target not in ALLOWED_TRANSITIONS:
        raise ValidationError.for_field("status", f"must be one of: {', '.join(STATUSES)}")
    if target not in ALLOWED_TRANSITIONS.get(current, frozenset()):
        raise PreconditionFailed(
            f"an agreement in status {current!r} cannot become {target!r}",
            {"status": current, "target": target},
        )


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float | str):
        try:
            number = Decimal(str(value))  # str(): 0.1 is "0.1", not its binary approximation
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _prepayment_errors(value: object) -> list[str]:
    number = _as_decimal(value)
    if number is None:
        return ["must be a number"]
    if not 0 <= number <= _HUNDRED:
        return ["must be a percentage from 0 to 100"]
    return []


def _credit_days_errors(value: object) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int):
        return ["must be a whole number of days"]
    if not 0 <= value <= MAX_CREDIT_DAYS:
        return [f"must be from 0 to {MAX_CREDIT_DAYS} days"]
    return []


def _discount_errors(value: object) -> list[str]:
    number = _as_decimal(value)
    if number is None:
        return ["must be a number"]
    # Positive is a discount, negative a markup. 100 % off is a gift, not a price; -100 is
    # refused too, so a markup stays below double the price list.
    if not -_HUNDRED < number < _HUNDRED:
        return ["must be above -100 and below 100 (positive: discount, negative: markup)"]
    return []


_TERM_CHECKS: Final = {
    "prepayment_share": _prepayment_errors,
    "credit_days": _credit_days_errors,
    "discount_percent": _discount_errors,
}


def _raise_if(errors: dict[str, list[str]], message: str) -> None:
    if errors:
        raise ValidationError(f"{message}: {', '.join(sorted(errors))}", errors)


def check_terms(prepayment_share: Decimal, credit_days: int, discount_percent: Decimal) -> None:
    """Refuses terms out of range, every field at once:

    - ``prepayment_share``: the prepaid part of the price in percent, 0..100;
    - ``credit_days``: days of deferred payment, a whole number 0..365;
    - ``discount_percent``: positive a discount, negative a markup, strictly between -100 and
      100.
    """
    values = {
        "prepayment_share": prepayment_share,
        "credit_days": credit_days,
        "discount_percent": discount_percent,
    }
    errors = {
        name: problems for name, check in _TERM_CHECKS.items() if (problems := check(values[name]))
    }
    _raise_if(errors, "invalid agreement terms")


def derive_individual(standard: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The terms of an individual agreement: ``standard``'s :data:`TERMS` with ``overrides``
    applied (an override of ``None`` keeps the standard term). The currency is upper-cased.

    Refuses, with ``PreconditionFailed``, a standard agreement whose ``status`` (when given) is
    not approved: a draft may still change and an expired or cancelled one is not offered.
    Refuses, with ``ValidationError``, an override that is not a term (field
    ``overrides.<name>``) and merged terms out of range, as :func:`check_terms` does (terms
    missing from both are left ``None``).
    """
    status = standard.get("status")
    if status is not None and status != APPROVED:
        raise PreconditionFailed(
            f"an individual agreement derives from an approved standard one, not a {status} one",
            {"status": status, "required": APPROVED},
        )
    unknown = sorted(set(overrides) - set(TERMS))
    _raise_if(
        {f"overrides.{name}": ["not a term of an agreement"] for name in unknown}, "unknown terms"
    )

    terms = {name: standard.get(name) for name in TERMS}
    terms.update({name: value for name, value in overrides.items() if value is not None})

    errors = {
        name: problems
        for name, check in _TERM_CHECKS.items()
        if terms[name] is not None and (problems := check(terms[name]))
    }
    currency = terms["currency"]
    if currency is not None:
        currency = str(currency).strip().upper()
        if not _CURRENCY.fullmatch(currency):
            errors["currency"] = ["must be an ISO 4217 code of 3 letters, e.g. RUB"]
        terms["currency"] = currency
    _raise_if(errors, "invalid agreement terms")
    return terms


def is_in_force(status: str, valid_from: date | None, valid_to: date | None, on: date) -> bool:
    """Whether an agreement binds on day ``on``: approved, and ``on`` within
    ``valid_from``..``valid_to`` (both days included; a missing bound is open)."""
    if status != APPROVED:
        return False
    if valid_from is not None and on < valid_from:
        return False
    return valid_to is None or on <= valid_to
