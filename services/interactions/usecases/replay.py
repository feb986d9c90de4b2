"""What the interactions service replays to a consumer that starts late (crm_kit.replay): every
interaction, calls included, with its participants (contracts.interactions.INTERACTION_SNAPSHOT)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.interactions import INTERACTION_SNAPSHOT
from crm_kit.replay import SnapshotReader, pages_by_id
from services.interactions.models import Interaction
from services.interactions.usecases.about import about_interaction
from services.interactions.views import event_view, interaction_view


def interaction_snapshot(interaction: Interaction) -> dict[str, Any]:
    return {**about_interaction(interaction), "kind": interaction.kind, "status": interaction.status,
            "interaction": event_view(interaction_view(interaction))}


def interaction_pages(session: Session, page_size: int) -> Iterator[list[dict[str, Any]]]:
    return pages_by_id(session, select(Interaction), Interaction, page_size, interaction_snapshot)


READERS = (SnapshotReader(INTERACTION_SNAPSHOT, interaction_pages),)
