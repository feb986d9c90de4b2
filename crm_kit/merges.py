"""Re-pointing a service's references when two records merge (``partners_merged``).

The partners service keeps the merged partner as a tombstone and tells the others; each service
that names partners re-points its own columns to the survivor, in the transaction that claims
the event. What differs per service is only which columns name a partner: it lists them, this
module writes the UPDATEs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

# A column that names the merged record (an ORM attribute such as ``Deal.partner_id``), or the
# column with further conditions on its rows: ``(Interaction.subject_id, Interaction.subject_kind == "partner")``.
Reference = Any


def repoint_references(
    session: Session, merged_id: str, survivor_id: str, references: Mapping[str, Reference]
) -> dict[str, int]:
    """Set every reference to ``merged_id`` to ``survivor_id``; answers how many rows each
    entry of ``references`` re-pointed, by its label. A table's ``onupdate`` columns (its
    ``updated_at``) move on with the change."""
    counts = {}
    for label, reference in references.items():
        column, *conditions = reference if isinstance(reference, tuple) else (reference,)
        statement = update(column.class_).where(column == merged_id, *conditions).values({column.key: survivor_id})
        counts[label] = session.execute(statement).rowcount
    return counts
