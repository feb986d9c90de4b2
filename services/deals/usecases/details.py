"""A deal's details: reading one with everything it holds, and changing its title, amount,
currency, expected close date or contact (``deal_updated``). Its stage, status, terms and
manager change through their own operations (stages.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contracts import deals as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import ValidationError
from crm_kit.validation import load
from services.deals.schemas import UPDATABLE, DealChanges
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import DEALS, process_of, require_open
from services.deals.usecases.reassignment import deal_with_assignments
from services.deals.usecases.references import visible_contact
from services.deals.views import deal_summary, deal_view


def get_deal(session: Session, actor: Actor, deal_id: str) -> dict[str, Any]:
    """The deal with everything it holds and who it was handed to (``assignments``); NotFound
    also when the actor may not see it."""
    return deal_with_assignments(session, DEALS.for_read(session, actor, deal_id))


def update_deal(uow: UnitOfWork, actor: Actor, deal_id: str, changes: Any, *, partners: Any = None) -> dict[str, Any]:
    """Change a deal's title, amount, currency, expected close date or contact. Refuses other
    fields (stage, status, terms and manager have their own methods), a closed deal, and a
    contact that does not exist, that the actor may not see (NotFound) or of another partner
    (ValidationError on ``contact_id``; references.py)."""
    if isinstance(changes, dict):
        others = sorted(set(changes) - set(UPDATABLE))
        if others:
            raise ValidationError(
                f"invalid changes: {', '.join(others)} cannot be changed here",
                {key: [f"update_deal changes only {', '.join(UPDATABLE)}"] for key in others},
            )
    data = load(DealChanges(), changes, what="changes", partial=True)
    if not data:
        raise ValidationError("no changes given", {"changes": ["give at least one field to change"]})
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id)
    require_open(deal, "change it")
    if data.get("contact_id") and data["contact_id"] != deal.contact_id:
        visible_contact(partners, data["contact_id"], deal.partner_id)
    changed = []
    for key in UPDATABLE:
        if key in data and data[key] != getattr(deal, key):
            setattr(deal, key, data[key].strip() if key == "title" else data[key])
            changed.append(key)
    if changed:
        deal.updated_at = utcnow()
    session.flush()
    process = process_of(session, deal)
    view = deal_view(deal, process)
    if changed:
        uow.emit(events.DEAL_UPDATED, {
            **about_deal(deal), "changed": changed, "amount": view["amount"], "currency": deal.currency,
            "deal": deal_summary(deal, process),
        })
    return view
