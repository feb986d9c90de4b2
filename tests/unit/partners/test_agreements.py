"""Sales agreements: transitions, terms, individual agreements, validity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crm_kit.errors import PreconditionFailed, ValidationError
from services.partners.domain.agreements import (
    ALLOWED_TRANSITIONS,
    APPROVED,
    CANCELLED,
    DRAFT,
    EXPIRED,
    STATUSES,
    check_terms,
    check_transition,
    derive_individual,
    is_in_force,
)

STANDARD = {
    "status": APPROVED,
    "prepayment_share": Decimal(30),
    "credit_days": 14,
    "price_type": "wholesale",
    "delivery_terms": "pickup",
    "discount_percent": Decimal(0),
    "currency": "RUB",
    "name": "Standard wholesale",
}


class TestTransitions:
    @pytest.mark.parametrize(
        ("current", "target"),
        [(DRAFT, APPROVED), (DRAFT, CANCELLED), (APPROVED, EXPIRED), (APPROVED, CANCELLED)],
    )
    def test_allowed(self, current: str, target: str) -> None:
        check_transition(current, target)

    @pytest.mark.parametrize(
        ("current", "target"),
        [
            (DRAFT, EXPIRED),
            (DRAFT, DRAFT),
            (APPROVED, DRAFT),
            (APPROVED, APPROVED),
            (EXPIRED, APPROVED),
            (CANCELLED, APPROVED),
            (CANCELLED, DRAFT),
            ("weird", APPROVED),
        ],
    )
    def test_refused(self, current: str, target: str) -> None:
        with pytest.raises(PreconditionFailed) as excinfo:
            check_transition(current, target)
        assert excinfo.value.details == {"status": current, "target": target}

    def test_unknown_target_is_bad_input(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_transition(DRAFT, "signed")
        assert list(excinfo.value.details) == ["status"]

    def test_every_status_has_its_transitions(self) -> None:
        assert set(ALLOWED_TRANSITIONS) == set(STATUSES)


class TestTerms:
    @pytest.mark.parametrize(
        ("prepayment", "days", "discount"),
        [
            (Decimal(0), 0, Decimal(0)),
            (Decimal(100), 365, Decimal("99.99")),
            (Decimal("50.5"), 30, Decimal("-99.99")),
            (50, 30, -5),
        ],
    )
    def test_accepts_bounds(self, prepayment: Decimal, days: int, discount: Decimal) -> None:
        check_terms(prepayment, days, discount)

    @pytest.mark.parametrize(
        ("prepayment", "days", "discount", "field"),
        [
            (Decimal("-0.01"), 0, Decimal(0), "prepayment_share"),
            (Decimal("100.01"), 0, Decimal(0), "prepayment_share"),
            (Decimal("NaN"), 0, Decimal(0), "prepayment_share"),
            ("lots", 0, Decimal(0), "prepayment_share"),
            (Decimal(0), -1, Decimal(0), "credit_days"),
            (Decimal(0), 366, Decimal(0), "credit_days"),
            (Decimal(0), 1.5, Decimal(0), "credit_days"),
            (Decimal(0), True, Decimal(0), "credit_days"),
            (Decimal(0), 0, Decimal(-100), "discount_percent"),
            (Decimal(0), 0, Decimal(100), "discount_percent"),
            (Decimal(0), 0, Decimal("Infinity"), "discount_percent"),
            (Decimal(0), 0, None, "discount_percent"),
        ],
    )
    def test_refuses_out_of_range(self, prepayment: object, days: object, discount: object, field: str) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_terms(prepayment, days, discount)  # type: ignore[arg-type]
        assert list(excinfo.value.details) == [field]

    def test_reports_every_field(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            check_terms(Decimal(101), 400, Decimal(-100))
        assert set(excinfo.value.details) == {"prepayment_share", "credit_days", "discount_percent"}


class TestDeriveIndividual:
    def test_inherits_the_standard_terms_only(self) -> None:
        assert derive_individual(STANDARD, {}) == {
            "prepayment_share": Decimal(30),
            "credit_days": 14,
            "price_type": "wholesale",
            "delivery_terms": "pickup",
            "discount_percent": Decimal(0),
            "currency": "RUB",
        }

    def test_overrides_win_and_none_inherits(self) -> None:
        terms = derive_individual(STANDARD, {"credit_days": 30, "discount_percent": Decimal(5), "currency": None})
        assert terms["credit_days"] == 30
        assert terms["discount_percent"] == Decimal(5)
        assert terms["currency"] == "RUB"
        assert terms["prepayment_share"] == Decimal(30)

    def test_does_not_change_the_standard(self) -> None:
        standard = dict(STANDARD)
        derive_individual(standard, {"credit_days": 30})
        assert standard == STANDARD

    def test_currency_is_upper_cased(self) -> None:
        assert derive_individual(STANDARD, {"currency": "usd"})["currency"] == "USD"

    def test_refuses_unknown_overrides(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            derive_individual(STANDARD, {"credit_days": 30, "status": APPROVED})
        assert list(excinfo.value.details) == ["overrides.status"]

    def test_refuses_out_of_range_overrides(self) -> None:
        with pytest.raises(ValidationError) as excinfo:
            derive_individual(STANDARD, {"credit_days": 400, "currency": "рубли"})
        assert set(excinfo.value.details) == {"credit_days", "currency"}

    @pytest.mark.parametrize("status", [DRAFT, EXPIRED, CANCELLED])
    def test_refuses_a_standard_agreement_not_approved(self, status: str) -> None:
        with pytest.raises(PreconditionFailed):
            derive_individual({**STANDARD, "status": status}, {})

    def test_standard_without_status_or_some_terms(self) -> None:
        terms = derive_individual({"credit_days": 10}, {"discount_percent": 3})
        assert terms["credit_days"] == 10 and terms["discount_percent"] == 3 and terms["price_type"] is None


class TestInForce:
    on = date(2024, 6, 15)

    @pytest.mark.parametrize(
        ("valid_from", "valid_to"),
        [(None, None), (date(2024, 6, 15), None), (None, date(2024, 6, 15)), (date(2024, 1, 1), date(2024, 12, 31))],
    )
    def test_approved_within_dates(self, valid_from: date | None, valid_to: date | None) -> None:
        assert is_in_force(APPROVED, valid_from, valid_to, self.on)

    @pytest.mark.parametrize(
        ("valid_from", "valid_to"), [(date(2024, 6, 16), None), (None, date(2024, 6, 14))]
    )
    def test_not_within_dates(self, valid_from: date | None, valid_to: date | None) -> None:
        assert not is_in_force(APPROVED, valid_from, valid_to, self.on)

    @pytest.mark.parametrize("status", [DRAFT, EXPIRED, CANCELLED])
    def test_only_approved_agreements_bind(self, status: str) -> None:
        assert not is_in_force(status, None, None, self.on)
