"""What every interactions event says about its interaction (contracts.interactions.AboutInteraction).

The region and department are the interaction's own: given when it was registered (a follow-up
keeps its origin's), for a call from the PBX those of the extension that took it.
"""

from __future__ import annotations

from typing import Any


def about_interaction(interaction: Any) -> dict[str, Any]:
    """From an Interaction (or anything with its columns as attributes)."""
    return {
        "interaction_id": interaction.id,
        "partner_id": interaction.partner_id,
        "responsible_id": interaction.responsible_id,
        "region": interaction.region,
        "department": interaction.department,
    }


def about_call(rec: dict[str, Any]) -> dict[str, Any]:
    """From a call's record as the PBX batch handles it (a dict of interactions columns)."""
    return {
        "interaction_id": rec["id"],
        "partner_id": rec["partner_id"],
        "responsible_id": rec["responsible_id"],
        "region": rec["region"],
        "department": rec["department"],
    }
