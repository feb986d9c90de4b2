"""Reading deals as the actor may (the row-level guard of deals on their manager, region and
department, crm_kit.access), what hangs off a deal, and the sales processes deals follow."""

from __future__ import annotations

import weakref

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_kit.access import RowAccess
from crm_kit.actor import Actor
from crm_kit.errors import NotFound, PreconditionFailed
from services.deals.domain import status as status_rules
from services.deals.domain.process import SalesProcess
from services.deals.models import Deal, Invoice, Offer, SalesProcessRecord, Task

DEALS = RowAccess(Deal, "deal", owner=Deal.manager_id, region=Deal.region, department=Deal.department)


def require_open(deal: Deal, what: str) -> None:
    """Refuses ``what`` on a won or lost deal: a closed deal's terms and offers are history."""
    if deal.status in status_rules.FINAL_STATUSES:
        raise PreconditionFailed(
            f"deal {deal.id} is {deal.status}: cannot {what}",
            {"status": deal.status, "deal_id": deal.id},
        )


def offer_for_change(session: Session, actor: Actor, offer_id: str) -> tuple[Offer, Deal]:
    offer = session.get(Offer, offer_id, with_for_update=True)
    if offer is None:
        raise NotFound(f"offer {offer_id} not found", {"offer_id": offer_id})
    try:
        deal = DEALS.for_change(session, actor, offer.deal_id)
    except NotFound:
        raise NotFound(f"offer {offer_id} not found", {"offer_id": offer_id}) from None
    return offer, deal


def task_for_change(session: Session, actor: Actor, task_id: str) -> tuple[Task, Deal]:
    task = session.get(Task, task_id, with_for_update=True)
    if task is None:
        raise NotFound(f"task {task_id} not found", {"task_id": task_id})
    try:
        deal = DEALS.for_change(session, actor, task.deal_id, lock=False)
    except NotFound:
        raise NotFound(f"task {task_id} not found", {"task_id": task_id}) from None
    return task, deal


def invoice_for_change(session: Session, actor: Actor, invoice_id: str) -> tuple[Invoice, Deal]:
    invoice = session.get(Invoice, invoice_id, with_for_update=True, populate_existing=True)
    if invoice is None:
        raise NotFound(f"invoice {invoice_id} not found", {"invoice_id": invoice_id})
    try:
        deal = DEALS.for_change(session, actor, invoice.deal_id, lock=False)
    except NotFound:
        raise NotFound(f"invoice {invoice_id} not found", {"invoice_id": invoice_id}) from None
    return invoice, deal


# --- sales processes ----------------------------------------------------------------------

# A process never changes once defined (there is no update), so a process keeps what it read,
# per database; a process defined on another replica is read on first use.
_PROCESSES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cache(session: Session) -> dict[str, SalesProcess]:
    return _PROCESSES.setdefault(session.get_bind(), {})


def to_process(record: SalesProcessRecord) -> SalesProcess:
    return SalesProcess.from_dict(
        {"code": record.code, "name": record.name, "mode": record.mode, "stages": record.stages or []}
    )


def find_process(session: Session, code: str | None) -> SalesProcess | None:
    """The process ``code``, ``None`` when there is none."""
    if code is None:
        return None
    cache = _cache(session)
    process = cache.get(code)
    if process is None:
        record = session.get(SalesProcessRecord, code)
        if record is None:
            return None
        process = cache[code] = to_process(record)
    return process


def process_of(session: Session, deal: Deal) -> SalesProcess:
    """The process ``deal`` follows (it exists: the deal's foreign key says so)."""
    process = find_process(session, deal.process_code)
    if process is None:  # pragma: no cover - the foreign key keeps this from happening
        raise PreconditionFailed(f"deal {deal.id} follows an unknown process {deal.process_code}",
                                 {"process_code": deal.process_code})
    return process


def all_processes(session: Session) -> dict[str, SalesProcess]:
    """Every process, by code."""
    cache = _cache(session)
    for record in session.scalars(select(SalesProcessRecord)):
        if record.code not in cache:
            cache[record.code] = to_process(record)
    return dict(cache)
