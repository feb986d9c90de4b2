"""What the deals service replays to a consumer that starts late (crm_kit.replay): every deal
with its stage history and its invoices (contracts.deals.DEAL_SNAPSHOT)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, noload, selectinload

from contracts.deals import DEAL_SNAPSHOT
from crm_kit.replay import SnapshotReader, pages_by_id
from crm_kit.views import iso
from services.deals.domain import money as money_rules
from services.deals.models import Deal, Invoice
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import all_processes
from services.deals.views import deal_summary, money_text


def invoice_state(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice_id": invoice.id, "number": invoice.number, "amount": money_text(invoice.amount),
        "paid": money_text(invoice.paid),
        "balance": money_text(money_rules.invoice_balance(invoice.amount, [invoice.paid])),
        "currency": invoice.currency, "status": invoice.status,
        "issued_on": iso(invoice.issued_on), "due_date": iso(invoice.due_date),
    }


def deal_snapshot(deal: Deal, processes: dict) -> dict[str, Any]:
    return {
        **about_deal(deal), "status": deal.status, "stage": deal.stage,
        "amount": money_text(deal.amount), "currency": deal.currency,
        "deal": deal_summary(deal, processes.get(deal.process_code)),
        "stages": [{"stage": stay.stage, "entered_at": iso(stay.entered_at), "left_at": iso(stay.left_at)}
                   for stay in deal.history],
        "invoices": [invoice_state(invoice) for invoice in deal.invoices],
    }


def deal_pages(session: Session, page_size: int) -> Iterator[list[dict[str, Any]]]:
    processes = all_processes(session)
    query = select(Deal).options(
        selectinload(Deal.history), selectinload(Deal.invoices).noload(Invoice.payments),
        noload(Deal.offers), noload(Deal.tasks), noload(Deal.documents), noload(Deal.supplier_orders),
    )
    return pages_by_id(session, query, Deal, page_size, lambda deal: deal_snapshot(deal, processes))


READERS = (SnapshotReader(DEAL_SNAPSHOT, deal_pages),)
