"""What every deals event says about its deal (contracts.deals.AboutDeal)."""

from __future__ import annotations

from typing import Any


def about_deal(deal: Any) -> dict[str, Any]:
    """The deal's id and partner with the dimensions reports group by, from a Deal (or a row
    with the same columns)."""
    return {
        "deal_id": str(deal.id),
        "partner_id": str(deal.partner_id),
        "manager_id": deal.manager_id,
        "process_code": deal.process_code,
        "region": deal.region,
        "department": deal.department,
    }
