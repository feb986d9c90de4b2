"""Registering interactions (also follow-ups), reading, changing, moving them through their
statuses, chains, links to what was created from them, and partner merges.

An interaction is written with its participants, its place in a chain (the chain of the one it
replies to, or a chain of its own) and its ``interaction_registered`` event, or nothing. When it
has happened (in progress or done) with a partner, the partner's last-interaction date moves on
(forgotten clients).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import interactions as events
from crm_kit.actor import Actor
from crm_kit.clock import aware
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import NotFound, ValidationError
from crm_kit.merges import repoint_references
from crm_kit.models import new_id
from crm_kit.validation import load, uuid_arg
from services.interactions.domain import kinds as kind_rules
from services.interactions.domain import schedule
from services.interactions.domain import status as status_rules
from services.interactions.models import CallLead, Interaction, Participant, PartnerActivity, Task
from services.interactions.schemas import UPDATABLE, FollowUpIn, InteractionChanges, InteractionIn, StatusIn
from services.interactions.usecases.about import about_interaction
from services.interactions.usecases.lookup import INTERACTIONS
from services.interactions.views import event_view, interaction_summary, interaction_view

DEFAULT_STATUS = {
    kind_rules.MEETING: status_rules.PLANNED,
    kind_rules.PLANNED: status_rules.PLANNED,
    kind_rules.CALL: status_rules.DONE,
    kind_rules.EMAIL: status_rules.DONE,
}


def touch_partner(session: Session, interaction: Interaction) -> None:
    """Move the partner's last-interaction date on when this interaction happened."""
    if not interaction.partner_id or interaction.status not in status_rules.HAPPENED_STATUSES:
        return
    moment = aware(interaction.occurred_at or interaction.completed_at or interaction.created_at) or utcnow()
    row = session.get(PartnerActivity, interaction.partner_id, with_for_update=True)
    if row is None:
        session.add(PartnerActivity(
            partner_id=interaction.partner_id, manager_id=interaction.responsible_id, region=interaction.region,
            department=interaction.department, last_interaction_at=moment, last_interaction_id=interaction.id,
        ))
    elif schedule.later(aware(row.last_interaction_at), moment) == moment:
        row.last_interaction_at, row.last_interaction_id = moment, interaction.id
        row.manager_id = interaction.responsible_id or row.manager_id
        row.region, row.department = interaction.region, interaction.department
    session.flush()


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


def _create(uow: UnitOfWork, actor: Actor, data: dict[str, Any], follow_up_of: Interaction | None = None) -> Interaction:
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


