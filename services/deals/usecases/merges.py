"""Two partners became one (``partners_merged``): what named the merged partner here now names the
survivor."""

from __future__ import annotations

from typing import Any

from crm_kit.db import UnitOfWork
from crm_kit.merges import repoint_references
from services.deals.models import Deal, Invoice, SupplierOrder


def partners_merged(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """Re-point everything that named the merged partner to the survivor: deals (as partner and
    as the competitor that won), invoices, supplier orders. Applied once per event (inbox)."""
    survivor_id, merged_id = event["data"]["survivor_id"], event["data"]["merged_id"]  # read through the contract
    return repoint_references(uow.session, merged_id, survivor_id, {
        "deals": Deal.partner_id,
        "lost_to": Deal.competitor_id,
        "invoices": Invoice.partner_id,
        "supplier_orders": SupplierOrder.supplier_id,
    })
