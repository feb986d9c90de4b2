"""The events the interactions service publishes (exchange ``interactions.events``).

Every event's data names its interaction and partner with the dimensions reports group by
(:class:`AboutInteraction`: ``interaction_id``, ``partner_id``, the ``responsible_id`` user,
``region``, ``department``). The region and department are the interaction's own: given when it
was registered (a follow-up keeps its origin's), for a call from the PBX those of the extension
that took it. ``partner_id`` is null only for a call from a number nobody has yet (until its
prospect is registered: ``interaction_updated`` then names the partner). Times are ISO text.
"""

from __future__ import annotations

from marshmallow import fields, validate

from crm_kit.contracts import (
    EventContract,
    EventData,
    Moment,
    UserId,
    Uuid,
    nullable,
    optional,
    required,
)

SOURCE = "interactions"
KINDS = ("meeting", "planned", "call", "email")
STATUSES = ("planned", "in_progress", "done", "postponed", "cancelled")
SUBJECT_KINDS = ("partner", "deal", "claim")
DIRECTIONS = ("incoming", "outgoing")
CALL_STATES = ("ringing", "answered", "ended", "missed")
MATCH_STATES = ("matched", "unknown", "pending", "none")


# --- what the events nest ------------------------------------------------------------------

class Transfer(EventData):
    to = required(fields.String)
    at = required(Moment)


class InteractionView(EventData):
    """An interaction as the service answers ``get``, without the email body and participants."""

    id = required(Uuid)
    kind = required(fields.String, validate=validate.OneOf(KINDS))
    status = required(fields.String, validate=validate.OneOf(STATUSES))
    title = nullable(fields.String)
    subject_kind = nullable(fields.String, validate=validate.OneOf(SUBJECT_KINDS))
    subject_id = nullable(Uuid)
    partner_id = nullable(Uuid)
    chain_id = required(Uuid)
    reply_to_id = nullable(Uuid)
    follow_up_of_id = nullable(Uuid)
    planned_at = nullable(Moment)
    occurred_at = nullable(Moment)
    completed_at = nullable(Moment)
    place = nullable(fields.String)
    outcome = nullable(fields.String)
    direction = nullable(fields.String, validate=validate.OneOf(DIRECTIONS))
    from_number = nullable(fields.String)
    to_number = nullable(fields.String)
    duration_s = nullable(fields.Integer, strict=True)
    recording_url = nullable(fields.String)
    email_subject = nullable(fields.String)
    email_from = nullable(fields.String)
    email_to = required(fields.List, cls_or_instance=fields.String())
    thread_id = nullable(fields.String)
    remind_at = nullable(Moment)
    reminded_at = nullable(Moment)
    created_contact_id = nullable(Uuid)
    created_deal_id = nullable(Uuid)
    created_claim_id = nullable(Uuid)
    responsible_id = nullable(UserId)
    region = nullable(fields.String)
    department = nullable(fields.String)
    created_at = required(Moment)
    created_by = nullable(fields.String)
    updated_at = required(Moment)
    call_id = nullable(fields.String)
    call_state = nullable(fields.String, validate=validate.OneOf(CALL_STATES))
    answered_at = nullable(Moment)
    ended_at = nullable(Moment)
    extension = nullable(fields.String)
    transfers = required(fields.List, cls_or_instance=fields.Nested(Transfer))
    external_number = nullable(fields.String)
    match_state = nullable(fields.String, validate=validate.OneOf(MATCH_STATES))


class LinkedParticipant(EventData):
    participant_id = required(Uuid)
    partner_id = nullable(Uuid)
    contact_id = nullable(Uuid)
    user_id = nullable(fields.String)
    linked_by = nullable(fields.String)


# --- the data of each event ------------------------------------------------------------------

class AboutInteraction(EventData):
    """The interaction an event is about, its partner, and what reports group it by."""

    interaction_id = required(Uuid)
    partner_id = nullable(Uuid)
    responsible_id = nullable(UserId)
    region = nullable(fields.String)
    department = nullable(fields.String)


