"""Listing deals the actor may see: newest first, by partner, manager, status, stage, process and
words of the title, a page at a time (keyset cursor, crm_kit.paging)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from crm_kit.actor import Actor
from crm_kit.paging import newest_first_page
from crm_kit.validation import load
from services.deals.models import Deal
from services.deals.schemas import DealFilters
from services.deals.usecases.lookup import DEALS, all_processes
from services.deals.views import deal_summary


def list_deals(session: Session, actor: Actor, filters: Any) -> dict[str, Any]:
    """Deals the actor may see, newest first, filtered; ``next_cursor`` pages on."""
    data = load(DealFilters(), filters or {}, what="filters")
    # A summary needs none of a deal's collections: do not load them for a page of 500.
    query = select(Deal).options(lazyload("*")).where(DEALS.visible(actor))
    for key in ("partner_id", "manager_id", "status", "stage", "process_code"):
        if data[key]:
            query = query.where(getattr(Deal, key) == data[key])
    if data["text"] and data["text"].strip():
        query = query.where(Deal.title.ilike(f"%{data['text'].strip()}%"))
    items, next_cursor = newest_first_page(session, query, Deal, data["cursor"], data["limit"])
    processes = all_processes(session)
    return {"items": [deal_summary(d, processes.get(d.process_code)) for d in items], "next_cursor": next_cursor}
