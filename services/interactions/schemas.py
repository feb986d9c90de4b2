"""marshmallow schemas of the interactions service's RPC payloads, and the views it answers with.

Loading a payload checks every field at once (types, lengths, UUIDs, times, choices, and the
fields each kind needs through domain/kinds.py), so a caller hears of every bad field in one
ValidationError before anything is written. Views are plain functions returning JSON values:
times as ISO text.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from crm_kit.errors import ValidationError as CrmValidationError
from services.interactions.domain import calls as call_rules
from services.interactions.domain import kinds as kind_rules
from services.interactions.domain import status as status_rules
from services.interactions.models import Extension, Interaction, Participant, Task


def _text(max_len: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_len), **kwargs)


def _optional_text(max_len: int) -> fields.String:
    return _text(max_len, load_default=None, allow_none=True)


class Id(fields.UUID):
    """A UUID, loaded as its canonical text (the models keep ids as strings)."""

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        return str(loaded) if loaded is not None else None


class Moment(fields.AwareDateTime):
    """An ISO date-time; one without an offset is UTC."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)


class Base(Schema):
    class Meta:
        unknown = EXCLUDE  # older and newer clients send fields we do not know; ignore them


class ParticipantIn(Base):
    name = _optional_text(300)
    phone = _optional_text(40)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    partner_id = Id(load_default=None, allow_none=True)
    contact_id = Id(load_default=None, allow_none=True)
    user_id = _optional_text(64)

    @validates_schema
    def _someone(self, data, **_):
        if not any(data.get(k) for k in ("name", "phone", "email", "partner_id", "contact_id", "user_id")):
            raise ValidationError({"name": ["give a name, phone, email or a link to a partner, contact or user"]})


class InteractionIn(Base):
    kind = fields.String(required=True, validate=validate.OneOf(kind_rules.KINDS))
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(status_rules.STATUSES))
    title = _optional_text(300)
    subject_kind = fields.String(required=True, validate=validate.OneOf(kind_rules.SUBJECT_KINDS))
    subject_id = Id(required=True)
    partner_id = Id(load_default=None, allow_none=True)
    reply_to_id = Id(load_default=None, allow_none=True)
    planned_at = Moment(load_default=None, allow_none=True)
    occurred_at = Moment(load_default=None, allow_none=True)
    place = _optional_text(500)
    outcome = _optional_text(10000)
    direction = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(kind_rules.DIRECTIONS))
    from_number = _optional_text(40)
    to_number = _optional_text(40)
    duration_s = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=86400 * 2))
    recording_url = fields.Url(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    email_subject = _optional_text(500)
    body = _optional_text(100000)
    email_from = fields.Email(load_default=None, allow_none=True)
    email_to = fields.List(fields.Email(), load_default=None, allow_none=True, validate=validate.Length(max=100))
    thread_id = _optional_text(300)
    remind_at = Moment(load_default=None, allow_none=True)
    responsible_id = _optional_text(64)
    region = _optional_text(100)
    department = _optional_text(100)
    participants = fields.List(fields.Nested(ParticipantIn), load_default=list, validate=validate.Length(max=200))

    @validates_schema(skip_on_field_errors=False)
    def _kind_fields(self, data, **_):
        if data.get("kind") not in kind_rules.KINDS:
            return
        try:
            kind_rules.check_kind_fields(data["kind"], data)
        except CrmValidationError as exc:
            raise ValidationError(exc.details) from None


class FollowUpIn(Base):
    """A follow-up: subject, partner and responsible come from the interaction it follows."""

    kind = fields.String(load_default=kind_rules.PLANNED, validate=validate.OneOf(kind_rules.KINDS))
    title = _optional_text(300)
    planned_at = Moment(load_default=None, allow_none=True)
    place = _optional_text(500)
    remind_at = Moment(load_default=None, allow_none=True)
    responsible_id = _optional_text(64)

    @validates_schema(skip_on_field_errors=False)
    def _kind_fields(self, data, **_):
        if data.get("kind", kind_rules.PLANNED) not in kind_rules.KINDS:
            return
        try:
            kind_rules.check_kind_fields(data.get("kind", kind_rules.PLANNED), data)
        except CrmValidationError as exc:
            raise ValidationError(exc.details) from None


UPDATABLE = ("title", "planned_at", "place", "outcome", "remind_at", "duration_s", "recording_url")


class InteractionChanges(Base):
    title = fields.String(allow_none=True, validate=validate.Length(max=300))
    planned_at = Moment(allow_none=True)
    place = fields.String(allow_none=True, validate=validate.Length(max=500))
    outcome = fields.String(allow_none=True, validate=validate.Length(max=10000))
    remind_at = Moment(allow_none=True)
    duration_s = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=86400 * 2))
    recording_url = fields.Url(allow_none=True, validate=validate.Length(max=2000))


