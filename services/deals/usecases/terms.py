"""An agreement a deal chose is withdrawn (``agreement_expired``, ``agreement_cancelled`` from
partners): the open deals that chose it learn it, and their terms no longer count as chosen for
the moves still to make (a stage needing ``terms_chosen`` is refused until new terms are
chosen). Stages already entered stay; closed deals keep the terms they closed under."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from crm_kit.db import UnitOfWork, utcnow
from services.deals.domain import status as status_rules
from services.deals.models import Deal


def agreement_withdrawn(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """Mark the open deals that chose the agreement with its new status (expired or cancelled);
    applied once per event (inbox). Answers how many deals learned it."""
    data = event["data"]  # read through the contract
    result = uow.session.execute(
        update(Deal)
        .where(Deal.agreement_id == str(data["agreement_id"]), Deal.status.not_in(status_rules.FINAL_STATUSES))
        .values(agreement_status=data["status"], updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return {"deals": result.rowcount or 0}
