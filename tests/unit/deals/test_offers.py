"""Commercial offers: status transitions and expiry."""

from __future__ import annotations

from datetime import date

import pytest

from crm_kit.errors import PreconditionFailed, ValidationError
from services.deals.domain.offers import (
    ACCEPTED,
    DRAFT,
    EXPIRED,
    REJECTED,
    SENT,
    STATUSES,
    check_offer_transition,
    is_expired,
)

TODAY = date(2026, 11, 20)
YESTERDAY = date(2026, 11, 19)


def test_statuses() -> None:
    assert STATUSES == ("draft", "sent", "accepted", "rejected", "expired")


@pytest.mark.parametrize(
    ("current", "target", "valid_until"),
    [
        (DRAFT, SENT, None),
        (DRAFT, SENT, TODAY),
        (SENT, ACCEPTED, None),
        (SENT, ACCEPTED, TODAY),  # the last valid day is included
        (SENT, REJECTED, TODAY),
        (SENT, REJECTED, YESTERDAY),  # a late refusal is still recorded
        (SENT, EXPIRED, YESTERDAY),
    ],
)
def test_allowed(current: str, target: str, valid_until: date | None) -> None:
    check_offer_transition(current, target, valid_until, TODAY)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (DRAFT, ACCEPTED),
        (DRAFT, REJECTED),
        (DRAFT, DRAFT),
        (SENT, SENT),
        (SENT, DRAFT),
        (ACCEPTED, REJECTED),
        (ACCEPTED, SENT),
        (REJECTED, ACCEPTED),
        (EXPIRED, ACCEPTED),
    ],
)
def test_refused(current: str, target: str) -> None:
    with pytest.raises(PreconditionFailed) as excinfo:
        check_offer_transition(current, target, None, TODAY)
    assert excinfo.value.details == {"status": current, "target": target}


def test_accepting_after_expiry_refused() -> None:
    with pytest.raises(PreconditionFailed) as excinfo:
        check_offer_transition(SENT, ACCEPTED, YESTERDAY, TODAY)
    assert excinfo.value.message == "the offer expired on 2026-11-19"
    assert excinfo.value.details == {"status": SENT, "target": ACCEPTED, "valid_until": "2026-11-19"}


def test_sending_an_expired_offer_refused() -> None:
    with pytest.raises(PreconditionFailed) as excinfo:
        check_offer_transition(DRAFT, SENT, YESTERDAY, TODAY)
    assert "expired on 2026-11-19" in excinfo.value.message


@pytest.mark.parametrize("valid_until", [None, TODAY])
def test_expiring_a_valid_offer_refused(valid_until: date | None) -> None:
    with pytest.raises(PreconditionFailed):
        check_offer_transition(SENT, EXPIRED, valid_until, TODAY)


def test_unknown_status() -> None:
    with pytest.raises(ValidationError) as excinfo:
        check_offer_transition(SENT, "signed", None, TODAY)
    assert list(excinfo.value.details) == ["status"]


def test_is_expired() -> None:
    assert not is_expired(None, TODAY)
    assert not is_expired(TODAY, TODAY)
    assert is_expired(YESTERDAY, TODAY)
