"""Two partners became one (``partners_merged``): what named the merged partner here now names the
survivor."""

from __future__ import annotations

from typing import Any

from crm_kit.db import UnitOfWork
from crm_kit.merges import repoint_references
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import CallLead, FollowedDeal, Interaction, Participant, Task
from services.interactions.usecases.last_interaction import merge_last_interactions


def partners_merged(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """Re-point everything that named the merged partner to the survivor: subjects, partners,
    participants, call-back tasks, prospects made for unknown callers, deals followed and
    last-interaction dates. Applied once per event (inbox)."""
    survivor_id, merged_id = event["data"]["survivor_id"], event["data"]["merged_id"]  # read through the contract
    session = uow.session
    counts = repoint_references(session, merged_id, survivor_id, {
        "subjects": (Interaction.subject_id, Interaction.subject_kind == kind_rules.PARTNER),
        "interactions": Interaction.partner_id,
        "participants": Participant.partner_id,
        "tasks": Task.partner_id,
        "call_leads": CallLead.partner_id,
        "followed_deals": FollowedDeal.partner_id,
    })
    merge_last_interactions(session, merged_id, survivor_id)
    return counts
