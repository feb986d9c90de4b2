"""Sales terms enforced where documents are made: what the deal's agreement allows an invoice
and an offer, the prepayment it asks before shipment, and the override a head of sales may give.

The terms are the agreement's as chosen for the deal (an approved agreement's terms do not
change): ``credit_days`` (days of deferred payment: an invoice is due at most that many days
after it is issued), ``discount_percent`` (the largest discount an offer line may give) and
``prepayment_share`` (the percent of the deal amount paid before the deal reaches its shipment
stage).

A term of zero or none sets no limit on documents: partners stores a term not given as 0 (no
credit, no discount), which cannot be told from a 0 given on purpose, and reading it as "due on
the day of issue, no discount at all" would refuse the documents of every agreement made
without those terms. A markup agreement (discount below zero) likewise sets no discount limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from crm_kit.errors import PreconditionFailed
from services.deals.domain.money import ZERO, money

CREDIT_DAYS: Final = "credit_days"
DISCOUNT_PERCENT: Final = "discount_percent"
WITHDRAWN_STATUSES: Final = ("expired", "cancelled")
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True)
class Terms:
    """The terms of the agreement a deal chose (``None`` where the agreement sets none)."""

    agreement_id: str
    credit_days: int | None = None
    discount_percent: Decimal | None = None
    prepayment_share: Decimal | None = None


@dataclass(frozen=True)
class Breach:
    """One rule of the agreement a document breaks: the rule's name and what says so."""

    rule: str
    message: str
    details: dict[str, Any]


def terms_chosen(agreement_id: str | None, agreement_status: str | None) -> bool:
    """Whether a deal's terms count as chosen: an agreement was chosen and partners has not
    since said it expired or was cancelled."""
    return agreement_id is not None and agreement_status not in WITHDRAWN_STATUSES


def invoice_breaches(terms: Terms | None, issued_on: date, due_date: date) -> list[Breach]:
    """The rules an invoice issued on ``issued_on`` and due on ``due_date`` breaks: a due date
    later than the agreement's credit days allow."""
    if terms is None or not terms.credit_days:
        return []
    latest = issued_on + timedelta(days=terms.credit_days)
    if due_date <= latest:
        return []
    return [Breach(
        CREDIT_DAYS,
        f"the due date {due_date.isoformat()} is later than the agreement's {terms.credit_days} credit day(s)"
        f" allow (at the latest {latest.isoformat()})",
        {"credit_days": terms.credit_days, "latest_due_date": latest.isoformat(), "due_date": due_date.isoformat()},
    )]


def allowed_discount(terms: Terms | None) -> Decimal | None:
    """The largest discount an offer line may give under ``terms`` (``None``: no limit)."""
    if terms is None or terms.discount_percent is None or Decimal(terms.discount_percent) <= 0:
        return None
    return Decimal(terms.discount_percent)


def offer_breaches(terms: Terms | None, discounts: Sequence[Decimal | None]) -> list[Breach]:
    """The rules an offer whose lines give ``discounts`` breaks: a line discount above the
    agreement's (the details name the lines, ``lines.<i>.discount_percent``)."""
    allowed = allowed_discount(terms)
    if allowed is None:
        return []
    over = [i for i, discount in enumerate(discounts) if discount is not None and Decimal(discount) > allowed]
    if not over:
        return []
    return [Breach(
        DISCOUNT_PERCENT,
        f"line(s) {', '.join(str(i) for i in over)} give a discount above the agreement's {allowed}%",
        {"discount_percent": str(allowed), "lines": [f"lines.{i}.discount_percent" for i in over]},
    )]


def refuse_or_override(breaches: Iterable[Breach], agreement_id: str | None, override_reason: str | None,
                       who: str | None, at: str) -> dict[str, Any] | None:
    """What to record on the document: ``None`` when it keeps the terms, the override (``rules``,
    ``agreement_id``, ``by``, ``at``, ``reason``) when it breaks them and a head of sales or
    admin gave a reason.

    Refuses (``PreconditionFailed`` naming the rule, ``{"rule", "rules", "agreement_id", ...}``)
    a document that breaks the terms without an override reason; the caller refuses an override
    from someone who may not give one (PermissionDenied) before calling.
    """
    breaches = list(breaches)
    if not breaches:
        return None
    if not override_reason:
        first = breaches[0]
        raise PreconditionFailed(
            f"the deal's sales terms refuse this: {'; '.join(b.message for b in breaches)}"
            " (a head of sales or an admin may override with override_reason)",
            {"rule": first.rule, "rules": [b.rule for b in breaches], "agreement_id": agreement_id,
             **{key: value for b in breaches for key, value in b.details.items()}},
        )
    return {"rules": [b.rule for b in breaches], "agreement_id": agreement_id, "by": who, "at": at,
            "reason": override_reason}


def prepayment_required(amount: Decimal | None, share: Decimal | None) -> Decimal:
    """What must be paid before shipment: ``share`` percent of the deal ``amount``, to 0.01."""
    if not share or not amount or share <= 0:
        return ZERO
    return money(Decimal(amount) * Decimal(share) / _HUNDRED)


def prepayment_paid(amount: Decimal | None, share: Decimal | None, paid: Decimal) -> bool:
    """Whether ``paid`` (over the deal's invoices not cancelled) covers the prepayment."""
    return paid >= prepayment_required(amount, share)