class InteractionRegistered(AboutInteraction):
    """An interaction was registered (a follow-up too: ``follow_up_of_id`` set) about a partner,
    deal or claim. A call from the PBX raises ``call_registered`` instead."""

    kind = required(fields.String, validate=validate.OneOf(KINDS))
    status = required(fields.String, validate=validate.OneOf(STATUSES))
    subject_kind = required(fields.String, validate=validate.OneOf(SUBJECT_KINDS))
    subject_id = required(Uuid)
    chain_id = required(Uuid)
    reply_to_id = nullable(Uuid)
    follow_up_of_id = nullable(Uuid)
    planned_at = nullable(Moment)
    interaction = required(fields.Nested, nested=InteractionView)


class InteractionCompleted(AboutInteraction):
    """An interaction is done, with its outcome. A call from the PBX is done when it ends or is
    missed, and adds ``call_id``, ``call_state`` and ``duration_s``."""

    kind = required(fields.String, validate=validate.OneOf(KINDS))
    subject_kind = nullable(fields.String, validate=validate.OneOf(SUBJECT_KINDS))
    subject_id = nullable(Uuid)
    outcome = nullable(fields.String)
    completed_at = required(Moment)
    call_id = optional(fields.String)
    call_state = optional(fields.String, validate=validate.OneOf(CALL_STATES))
    duration_s = optional(fields.Integer, strict=True)


class InteractionUpdated(AboutInteraction):
    """Details or status (other than done) changed, or the interaction was linked to something:
    ``changed`` names the fields. A change through the API carries the ``interaction`` now; a
    call matched to its partner later carries ``call_id`` and ``match_state``, and ``deal_id``
    when a lead was opened from it."""

    changed = required(fields.List, cls_or_instance=fields.String(), validate=validate.Length(min=1))
    interaction = optional(fields.Nested, nested=InteractionView)
    call_id = optional(fields.String)
    match_state = optional(fields.String, validate=validate.OneOf(MATCH_STATES))
    deal_id = optional(Uuid)


class ReminderDue(AboutInteraction):
    """An interaction's reminder time came (raised once); the responsible user is to be told."""

    kind = required(fields.String, validate=validate.OneOf(KINDS))
    title = nullable(fields.String)
    remind_at = required(Moment)
    planned_at = nullable(Moment)


class ParticipantsLinked(AboutInteraction):
    """Text-only participants were linked to partners, contacts or users (by hand, by phone or
    by email through the partners service)."""

    linked = required(fields.List, cls_or_instance=fields.Nested(LinkedParticipant), validate=validate.Length(min=1))


class CallRegistered(AboutInteraction):
    """A call the PBX told of was stored for the first time: ``number`` is the other party (E.164
    when it is a number; null when the PBX gave none), ``match_state`` whether it was matched to
    a partner (matched | unknown | pending | none)."""

    call_id = required(fields.String)
    contact_id = nullable(Uuid)
    direction = required(fields.String, validate=validate.OneOf(DIRECTIONS))
    number = nullable(fields.String)
    extension = nullable(fields.String)
    call_state = required(fields.String, validate=validate.OneOf(CALL_STATES))
    match_state = required(fields.String, validate=validate.OneOf(MATCH_STATES))
    started_at = required(Moment)
    answered_at = nullable(Moment)
    ended_at = nullable(Moment)
    duration_s = nullable(fields.Integer, strict=True)


class CallMissed(CallRegistered):
    """A call was missed (raised once per call), with the call-back task of a missed incoming
    call (``task_id``; null for an outgoing one): the number's one open call back, which counts
    the missed calls from the number (``missed_count``, this one included; null for an outgoing
    call), made by the first of them."""

    task_id = nullable(Uuid)
    missed_count = nullable(fields.Integer, strict=True)


