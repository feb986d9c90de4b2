"""Money: rounding and validation of amounts, offer lines and totals, invoices and payments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm_kit.errors import ValidationError
from services.deals.domain.money import (
    ISSUED,
    PAID,
    PARTIALLY_PAID,
    check_payment,
    invoice_balance,
    invoice_state,
    money,
    offer_line_amount,
    offer_total,
)

D = Decimal


class TestMoney:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (D("10"), "10.00"),
            (10, "10.00"),
            ("1234.5", "1234.50"),
            (" 7.1 ", "7.10"),
            (0.1, "0.10"),
            (D("2.675"), "2.68"),  # half up, not banker's rounding
            (2.675, "2.68"),  # the float's shortest text, not its binary value 2.67499...
            (D("0.005"), "0.01"),
            (D("0.004"), "0.00"),
            (D("9999999999999999.99"), "9999999999999999.99"),
        ],
    )
    def test_quantized_to_cents(self, value: object, expected: str) -> None:
        result = money(value)
        assert isinstance(result, Decimal)
        assert str(result) == expected

    @pytest.mark.parametrize(
        "value",
        [None, True, "abc", "", [1], D("NaN"), D("sNaN"), D("Infinity"), float("inf"), float("nan"), D("1e16"), D("1e40")],
    )
    def test_refused(self, value: object) -> None:
        with pytest.raises(ValidationError) as excinfo:
            money(value, "price")
        assert list(excinfo.value.details) == ["price"]

    def test_negative_refused_unless_allowed(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            money("-0.01", "total")
        assert list(excinfo.value.details) == ["total"]
        assert money("-12.345", allow_negative=True) == D("-12.35")

    def test_negative_rounding_to_zero_is_zero(self) -> None:
        assert str(money("-0.001")) == "0.00"

    def test_zero_refused_when_asked(self) -> None:
        assert money(0) == D("0.00")
        with pytest.raises(ValidationError):
            money("0.001", allow_zero=False)


class TestOfferLines:
    def test_amount(self) -> None:
        assert offer_line_amount(D(3), D("100.00"), D(0)) == D("300.00")
        assert offer_line_amount(D("2.5"), D("99.99"), D(10)) == D("224.98")  # 224.9775
        assert offer_line_amount(1, "10", None) == D("10.00")
        assert offer_line_amount(D("0.333"), D("1.00"), D("100")) == D("0.00")

    def test_rounded_once_at_the_end(self) -> None:
        # 3 × 0.333… would lose a kopeck if every step were rounded.
        assert offer_line_amount(D(3), D("33.33"), D("0.5")) == D("99.49")  # 99.49005

    def test_every_bad_field_at_once(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            offer_line_amount(D(0), D("-1"), D(101))
        assert set(excinfo.value.details) == {"quantity", "price", "discount_percent"}

    @pytest.mark.parametrize("discount", [D(-5), D("100.01"), "x", D("NaN")])
    def test_discount_range(self, discount: object) -> None:
        with pytest.raises(ValidationError) as excinfo:
            offer_line_amount(D(1), D(1), discount)
        assert list(excinfo.value.details) == ["discount_percent"]

    def test_amount_too_large(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            offer_line_amount(D("1e10"), D("1e10"), D(0))
        assert list(excinfo.value.details) == ["amount"]

    def test_total_of_lines(self) -> None:
        lines = [
            {"product": "Pump", "quantity": D(2), "price": D("1500.00"), "discount_percent": D(10)},
            {"product": "Hose", "quantity": D("12.5"), "price": D("40.10")},
        ]
        assert offer_total(lines) == D("3201.25")  # 2700.00 + 501.25

    def test_total_of_amounts(self) -> None:
        assert offer_total([D("10.10"), D("0.01"), 5]) == D("15.11")

    def test_total_names_bad_lines(self) -> None:
        lines = [
            {"quantity": D(1), "price": D(1)},
            {"quantity": D(-1), "price": D(1)},
            {"price": "x"},
        ]
        with pytest.raises(ValidationError) as excinfo:
            offer_total(lines)
        assert set(excinfo.value.details) == {"lines.1.quantity", "lines.2.quantity", "lines.2.price"}

    def test_total_needs_a_line(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            offer_total([])
        assert list(excinfo.value.details) == ["lines"]


class TestInvoices:
    def test_balance(self) -> None:
        assert invoice_balance(D("1000.00"), []) == D("1000.00")
        assert invoice_balance(D("1000.00"), [D("300.00"), D("200.50")]) == D("499.50")
        assert invoice_balance(D("1000.00"), [D("1000.00")]) == D("0.00")

    def test_balance_shows_an_overpayment(self) -> None:
        assert invoice_balance(D("100.00"), [D("60"), D("60")]) == D("-20.00")

    @pytest.mark.parametrize(
        ("paid", "state"),
        [(D("0"), ISSUED), (D("0.01"), PARTIALLY_PAID), (D("999.99"), PARTIALLY_PAID), (D("1000"), PAID), (D("1000.01"), PAID)],
    )
    def test_state(self, paid: Decimal, state: str) -> None:
        assert invoice_state(D("1000.00"), paid) == state

    def test_payments_up_to_the_amount(self) -> None:
        check_payment(D("1000.00"), D("0"), D("400.00"))
        check_payment(D("1000.00"), D("400.00"), D("600.00"))
        check_payment(D("1000.00"), D("400.00"), "600")

    def test_overpayment_refused_naming_the_balance(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_payment(D("1000.00"), D("400.00"), D("600.01"))
        assert list(excinfo.value.details) == ["amount"]
        assert "600.00" in excinfo.value.details["amount"][0]

    def test_payment_on_a_paid_invoice_refused(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_payment(D("1000.00"), D("1000.00"), D("0.01"))
        assert "paid in full" in excinfo.value.details["amount"][0]

    @pytest.mark.parametrize("payment", [D(0), D("-5"), D("NaN"), None, "x"])
    def test_payment_must_be_a_positive_amount(self, payment: object) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_payment(D("1000.00"), D("0"), payment)
        assert list(excinfo.value.details) == ["amount"]