class StatusIn(Base):
    status = fields.String(required=True, validate=validate.OneOf(status_rules.STATUSES))
    outcome = _optional_text(10000)
    planned_at = Moment(load_default=None, allow_none=True)


class LinkIn(Base):
    """A hand-made link of a participant."""

    partner_id = Id(load_default=None, allow_none=True)
    contact_id = Id(load_default=None, allow_none=True)
    user_id = _optional_text(64)

    @validates_schema
    def _something(self, data, **_):
        if not any(data.get(k) for k in ("partner_id", "contact_id", "user_id")):
            raise ValidationError({"partner_id": ["give partner_id, contact_id or user_id"]})


class CalendarIn(Base):
    user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)


class ListCallsIn(Base):
    partner_id = Id(load_default=None, allow_none=True)
    responsible_id = _optional_text(64)
    state = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(call_rules.STATES))
    date_from = fields.Date(load_default=None, allow_none=True)
    date_to = fields.Date(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ListTasksIn(Base):
    assignee_id = _optional_text(64)
    partner_id = Id(load_default=None, allow_none=True)
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "done", "all")))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ExtensionIn(Base):
    extension = fields.String(required=True, validate=validate.Length(min=1, max=200))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    region = _optional_text(100)
    department = _optional_text(100)


# --- views --------------------------------------------------------------------------------

def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # SQLite hands back UTC times without their offset
    return value


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = aware(value)
    return value.isoformat()


def participant_view(p: Participant) -> dict[str, Any]:
    return {
        "id": p.id, "name": p.name, "phone": p.phone, "email": p.email, "partner_id": p.partner_id,
        "contact_id": p.contact_id, "user_id": p.user_id, "linked_by": p.linked_by,
    }


def interaction_summary(i: Interaction) -> dict[str, Any]:
    """What lists, calendars and the client card show."""
    return {
        "id": i.id, "kind": i.kind, "status": i.status, "title": i.title,
        "subject_kind": i.subject_kind, "subject_id": i.subject_id, "partner_id": i.partner_id,
        "chain_id": i.chain_id, "reply_to_id": i.reply_to_id, "planned_at": iso(i.planned_at),
        "occurred_at": iso(i.occurred_at), "completed_at": iso(i.completed_at),
        "responsible_id": i.responsible_id, "created_at": iso(i.created_at),
    }


def interaction_view(i: Interaction) -> dict[str, Any]:
    return {
        **interaction_summary(i),
        "follow_up_of_id": i.follow_up_of_id, "place": i.place, "outcome": i.outcome,
        "direction": i.direction, "from_number": i.from_number, "to_number": i.to_number,
        "duration_s": i.duration_s, "recording_url": i.recording_url,
        "email_subject": i.email_subject, "body": i.body, "email_from": i.email_from,
        "email_to": list(i.email_to or []), "thread_id": i.thread_id,
        "remind_at": iso(i.remind_at), "reminded_at": iso(i.reminded_at),
        "created_contact_id": i.created_contact_id, "created_deal_id": i.created_deal_id,
        "created_claim_id": i.created_claim_id, "region": i.region, "department": i.department,
        "created_by": i.created_by, "updated_at": iso(i.updated_at),
        "participants": [participant_view(p) for p in i.participants],
        **call_fields(i),
    }


def call_fields(i: Interaction) -> dict[str, Any]:
    """What a call from the PBX adds (all null for other interactions)."""
    return {
        "call_id": i.call_id, "call_state": i.call_state, "answered_at": iso(i.answered_at),
        "ended_at": iso(i.ended_at), "extension": i.extension, "transfers": list(i.transfers or []),
        "external_number": i.external_number, "match_state": i.match_state,
    }


def call_summary(i: Interaction) -> dict[str, Any]:
    return {**interaction_summary(i), "direction": i.direction, "from_number": i.from_number,
            "to_number": i.to_number, "duration_s": i.duration_s, **call_fields(i)}


def task_view(t: Task) -> dict[str, Any]:
    return {
        "id": t.id, "kind": t.kind, "title": t.title, "status": t.status, "assignee_id": t.assignee_id,
        "partner_id": t.partner_id, "contact_id": t.contact_id, "interaction_id": t.interaction_id,
        "call_id": t.call_id, "phone": t.phone, "due_at": iso(t.due_at), "created_at": iso(t.created_at),
        "completed_at": iso(t.completed_at), "completed_by": t.completed_by, "note": t.note,
        "region": t.region, "department": t.department,
    }


def extension_view(e: Extension) -> dict[str, Any]:
    return {"extension": e.extension, "user_id": e.user_id, "region": e.region, "department": e.department,
            "updated_at": iso(e.updated_at), "updated_by": e.updated_by}
