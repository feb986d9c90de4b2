"""The weighted pipeline forecast: deals in progress, grouped by manager and by the month or
quarter of their expected close date, each weighted by its stage's win probability
(domain/forecast.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_kit.actor import Actor
from crm_kit.validation import load
from services.deals.domain import forecast as forecast_rules
from services.deals.domain import status as status_rules
from services.deals.domain.money import ZERO
from services.deals.models import Deal
from services.deals.schemas import ForecastIn
from services.deals.usecases.lookup import DEALS, all_processes


def stage_probability(processes: dict, process_code: str, stage: str | None) -> int:
    """The win probability of a deal at ``stage``; 0 without a stage (a non-process deal adds
    its amount to the pipeline but nothing to the weighted forecast)."""
    process = processes.get(process_code)
    found = process.stage(stage) if process is not None and stage else None
    return found.probability if found is not None else 0


def forecast(session: Session, actor: Actor, query: Any) -> dict[str, Any]:
    """Rows ``{manager_id, period, deals, amount, weighted}`` ordered by manager and period, and
    ``total_weighted``. Deals without an expected close date fall in period ``None`` (and out
    of any date range). Refuses an unknown period and a range that ends before it starts."""
    data = load(ForecastIn(), query or {}, what="query")
    statement = select(
        Deal.manager_id, Deal.process_code, Deal.stage, Deal.expected_close_date,
        func.count().label("deals"), func.coalesce(func.sum(Deal.amount), 0).label("amount"),
    ).where(Deal.status == status_rules.IN_PROGRESS, DEALS.visible(actor))
    if data["date_from"]:
        statement = statement.where(Deal.expected_close_date >= data["date_from"])
    if data["date_to"]:
        statement = statement.where(Deal.expected_close_date <= data["date_to"])
    if data["manager_id"]:
        statement = statement.where(Deal.manager_id == data["manager_id"])
    statement = statement.group_by(Deal.manager_id, Deal.process_code, Deal.stage, Deal.expected_close_date)

    processes = all_processes(session)
    rows: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for row in session.execute(statement):
        period = forecast_rules.period_key(row.expected_close_date, data["period"]) if row.expected_close_date else None
        amount = Decimal(row.amount)
        bucket = rows.setdefault((row.manager_id, period), {"deals": 0, "amount": ZERO, "weighted": ZERO})
        bucket["deals"] += row.deals
        bucket["amount"] += amount
        bucket["weighted"] += forecast_rules.weighted(amount, stage_probability(processes, row.process_code, row.stage))
    ordered = sorted(rows.items(), key=lambda item: (item[0][0] or "", item[0][1] or "9999"))
    total = sum((bucket["weighted"] for _, bucket in ordered), ZERO)
    return {
        "rows": [
            {
                "manager_id": manager_id,
                "period": period,
                "deals": bucket["deals"],
                "amount": str(bucket["amount"]),
                "weighted": str(bucket["weighted"]),
            }
            for (manager_id, period), bucket in ordered
        ],
        "total_weighted": str(total),
        "period": data["period"],
    }
