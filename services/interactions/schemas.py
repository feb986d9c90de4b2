"""marshmallow schemas of the interactions service's RPC payloads (what it answers with is in
views.py).

Loading a payload checks every field at once (types, lengths, UUIDs, times, choices, and the
fields each kind needs through domain/kinds.py), so a caller hears of every bad field in one
ValidationError before anything is written.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from crm_kit.errors import ValidationError as CrmValidationError
from crm_kit.fields import (
    Id,
    Moment,
    Payload,
    one_of,
    optional_date,
    optional_id,
    optional_moment,
    optional_one_of,
    optional_text,
    page_size,
    required_text,
    text,
)
from services.interactions.domain import calls as call_rules
from services.interactions.domain import kinds as kind_rules
from services.interactions.domain import status as status_rules


class ParticipantIn(Payload):
    name = optional_text(300)
    phone = optional_text(40)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    partner_id = optional_id()
    contact_id = optional_id()
    user_id = optional_text(64)

    @validates_schema
    def _someone(self, data, **_):
        if not any(data.get(k) for k in ("name", "phone", "email", "partner_id", "contact_id", "user_id")):
            raise ValidationError({"name": ["give a name, phone, email or a link to a partner, contact or user"]})


class InteractionIn(Payload):
    kind = one_of(kind_rules.KINDS, required=True)
    status = optional_one_of(status_rules.STATUSES)
    title = optional_text(300)
    subject_kind = one_of(kind_rules.SUBJECT_KINDS, required=True)
    subject_id = Id(required=True)
    partner_id = optional_id()
    reply_to_id = optional_id()
    planned_at = optional_moment()
    occurred_at = optional_moment()
    place = optional_text(500)
    outcome = optional_text(10000)
    direction = optional_one_of(kind_rules.DIRECTIONS)
    from_number = optional_text(40)
    to_number = optional_text(40)
    duration_s = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=86400 * 2))
    recording_url = fields.Url(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    email_subject = optional_text(500)
    body = optional_text(100000)
    email_from = fields.Email(load_default=None, allow_none=True)
    email_to = fields.List(fields.Email(), load_default=None, allow_none=True, validate=validate.Length(max=100))
    thread_id = optional_text(300)
    remind_at = optional_moment()
    responsible_id = optional_text(64)
    region = optional_text(100)
    department = optional_text(100)
    participants = fields.List(fields.Nested(ParticipantIn), load_default=list, validate=validate.Length(max=200))

    @validates_schema(skip_on_field_errors=False)
    def _kind_fields(self, data, **_):
        if data.get("kind") not in kind_rules.KINDS:
            return
        try:
            kind_rules.check_kind_fields(data["kind"], data)
        except CrmValidationError as exc:
            raise ValidationError(exc.details) from None


class FollowUpIn(Payload):
    """A follow-up: subject, partner and responsible come from the interaction it follows."""

    kind = one_of(kind_rules.KINDS, load_default=kind_rules.PLANNED)
    title = optional_text(300)
    planned_at = optional_moment()
    place = optional_text(500)
    remind_at = optional_moment()
    responsible_id = optional_text(64)

    @validates_schema(skip_on_field_errors=False)
    def _kind_fields(self, data, **_):
        if data.get("kind", kind_rules.PLANNED) not in kind_rules.KINDS:
            return
        try:
            kind_rules.check_kind_fields(data.get("kind", kind_rules.PLANNED), data)
        except CrmValidationError as exc:
            raise ValidationError(exc.details) from None


UPDATABLE = ("title", "planned_at", "place", "outcome", "remind_at", "duration_s", "recording_url")


class InteractionChanges(Payload):
    title = text(300, allow_none=True)
    planned_at = Moment(allow_none=True)
    place = text(500, allow_none=True)
    outcome = text(10000, allow_none=True)
    remind_at = Moment(allow_none=True)
    duration_s = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=86400 * 2))
    recording_url = fields.Url(allow_none=True, validate=validate.Length(max=2000))


class StatusIn(Payload):
    status = one_of(status_rules.STATUSES, required=True)
    outcome = optional_text(10000)
    planned_at = optional_moment()


class LinkIn(Payload):
    """A hand-made link of a participant."""

    partner_id = optional_id()
    contact_id = optional_id()
    user_id = optional_text(64)

    @validates_schema
    def _something(self, data, **_):
        if not any(data.get(k) for k in ("partner_id", "contact_id", "user_id")):
            raise ValidationError({"partner_id": ["give partner_id, contact_id or user_id"]})


class CalendarIn(Payload):
    user_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)


class ListCallsIn(Payload):
    partner_id = optional_id()
    responsible_id = optional_text(64)
    state = optional_one_of(call_rules.STATES)
    date_from = optional_date()
    date_to = optional_date()
    limit = page_size(100, 1000)


class ListTasksIn(Payload):
    assignee_id = optional_text(64)
    partner_id = optional_id()
    status = one_of(("open", "done", "all"), load_default="open")
    limit = page_size(100, 1000)


class ExtensionIn(Payload):
    extension = required_text(200)
    user_id = required_text(64)
    region = optional_text(100)
    department = optional_text(100)