def register(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Register an interaction; see the module docstring. Calls and emails default to done,
    meetings and planned interactions to planned."""
    data = load(InteractionIn(), payload, what="interaction")
    return interaction_view(_create(uow, actor, data))


def follow_up(uow: UnitOfWork, actor: Actor, interaction_id: str, payload: Any) -> dict[str, Any]:
    """A follow-up of an interaction: same subject, partner, region and chain (a reply to it),
    responsible the same unless given; ``follow_up_of_id`` keeps the link."""
    data = load(FollowUpIn(), payload or {}, what="follow_up")
    origin = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    data.update(
        subject_kind=origin.subject_kind, subject_id=origin.subject_id, partner_id=origin.partner_id,
        reply_to_id=origin.id, region=origin.region, department=origin.department,
        responsible_id=data.get("responsible_id") or origin.responsible_id, status=status_rules.PLANNED,
    )
    return interaction_view(_create(uow, actor, data, follow_up_of=origin))


def get(session: Session, actor: Actor, interaction_id: str) -> dict[str, Any]:
    """The interaction with its participants; NotFound also when the actor may not see it."""
    return interaction_view(INTERACTIONS.for_read(session, actor, interaction_id))


def _updated(uow: UnitOfWork, interaction: Interaction, changed: list[str]) -> dict[str, Any]:
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
    return _updated(uow, interaction, changed)


def completed_event(interaction: Interaction) -> dict[str, Any]:
    return {
        **about_interaction(interaction), "kind": interaction.kind,
        "subject_kind": interaction.subject_kind, "subject_id": interaction.subject_id,
        "outcome": interaction.outcome, "completed_at": aware(interaction.completed_at).isoformat(),
    }


def set_status(uow: UnitOfWork, actor: Actor, interaction_id: str, payload: Any) -> dict[str, Any]:
    """Move an interaction to another status (``{status, outcome?, planned_at?}``): done raises
    ``interaction_completed`` with the outcome, the others ``interaction_updated``. Refuses a
    move the flow does not allow (PreconditionFailed, details ``allowed``)."""
    data = load(StatusIn(), payload, what="change")
    interaction = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    status_rules.check_move(interaction.status, data["status"])
    now = utcnow()
    interaction.status = data["status"]
    changed = ["status"]
    if data.get("outcome") is not None:
        interaction.outcome = data["outcome"]
        changed.append("outcome")
    if data.get("planned_at") is not None:
        interaction.planned_at = data["planned_at"]
        changed.append("planned_at")
    if interaction.status in status_rules.HAPPENED_STATUSES and interaction.occurred_at is None:
        interaction.occurred_at = now
    if interaction.status == status_rules.DONE:
        interaction.completed_at = now
        uow.session.flush()
        touch_partner(uow.session, interaction)
        uow.emit(events.INTERACTION_COMPLETED, completed_event(interaction))
        return interaction_view(interaction)
    touch_partner(uow.session, interaction)
    return _updated(uow, interaction, changed)


def link_created(uow: UnitOfWork, actor: Actor, interaction_id: str, kind: Any, created_id: Any) -> dict[str, Any]:
    """Record that a contact, deal or claim was created from this interaction (by its own
    service). Refuses another kind (ValidationError on ``kind``)."""
    if kind not in kind_rules.CREATED_KINDS:
        raise ValidationError.for_field("kind", f"one of {', '.join(kind_rules.CREATED_KINDS)}")
    created_id = uuid_arg(created_id, "id")
    interaction = INTERACTIONS.for_change(uow.session, actor, interaction_id)
    field = kind_rules.CREATED_FIELDS[kind]
    if getattr(interaction, field) == created_id:
        return interaction_view(interaction)
    setattr(interaction, field, created_id)
    return _updated(uow, interaction, [field])


def list_chain(session: Session, actor: Actor, interaction_id: str) -> list[dict[str, Any]]:
    """Every interaction of the chain this one belongs to that the actor may see, in order of
    registration (a reply always comes after what it answers)."""
    interaction = INTERACTIONS.for_read(session, actor, interaction_id)
    rows = session.scalars(
        select(Interaction).where(Interaction.chain_id == interaction.chain_id, INTERACTIONS.visible(actor))
    ).all()
    return [interaction_summary(i) for i in sorted(rows, key=lambda i: (aware(i.created_at), i.id))]


def list_by_subject(session: Session, actor: Actor, subject_kind: Any, subject_id: Any, limit: Any = 200) -> list[dict[str, Any]]:
    """The interactions about a partner, deal or claim the actor may see, oldest first."""
    if subject_kind not in kind_rules.SUBJECT_KINDS:
        raise ValidationError.for_field("subject_kind", f"one of {', '.join(kind_rules.SUBJECT_KINDS)}")
    subject_id = uuid_arg(subject_id, "subject_id")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise ValidationError.for_field("limit", "a whole number from 1 to 1000")
    rows = session.scalars(
        select(Interaction)
        .where(Interaction.subject_kind == subject_kind, Interaction.subject_id == subject_id, INTERACTIONS.visible(actor))
        .order_by(Interaction.created_at, Interaction.id)
        .limit(limit)
    ).all()
    return [interaction_summary(i) for i in rows]


def partners_merged(uow: UnitOfWork, event: dict[str, Any]) -> dict[str, int]:
    """Re-point everything that named the merged partner to the survivor: subjects, partners,
    participants, call-back tasks, prospects made for unknown callers and last-interaction
    dates. Applied once per event (inbox)."""
    survivor_id, merged_id = event["data"]["survivor_id"], event["data"]["merged_id"]  # read through the contract
    session = uow.session
    counts = repoint_references(session, merged_id, survivor_id, {
        "subjects": (Interaction.subject_id, Interaction.subject_kind == kind_rules.PARTNER),
        "interactions": Interaction.partner_id,
        "participants": Participant.partner_id,
        "tasks": Task.partner_id,
        "call_leads": CallLead.partner_id,
    })
    merged = session.get(PartnerActivity, merged_id, with_for_update=True)
    if merged is not None:
        survivor = session.get(PartnerActivity, survivor_id, with_for_update=True)
        if survivor is None:
            session.add(PartnerActivity(
                partner_id=survivor_id, manager_id=merged.manager_id, region=merged.region,
                department=merged.department, last_interaction_at=merged.last_interaction_at,
                last_interaction_id=merged.last_interaction_id,
            ))
        elif aware(merged.last_interaction_at) > aware(survivor.last_interaction_at):
            survivor.last_interaction_at = merged.last_interaction_at
            survivor.last_interaction_id = merged.last_interaction_id
        session.delete(merged)
    return counts
