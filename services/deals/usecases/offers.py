"""Commercial offers: lines with amounts computed by domain/money.py, a total, a validity, and
the status flow draft → sent → accepted | rejected (domain/offers.py). Accepting an offer makes
its total the deal's amount."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts import deals as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.validation import load
from services.deals.domain import money as money_rules
from services.deals.domain import offers as offer_rules
from services.deals.domain import terms as terms_rules
from services.deals.models import Offer, OfferLine
from services.deals.schemas import DocumentOptions, OfferIn, OfferStatusIn
from services.deals.usecases.about import about_deal
from services.deals.usecases.invoices import terms_override
from services.deals.usecases.lookup import DEALS, offer_for_change, require_open
from services.deals.usecases.stages import deal_terms
from services.deals.views import offer_view


def add_offer(uow: UnitOfWork, actor: Actor, deal_id: str, payload: Any, options: Any = None) -> dict[str, Any]:
    """Add a draft offer with its lines; each line's amount and the total are computed. Refuses
    an offer without lines, a quantity not above zero, a negative price, a discount outside
    0..100 (ValidationError naming ``lines.<i>.<field>``), a closed deal, and a line discount
    above the deal's agreement's (PreconditionFailed with ``rule`` "discount_percent" and the
    ``lines``) unless a head of sales or an admin gives ``options.override_reason`` (recorded
    as the offer's ``terms_override``)."""
    data = load(OfferIn(), payload, what="offer")
    opts = load(DocumentOptions(), options or {}, what="options")
    total = money_rules.offer_total(data["lines"])  # refuses every bad line at once
    amounts = [
        money_rules.offer_line_amount(line["quantity"], line["price"], line["discount_percent"])
        for line in data["lines"]
    ]
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    require_open(deal, "add an offer")
    breaches = terms_rules.offer_breaches(deal_terms(deal), [line["discount_percent"] for line in data["lines"]])
    override = terms_override(actor, breaches, deal.agreement_id, opts["override_reason"])
    offer = Offer(
        deal_id=deal.id,
        status=offer_rules.DRAFT,
        valid_until=data["valid_until"],
        total=total,
        currency=data["currency"] or deal.currency,
        terms_override=override,
        created_by=actor.user_id,
    )
    offer.lines = [
        OfferLine(
            position=i,
            product=line["product"].strip(),
            quantity=line["quantity"],
            unit=line["unit"],
            price=line["price"],
            discount_percent=line["discount_percent"] if line["discount_percent"] is not None else 0,
            amount=amount,
        )
        for i, (line, amount) in enumerate(zip(data["lines"], amounts, strict=True))
    ]
    deal.offers.append(offer)
    session.flush()
    return offer_view(offer, deal.partner_id)


def set_offer_status(uow: UnitOfWork, actor: Actor, offer_id: str, payload: Any, today: date | None = None) -> dict[str, Any]:
    """Send, accept or reject an offer. Accepting sets the deal's amount (and currency) to the
    offer's. Refuses a change the flow does not allow and sending or accepting after
    ``valid_until`` (PreconditionFailed), and offers of closed deals."""
    data = load(OfferStatusIn(), payload, what="change")
    session = uow.session
    offer, deal = offer_for_change(session, actor, offer_id)
    require_open(deal, "change its offers")
    target = data["status"]
    offer_rules.check_offer_transition(offer.status, target, offer.valid_until, today or date.today())
    now = utcnow()
    offer.status = target
    if target == offer_rules.SENT:
        offer.sent_at = now
    else:
        offer.decided_at = now
    if target == offer_rules.ACCEPTED:
        deal.amount = offer.total
        deal.currency = offer.currency
        deal.updated_at = now
    session.flush()
    view = offer_view(offer, deal.partner_id)
    uow.emit(events.OFFER_EVENTS[target], {
        **about_deal(deal),
        "offer_id": offer.id,
        "total": view["total"],
        "currency": offer.currency,
        "valid_until": view["valid_until"],
        "offer": view,
    })
    return view
