"""What every partners event says about its partner (contracts.partners.AboutPartner)."""

from __future__ import annotations

from typing import Any


def about_partner(partner: Any) -> dict[str, Any]:
    """The partner's id with the dimensions reports group by, from a Partner (or a row with the
    same columns)."""
    return {
        "partner_id": partner.id,
        "manager_id": partner.manager_id,
        "region": partner.region,
        "department": partner.department,
        "segment": partner.segment,
    }
