"""What the interactions service replays to a consumer that starts late (crm_kit.replay): every
interaction (calls included) with its participants, in the shape of its events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_kit.replay import SnapshotReader, after_key
from services.interactions.models import Interaction
from services.interactions.schemas import interaction_view

INTERACTION_SNAPSHOT = "interaction_snapshot"


def interaction_snapshot(interaction: Interaction) -> dict[str, Any]:
    return {
        "interaction_id": interaction.id, "partner_id": interaction.partner_id,
        "responsible_id": interaction.responsible_id, "region": interaction.region,
        "department": interaction.department, "kind": interaction.kind, "status": interaction.status,
        "interaction": interaction_view(interaction),
    }


def interaction_pages(session: Session, page_size: int) -> Iterator[list[dict[str, Any]]]:
    after: str | None = None
    while True:
        rows = session.scalars(
            after_key(select(Interaction), Interaction, after).limit(page_size)
        ).all()
        if not rows:
            return
        yield [interaction_snapshot(row) for row in rows]
        after = rows[-1].id
        session.expunge_all()


READERS = (SnapshotReader(INTERACTION_SNAPSHOT, interaction_pages),)
