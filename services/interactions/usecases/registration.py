"""Registering an interaction: a meeting, a planned interaction, a phone call or an email about a
partner, deal or claim.

An interaction is written with its participants, its place in a chain (the chain of the one it
replies to, or a chain of its own) and its ``interaction_registered`` event (and
``interaction_completed`` when registered done), or nothing. When it has happened (in progress
or done) with a partner, the partner's last-interaction date moves on (last_interaction.py).
A follow-up is registered the same way (follow_ups.py).
"""

from __future__ import annotations

from typing import Any

from contracts import interactions as events
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import NotFound, ValidationError
from crm_kit.models import new_id
from crm_kit.validation import load
from services.interactions.domain import kinds as kind_rules
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction, Participant
from services.interactions.schemas import InteractionIn
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.last_interaction import touch_partner
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.usecases.references import References
from services.interactions.usecases.status_moves import completed_event
from services.interactions.views import event_view, interaction_view

DEFAULT_STATUS = {
    kind_rules.MEETING: status_rules.PLANNED,
    kind_rules.PLANNED: status_rules.PLANNED,
    kind_rules.CALL: status_rules.DONE,
    kind_rules.EMAIL: status_rules.DONE,
}


def registered_event(interaction: Interaction, view: dict[str, Any]) -> dict[str, Any]:
    return {
        **about_interaction(interaction),
        "kind": interaction.kind,
        "status": interaction.status,
        "subject_kind": interaction.subject_kind,
        "subject_id": interaction.subject_id,
        "chain_id": interaction.chain_id,
        "reply_to_id": interaction.reply_to_id,
        "follow_up_of_id": interaction.follow_up_of_id,
        "planned_at": view["planned_at"],
        "interaction": event_view(view),
    }


def create(uow: UnitOfWork, actor: Actor, data: dict[str, Any], follow_up_of: Interaction | None = None, *,
           check: References | None = None) -> Interaction:
    """Write the interaction ``data`` describes (loaded by its schema); see the module docstring.
    ``check``: the partners, contacts and deals it names are checked with it (a follow-up's come
    from the interaction it follows, already seen)."""
    session = uow.session
    partner_id = kind_rules.partner_of_subject(data["subject_kind"], data["subject_id"], data.get("partner_id"))
    chain_id = None
    if data.get("reply_to_id"):
        try:
            replied = INTERACTIONS.for_read(session, actor, data["reply_to_id"])
        except NotFound:
            raise ValidationError.for_field("reply_to_id", "no such interaction") from None
        if (replied.subject_kind, replied.subject_id) != (data["subject_kind"], data["subject_id"]):
            raise ValidationError.for_field("reply_to_id", "a reply is about the same subject as what it answers")
        chain_id = replied.chain_id
    if check is not None:
        check.subject(data["subject_kind"], data["subject_id"])
        if partner_id and partner_id != data["subject_id"]:
            check.partner(partner_id)
        for position, participant in enumerate(data.get("participants") or []):
            check.participant(participant, f"participants.{position}.")
    INTERACTIONS.assign_owner(actor, data, "register interactions")
    now = utcnow()
    status = data.get("status") or DEFAULT_STATUS[data["kind"]]
    interaction = Interaction(
        kind=data["kind"], status=status, title=(data.get("title") or "").strip() or None,
        subject_kind=data["subject_kind"], subject_id=data["subject_id"], partner_id=partner_id,
        reply_to_id=data.get("reply_to_id"), follow_up_of_id=follow_up_of.id if follow_up_of else None,
        planned_at=data.get("planned_at"),
        occurred_at=data.get("occurred_at") or (now if status in status_rules.HAPPENED_STATUSES else None),
        completed_at=now if status == status_rules.DONE else None,
        place=data.get("place"), outcome=data.get("outcome"), direction=data.get("direction"),
        from_number=data.get("from_number"), to_number=data.get("to_number"), duration_s=data.get("duration_s"),
        recording_url=data.get("recording_url"), email_subject=data.get("email_subject"), body=data.get("body"),
        email_from=data.get("email_from"), email_to=data.get("email_to"), thread_id=data.get("thread_id"),
        remind_at=data.get("remind_at"), responsible_id=data.get("responsible_id"), region=data.get("region"),
        department=data.get("department"), created_at=now, updated_at=now, created_by=actor.user_id,
    )
    interaction.id = new_id()
    interaction.chain_id = chain_id or interaction.id
    for position, p in enumerate(data.get("participants") or []):
        interaction.participants.append(Participant(
            position=position, name=p.get("name"), phone=p.get("phone"), email=p.get("email"),
            partner_id=p.get("partner_id"), contact_id=p.get("contact_id"), user_id=p.get("user_id"),
            linked_by=None if kind_rules.is_text_only(p) else "hand",
        ))
    session.add(interaction)
    session.flush()
    touch_partner(session, interaction)
    view = interaction_view(interaction)
    uow.emit(events.INTERACTION_REGISTERED, registered_event(interaction, view))
    if status == status_rules.DONE:
        uow.emit(events.INTERACTION_COMPLETED, completed_event(interaction))
    return interaction


def register(uow: UnitOfWork, actor: Actor, payload: Any, *, partners: Any = None, deals: Any = None) -> dict[str, Any]:
    """Register an interaction; see the module docstring. Calls and emails default to done,
    meetings and planned interactions to planned. Refuses a subject partner or deal, a partner,
    or a participant's partner or contact that does not exist or that the actor may not see
    (NotFound naming the field, references.py; ``partners`` and ``deals`` the clients asked)."""
    data = load(InteractionIn(), payload, what="interaction")
    return interaction_view(create(uow, actor, data, check=References(uow.session, actor, partners, deals)))
