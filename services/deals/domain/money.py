"""Money in deals: amounts in kopecks precision, offer lines and totals, invoice balances.

Every amount is a :class:`decimal.Decimal` quantized to 0.01, rounded half up (commercial
rounding, as accounting does it). Floats are read through their shortest text (0.1 is "0.1",
not its binary approximation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from crm_kit.errors import ValidationError

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")
_HUNDRED: Final = Decimal(100)
# The database keeps amounts as Numeric(18, 2): 16 digits before the point.
MAX_AMOUNT: Final = Decimal(10) ** 16 - CENT

ISSUED: Final = "issued"
PARTIALLY_PAID: Final = "partially_paid"
PAID: Final = "paid"
CANCELLED: Final = "cancelled"
INVOICE_STATUSES: Final = (ISSUED, PARTIALLY_PAID, PAID, CANCELLED)
UNPAID_STATUSES: Final = (ISSUED, PARTIALLY_PAID)


def _number(value: object, field: str) -> Decimal:
    """``value`` as a finite Decimal, unrounded."""
    if isinstance(value, bool) or value is None:
        raise ValidationError.for_field(field, "must be a number")
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float | str):
            number = Decimal(str(value).strip())
        else:
            raise ValidationError.for_field(field, "must be a number")
    except InvalidOperation:
        raise ValidationError.for_field(field, f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValidationError.for_field(field, "must be a finite number")
    return number


def money(value: object, field: str = "amount", *, allow_negative: bool = False, allow_zero: bool = True) -> Decimal:
    """``value`` (Decimal, int, float or numeric text) as an amount quantized to 0.01, half up.

    Refuses, with ``ValidationError`` on ``field``: anything but a number (``None``, booleans,
    text that is no number), NaN and infinities, amounts of 10^16 or more in size (they do not
    fit the database), negatives unless ``allow_negative``, and zero (after rounding) when not
    ``allow_zero``.
    """
    number = _number(value, field)
    if abs(number) > MAX_AMOUNT:
        raise ValidationError.for_field(field, f"must be below {MAX_AMOUNT + CENT:,.0f} in size")
    amount = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount < 0 and not allow_negative:
        raise ValidationError.for_field(field, "must not be negative")
    if amount == 0 and not allow_zero:
        raise ValidationError.for_field(field, "must be more than zero")
    return amount + 0  # "+ 0" turns -0.00 into 0.00


def _collect(errors: dict[str, list[str]], read: Callable[..., Decimal], *args: Any, **kwargs: Any) -> Decimal | None:
    """``read(*args, **kwargs)``, or ``None`` with its refusal's fields added to ``errors``."""
    try:
        return read(*args, **kwargs)
    except ValidationError as exc:
        for name, messages in exc.details.items():
            errors.setdefault(name, []).extend(messages)
        return None


def offer_line_amount(quantity: object, price: object, discount_percent: object = 0, *, field_prefix: str = "") -> Decimal:
    """The amount of one offer line: ``quantity`` × ``price`` less ``discount_percent``, rounded
    to 0.01 once, at the end. ``discount_percent`` of ``None`` is no discount.

    Refuses, with one ``ValidationError`` listing every field (``field_prefix`` + ``quantity``,
    ``price``, ``discount_percent``, ``amount``): a quantity that is not more than zero (it may
    be fractional: 2.5 kg), a negative price, a discount outside 0..100 (a markup is a higher
    price, not a negative discount), and an amount too large to store.
    """
    errors: dict[str, list[str]] = {}
    qty = _collect(errors, _number, quantity, f"{field_prefix}quantity")
    if qty is not None and qty <= 0:
        errors.setdefault(f"{field_prefix}quantity", []).append("must be more than zero")
    unit_price = _collect(errors, money, price, f"{field_prefix}price")
    discount = ZERO
    if discount_percent is not None:
        discount = _collect(errors, _number, discount_percent, f"{field_prefix}discount_percent")
        if discount is not None and not 0 <= discount <= _HUNDRED:
            errors.setdefault(f"{field_prefix}discount_percent", []).append("must be a percentage from 0 to 100")
    if errors:
        raise ValidationError(f"invalid offer line: {', '.join(sorted(errors))}", errors)
    # Price was rounded to kopecks as entered; the line is rounded once more, after the discount.
    raw = unit_price * qty * (_HUNDRED - discount) / _HUNDRED
    return money(raw, f"{field_prefix}amount")


def offer_total(lines: Iterable[Mapping[str, object] | Decimal]) -> Decimal:
    """The total of an offer: the sum of its lines' amounts.

    A line is either a mapping with ``quantity``, ``price`` and optionally
    ``discount_percent`` (its amount is computed by :func:`offer_line_amount`) or an amount
    already computed. Refuses an offer without lines (field ``lines``) and bad lines, every one
    at once, with fields ``lines.<index>.<field>``.
    """
    errors: dict[str, list[str]] = {}
    amounts: list[Decimal] = []
    count = 0
    for index, line in enumerate(lines):
        count += 1
        prefix = f"lines.{index}."
        if isinstance(line, Mapping):
            amount = _collect(
                errors,
                offer_line_amount,
                line.get("quantity"),
                line.get("price"),
                line.get("discount_percent"),
                field_prefix=prefix,
            )
        else:
            amount = _collect(errors, money, line, prefix + "amount")
        if amount is not None:
            amounts.append(amount)
    if not count:
        errors["lines"] = ["an offer has at least one line"]
    if errors:
        raise ValidationError(f"invalid offer: {', '.join(sorted(errors))}", errors)
    return money(sum(amounts, ZERO), "total")


def invoice_balance(amount: Decimal, payments: Iterable[Decimal]) -> Decimal:
    """What is still owed on an invoice of ``amount`` after ``payments``, to 0.01.

    Not clamped at zero: :func:`check_payment` keeps payments from exceeding the amount, so a
    negative balance would show an overpayment that got in some other way, not hide it.
    """
    return money(amount) - money(sum((money(payment, "payments") for payment in payments), ZERO), "payments")


def invoice_state(amount: Decimal, paid: Decimal) -> str:
    """``"issued"`` while nothing is paid, ``"partially_paid"`` while something is owed,
    ``"paid"`` once ``paid`` covers ``amount``. (``"cancelled"`` is set by hand, never derived.)"""
    if paid >= amount:
        return PAID
    if paid <= 0:
        return ISSUED
    return PARTIALLY_PAID


def check_payment(amount: Decimal, paid_so_far: Decimal, new_payment: object) -> None:
    """Refuses, with ``ValidationError`` on field ``amount``, a payment that is not a positive
    amount or that would take the paid sum past the invoice ``amount`` (an overpayment: the
    message gives the balance still owed, so the sender can split or return the excess)."""
    payment = money(new_payment, "amount", allow_zero=False)
    balance = money(amount) - money(paid_so_far, "paid")
    if payment > balance:
        if balance <= 0:
            message = f"the invoice is paid in full; a payment of {payment} would overpay it"
        else:
            message = f"a payment of {payment} exceeds the balance owed of {balance}"
        raise ValidationError.for_field("amount", message)
