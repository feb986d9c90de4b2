"""Listing deals the actor may see: newest first, by partner, manager, status, stage, process and
words of the title, a page at a time (keyset cursor, crm_kit.paging)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, lazyload

from crm_kit.actor import Actor
from crm_kit.paging import decode_cursor, encode_cursor
from crm_kit.validation import load
from crm_kit.views import iso
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
    if data["cursor"]:
        created_at, deal_id = decode_cursor(data["cursor"], datetime.fromisoformat, str)
        query = query.where(
            or_(Deal.created_at < created_at, and_(Deal.created_at == created_at, Deal.id < deal_id))
        )
    limit = data["limit"]
    rows = session.scalars(query.order_by(Deal.created_at.desc(), Deal.id.desc()).limit(limit + 1)).all()
    items = rows[:limit]
    processes = all_processes(session)
    return {
        "items": [deal_summary(d, processes.get(d.process_code)) for d in items],
        "next_cursor": encode_cursor(iso(items[-1].created_at), items[-1].id) if len(rows) > limit else None,
    }
