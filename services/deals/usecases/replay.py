"""What the deals service replays to a consumer that starts late (crm_kit.replay): every deal
with its stage history and its invoices with their payments, in the shape of its events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, noload, selectinload

from crm_kit.replay import SnapshotReader, after_key
from services.deals.models import Deal
from services.deals.schemas import deal_summary, invoice_view, money_text, stage_stay_view
from services.deals.usecases.lookup import all_processes

DEAL_SNAPSHOT = "deal_snapshot"


def deal_snapshot(deal: Deal, processes: dict, today: date) -> dict[str, Any]:
    return {
        "deal_id": deal.id, "partner_id": deal.partner_id, "manager_id": deal.manager_id,
        "process_code": deal.process_code, "region": deal.region, "department": deal.department,
        "amount": money_text(deal.amount), "currency": deal.currency,
        "deal": deal_summary(deal, processes.get(deal.process_code)),
        "stages": [stage_stay_view(stay) for stay in deal.history],
        "invoices": [invoice_view(invoice, today) for invoice in deal.invoices],
    }


def deal_pages(session: Session, page_size: int) -> Iterator[list[dict[str, Any]]]:
    processes = all_processes(session)
    today = date.today()
    after: str | None = None
    query = select(Deal).options(
        selectinload(Deal.history), selectinload(Deal.invoices),
        noload(Deal.offers), noload(Deal.tasks), noload(Deal.documents), noload(Deal.supplier_orders),
    )
    while True:
        deals = session.scalars(after_key(query, Deal, after).limit(page_size)).all()
        if not deals:
            return
        yield [deal_snapshot(deal, processes, today) for deal in deals]
        after = deals[-1].id
        session.expunge_all()


READERS = (SnapshotReader(DEAL_SNAPSHOT, deal_pages),)
