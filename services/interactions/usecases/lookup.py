"""Reading interactions as the actor may (row-level access on the responsible user, region and
department, crm_kit.access)."""

from __future__ import annotations

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crm_kit import access
from crm_kit.actor import Actor
from crm_kit.errors import NotFound, PermissionDenied
from services.interactions.models import Interaction


def visible(query: Select, actor: Actor) -> Select:
    """Restrict a query over ``Interaction`` to the rows ``actor`` may see."""
    return access.restrict(query, actor, Interaction.responsible_id, Interaction.region, Interaction.department)


def can_see(actor: Actor, interaction: Interaction) -> bool:
    return access.can_see(actor, interaction.responsible_id, interaction.region, interaction.department)


def _not_found(interaction_id: str) -> NotFound:
    return NotFound(f"interaction {interaction_id} not found", {"interaction_id": interaction_id})


def for_read(session: Session, actor: Actor, interaction_id: str) -> Interaction:
    """The interaction, or NotFound, also when the actor may not see it (no existence leak)."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None or not can_see(actor, interaction):
        raise _not_found(interaction_id)
    return interaction


def for_change(session: Session, actor: Actor, interaction_id: str) -> Interaction:
    """The interaction, locked for update, that ``actor`` may change (NotFound when it may not
    see it, PermissionDenied when it sees but may not change it)."""
    interaction = session.get(Interaction, interaction_id, with_for_update=True, populate_existing=True)
    if interaction is None or not can_see(actor, interaction):
        raise _not_found(interaction_id)
    if not access.can_change(actor, interaction.responsible_id, interaction.region, interaction.department):
        raise PermissionDenied(f"you may not change interaction {interaction_id}", {"interaction_id": interaction_id})
    return interaction
