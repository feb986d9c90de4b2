"""An interaction's details: reading one, changing its title, time, place, outcome, reminder,
duration or recording, and recording what was created from it (a contact, deal or claim made by
its own service). Every change raises ``interaction_updated`` naming the fields changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contracts import interactions as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import ValidationError
from crm_kit.validation import load, uuid_arg
from services.interactions.domain import kinds as kind_rules
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction
from services.interactions.schemas import UPDATABLE, InteractionChanges
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.usecases.references import References
from services.interactions.views import event_view, interaction_view


def get(session: Session, actor: Actor, interaction_id: str) -> dict[str, Any]:
    """The interaction with its participants; NotFound also when the actor may not see it."""
    return interaction_view(INTERACTIONS.for_read(session, actor, interaction_id))


def save_changes(uow: UnitOfWork, interaction: Interaction, changed: list[str]) -> dict[str, Any]:
    """The interaction's view after a change; ``interaction_updated`` naming the fields ``changed``,
    when any."""
    uow.session.flush()
    view = interaction_view(interaction)
    if changed:
        uow.emit(events.INTERACTION_UPDATED, {
            **about_interaction(interaction), "changed": changed,
            "interaction": event_view(view),
        })
    return view


def update_interaction(uow: UnitOfWork, actor: Actor, interaction_id: str, payload: Any) -> dict[str, Any]:
    """Change title, planned time, place, outcome, reminder, duration or recording. A new
    ``remind_at`` arms the reminder again. Refuses a done or cancelled interaction, except its
    outcome (PreconditionFailed)."""
    data = load(InteractionChanges(), payload, what="changes", partial=True)
    if not data:
        raise ValidationError("changes name no field this method changes", {"changes": [f"give one of {', '.join(UPDATABLE)}"]})
    interaction = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    if set(data) - {"outcome"}:
        status_rules.require_open(interaction.status, "change it")
    changed = []
    for key, value in data.items():
        if getattr(interaction, key) != value:
            setattr(interaction, key, value)
            changed.append(key)
    if "remind_at" in changed:
        interaction.reminded_at = None
    return save_changes(uow, interaction, changed)


def link_created(uow: UnitOfWork, actor: Actor, interaction_id: str, kind: Any, created_id: Any, *,
                 partners: Any = None, deals: Any = None) -> dict[str, Any]:
    """Record that a contact, deal or claim was created from this interaction (by its own
    service). Refuses another kind (ValidationError on ``kind``) and a contact or deal that does
    not exist or that the actor may not see (NotFound on ``id``, references.py)."""
    if kind not in kind_rules.CREATED_KINDS:
        raise ValidationError.for_field("kind", f"one of {', '.join(kind_rules.CREATED_KINDS)}")
    created_id = uuid_arg(created_id, "id")
    interaction = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    check = References(uow.session, actor, partners, deals)
    if kind == kind_rules.CONTACT:
        check.contact(created_id, "id")
    elif kind == kind_rules.DEAL:
        check.deal(created_id, "id")
    field = kind_rules.CREATED_FIELDS[kind]
    if getattr(interaction, field) == created_id:
        return interaction_view(interaction)
    setattr(interaction, field, created_id)
    return save_changes(uow, interaction, [field])