class CallBackTaskCompleted(AboutInteraction):
    """A task (a call back) was done by ``completed_by``; ``responsible_id`` is its assignee.
    A call back closed by itself, because a call with its number was answered after its last
    missed call, has no ``completed_by`` and names that call (``closed_by_call_id``) and how many
    missed calls it counted (``missed_count``)."""

    task_id = required(Uuid)
    kind = required(fields.String)
    completed_at = required(Moment)
    completed_by = nullable(fields.String)
    note = nullable(fields.String)
    closed_by_call_id = optional(fields.String)
    missed_count = optional(fields.Integer, strict=True)


class InteractionReassigned(AboutInteraction):
    """A planned interaction went to another responsible user (``responsible_id``; before:
    ``previous_responsible_id``) because its partner got another manager (``partner_event_id``;
    ``handover_id`` when in a whole-base handover); ``by`` is who reassigned the partner."""

    previous_responsible_id = nullable(UserId)
    reason = nullable(fields.String)
    handover_id = nullable(Uuid)
    partner_event_id = nullable(fields.String)
    by = nullable(fields.String)


class CallBackTaskReassigned(InteractionReassigned):
    """An open task (a call back) went to another user (``responsible_id`` is its new assignee)
    because its partner got another manager."""

    task_id = required(Uuid)
    kind = required(fields.String)


class InteractionSnapshot(AboutInteraction):
    """An interaction (a call too) as it is now, replayed to a consumer that starts late
    (crm_kit.replay)."""

    kind = required(fields.String, validate=validate.OneOf(KINDS))
    status = required(fields.String, validate=validate.OneOf(STATUSES))
    interaction = required(fields.Nested, nested=InteractionView)


# --- examples (kept by the contracts: tests/unit/contracts) ----------------------------------

INTERACTION_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
PARTNER_ID = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e"
ABOUT = {"interaction_id": INTERACTION_ID, "partner_id": PARTNER_ID, "responsible_id": "anna", "region": "msk",
         "department": "north"}
VIEW = {
    "id": INTERACTION_ID, "kind": "meeting", "status": "planned", "title": "Встреча у клиента",
    "subject_kind": "partner", "subject_id": PARTNER_ID, "partner_id": PARTNER_ID, "chain_id": INTERACTION_ID,
    "reply_to_id": None, "follow_up_of_id": None, "planned_at": "2026-11-25T11:00:00+03:00", "occurred_at": None,
    "completed_at": None, "place": "Москва, ул. Ленина, 1", "outcome": None, "direction": None, "from_number": None,
    "to_number": None, "duration_s": None, "recording_url": None, "email_subject": None, "email_from": None,
    "email_to": [], "thread_id": None, "remind_at": "2026-11-25T10:30:00+03:00", "reminded_at": None,
    "created_contact_id": None, "created_deal_id": None, "created_claim_id": None, "responsible_id": "anna",
    "region": "msk", "department": "north", "created_at": "2026-11-23T10:00:00+00:00", "created_by": "anna",
    "updated_at": "2026-11-23T10:00:00+00:00", "call_id": None, "call_state": None, "answered_at": None,
    "ended_at": None, "extension": None, "transfers": [], "external_number": None, "match_state": None,
}
CALL = {
    **ABOUT, "call_id": "pbx-20261123-000017", "contact_id": None, "direction": "incoming", "number": "+74951234500",
    "extension": "101", "call_state": "ended", "match_state": "matched", "started_at": "2026-11-23T10:00:00+00:00",
    "answered_at": "2026-11-23T10:00:05+00:00", "ended_at": "2026-11-23T10:03:05+00:00", "duration_s": 180,
}


# --- the contracts ---------------------------------------------------------------------------

