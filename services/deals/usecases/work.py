"""The work inside a deal: its plan of tasks, links to external documents, and the supplier
orders raised for it. A deal without stages (mode none) is tracked by exactly these."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from contracts import deals as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.paging import decode_cursor, encode_cursor
from crm_kit.validation import load
from services.deals.models import Deal, Document, SupplierOrder, Task
from services.deals.schemas import DocumentIn, SupplierOrderIn, TaskFilters, TaskIn
from services.deals.usecases.about import about_deal
from services.deals.usecases.lookup import DEALS, task_for_change
from services.deals.usecases.references import visible_partner
from services.deals.views import document_view, supplier_order_view, task_view

WORK, REMINDER = "work", "reminder"


def task_added_event(deal: Any, task: Task) -> dict[str, Any]:
    """task_added's data; ``deal`` a Deal or a row with its columns (the stuck scan's)."""
    return {
        **about_deal(deal),
        "task_id": task.id,
        "title": task.title,
        "due_date": task.due_date.isoformat(),
        "responsible_id": task.responsible_id,
        "kind": task.kind,
    }


def add_task(uow: UnitOfWork, actor: Actor, deal_id: str, payload: Any) -> dict[str, Any]:
    """Put a task on the deal's plan; the responsible defaults to the deal's manager. Allowed on
    closed deals too (the follow-up after a win is work as well)."""
    data = load(TaskIn(), payload, what="task")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id, lock=False)
    task = Task(
        deal_id=deal.id,
        title=data["title"].strip(),
        due_date=data["due_date"],
        responsible_id=data["responsible_id"] or deal.manager_id or actor.user_id,
        kind=data["kind"],
        created_by=actor.user_id,
    )
    deal.tasks.append(task)
    session.flush()
    uow.emit(events.TASK_ADDED, task_added_event(deal, task))
    return task_view(task)


def complete_task(uow: UnitOfWork, actor: Actor, task_id: str) -> dict[str, Any]:
    """Mark a task done. Completing a done task again changes nothing and raises no event (a
    retried call is harmless)."""
    session = uow.session
    task, deal = task_for_change(session, actor, task_id)
    if task.done:
        return task_view(task)
    task.done = True
    task.done_at = utcnow()
    session.flush()
    uow.emit(events.TASK_COMPLETED, {
        **about_deal(deal),
        "task_id": task.id,
        "title": task.title,
        "responsible_id": task.responsible_id,
        "done_at": task_view(task)["done_at"],
    })
    return task_view(task)


def list_tasks(session: Session, actor: Actor, filters: Any, today: date | None = None) -> dict[str, Any]:
    """Tasks of the deals the actor may see, across deals, soonest due first (overdue ones
    lead): open ones unless ``include_done``; by ``responsible_id``, ``deal_id``, ``kind``;
    ``overdue_only`` for open tasks due before today. A head of sales sees the department's
    (row-level access on the deals). Keyset pages on (due date, id): ``next_cursor``."""
    data = load(TaskFilters(), filters or {}, what="filters")
    today = today or date.today()
    query = select(Task).where(Task.deal_id.in_(select(Deal.id).where(DEALS.visible(actor))))
    if not data["include_done"]:
        query = query.where(Task.done.is_(False))
    if data["overdue_only"]:
        query = query.where(Task.due_date < today)
    for name in ("responsible_id", "deal_id", "kind"):
        if data[name]:
            query = query.where(getattr(Task, name) == data[name])
    if data["cursor"]:
        due, task_id = decode_cursor(data["cursor"], date.fromisoformat, str)
        query = query.where(or_(Task.due_date > due, and_(Task.due_date == due, Task.id > task_id)))
    rows = session.scalars(query.order_by(Task.due_date, Task.id).limit(data["limit"] + 1)).all()
    items = rows[: data["limit"]]
    next_cursor = encode_cursor(items[-1].due_date.isoformat(), items[-1].id) if len(rows) > data["limit"] else None
    return {"items": [task_view(task) for task in items], "next_cursor": next_cursor}


def add_document(uow: UnitOfWork, actor: Actor, deal_id: str, payload: Any) -> dict[str, Any]:
    """Link an external document (order, contract, shipment, other) by number and/or URL."""
    data = load(DocumentIn(), payload, what="document")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id, lock=False)
    document = Document(
        deal_id=deal.id, kind=data["kind"], number=data["number"], date=data["date"], url=data["url"],
        created_by=actor.user_id,
    )
    deal.documents.append(document)
    session.flush()
    view = document_view(document)
    uow.emit(events.DOCUMENT_ADDED, {**about_deal(deal), "document": view})
    return view


def add_supplier_order(uow: UnitOfWork, actor: Actor, deal_id: str, payload: Any, *, partners: Any = None) -> dict[str, Any]:
    """Record a supplier order raised for the deal (a reference record; the supplier is a
    partner id). Refuses a supplier that does not exist or that the actor may not see
    (NotFound on ``supplier_id``, references.py)."""
    data = load(SupplierOrderIn(), payload, what="order")
    session = uow.session
    deal = DEALS.for_change(session, actor, deal_id, lock=False)
    visible_partner(session, actor, partners, data["supplier_id"], "supplier_id")
    order = SupplierOrder(
        deal_id=deal.id,
        supplier_id=data["supplier_id"],
        number=data["number"],
        amount=data["amount"],
        currency=data["currency"] or deal.currency,
        status=data["status"],
        created_by=actor.user_id,
    )
    deal.supplier_orders.append(order)
    session.flush()
    view = supplier_order_view(order)
    uow.emit(events.SUPPLIER_ORDER_ADDED, {**about_deal(deal), "supplier_id": order.supplier_id, "order": view})
    return view