INTERACTION_REGISTERED = EventContract(
    SOURCE, "interaction_registered", InteractionRegistered, summary="An interaction was registered.",
    subject=("partner_id", "interaction_id"),
    example={**ABOUT, "kind": "meeting", "status": "planned", "subject_kind": "partner", "subject_id": PARTNER_ID,
             "chain_id": INTERACTION_ID, "reply_to_id": None, "follow_up_of_id": None,
             "planned_at": "2026-11-25T11:00:00+03:00", "interaction": VIEW},
)
INTERACTION_COMPLETED = EventContract(
    SOURCE, "interaction_completed", InteractionCompleted, summary="An interaction is done.",
    subject=("partner_id", "interaction_id"),
    example={**ABOUT, "kind": "call", "subject_kind": "partner", "subject_id": PARTNER_ID, "outcome": None,
             "completed_at": "2026-11-23T10:03:05+00:00", "call_id": "pbx-20261123-000017", "call_state": "ended",
             "duration_s": 180},
)
INTERACTION_UPDATED = EventContract(
    SOURCE, "interaction_updated", InteractionUpdated, summary="An interaction changed or was linked.",
    subject=("partner_id", "interaction_id"),
    example={**ABOUT, "changed": ["planned_at"], "interaction": VIEW},
)
REMINDER_DUE = EventContract(
    SOURCE, "reminder_due", ReminderDue, summary="An interaction's reminder time came.",
    subject=("partner_id", "interaction_id"),
    example={**ABOUT, "kind": "meeting", "title": "Встреча у клиента", "remind_at": "2026-11-25T10:30:00+03:00",
             "planned_at": "2026-11-25T11:00:00+03:00"},
)
PARTICIPANTS_LINKED = EventContract(
    SOURCE, "participants_linked", ParticipantsLinked, summary="Participants were linked to partners, contacts or users.",
    subject=("partner_id", "interaction_id"),
    example={**ABOUT, "linked": [{"participant_id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e", "partner_id": PARTNER_ID,
                                  "contact_id": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", "user_id": None,
                                  "linked_by": "phone"}]},
)
CALL_REGISTERED = EventContract(
    SOURCE, "call_registered", CallRegistered, summary="A call from the PBX was stored.",
    subject=("partner_id", "interaction_id", "call_id"), example=CALL,
)
CALL_MISSED = EventContract(
    SOURCE, "call_missed", CallMissed, summary="A call was missed.",
    subject=("partner_id", "interaction_id", "call_id", "task_id"),
    example={**CALL, "call_state": "missed", "answered_at": None, "duration_s": None,
             "task_id": "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f", "missed_count": 2},
)
TASK_COMPLETED = EventContract(
    SOURCE, "task_completed", CallBackTaskCompleted, summary="A call-back task was done.",
    subject=("partner_id", "interaction_id", "task_id"),
    example={**ABOUT, "task_id": "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f", "kind": "call_back",
             "completed_at": "2026-11-23T11:00:00+00:00", "completed_by": "anna", "note": "перезвонил"},
)
REASSIGNED = {"previous_responsible_id": "anna", "reason": "vacation", "handover_id": None,
              "partner_event_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "by": "head-1"}
INTERACTION_REASSIGNED = EventContract(
    SOURCE, "interaction_reassigned", InteractionReassigned,
    summary="A planned interaction went to the partner's new manager.", subject=("partner_id", "interaction_id"),
    example={**ABOUT, "responsible_id": "boris", **REASSIGNED},
)
TASK_REASSIGNED = EventContract(
    SOURCE, "task_reassigned", CallBackTaskReassigned,
    summary="An open call-back task went to the partner's new manager.",
    subject=("partner_id", "interaction_id", "task_id"),
    example={**ABOUT, "responsible_id": "boris", **REASSIGNED, "task_id": "c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f",
             "kind": "call_back"},
)

ALL = (
    INTERACTION_REGISTERED, INTERACTION_COMPLETED, INTERACTION_UPDATED, REMINDER_DUE, PARTICIPANTS_LINKED,
    CALL_REGISTERED, CALL_MISSED, TASK_COMPLETED,
    INTERACTION_REASSIGNED, TASK_REASSIGNED,
)

# Replayed to one consumer on the ``replay`` exchange, not published on ``interactions.events``.
INTERACTION_SNAPSHOT = EventContract(
    SOURCE, "interaction_snapshot", InteractionSnapshot, summary="An interaction as it is now (a replay to a late consumer).",
    subject=("partner_id", "interaction_id"),
    example={**ABOUT, "kind": "meeting", "status": "planned", "interaction": VIEW},
)
SNAPSHOTS = (INTERACTION_SNAPSHOT,)
