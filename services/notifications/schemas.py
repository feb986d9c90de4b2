"""marshmallow schemas of the notifications service's RPC payloads (what it answers with is in
views.py). Loading a payload checks every field at once, so a caller hears of every bad field
in one ValidationError before anything is written."""

from __future__ import annotations

from marshmallow import fields, validate

from crm_kit.fields import Payload, one_of, optional_id, optional_moment, optional_one_of, optional_text, page_size, required_text
from services.notifications.domain.consent import CONSENT_SOURCES, SUBSCRIBED, SUPPRESSION_REASONS, UNSUBSCRIBED
from services.notifications.domain.groups import GROUP_KINDS, MAILING_STATUSES
from services.notifications.domain.templates import CHANNELS

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,99}$", error="lower-case letters, digits and _, starting with a letter")
MESSAGE_STATUSES = ("queued", "sending", "sent", "failed", "bounced", "suppressed", "cancelled")


class TemplatePayload(Payload):
    """A template to save (a new version when its code and channel exist)."""

    code = fields.String(required=True, validate=CODE)
    channel = one_of(CHANNELS, required=True)
    name = required_text(200)
    variables = fields.List(fields.String(validate=validate.Length(min=1, max=64)), load_default=list, validate=validate.Length(max=100))
    subject = optional_text(1000)
    text = required_text(100_000)
    html = optional_text(500_000)


class TemplateRef(Payload):
    """A stored template: its code and channel, and a version (default: the newest)."""

    code = fields.String(required=True, validate=CODE)
    channel = one_of(CHANNELS, load_default="email")
    version = fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1))


class PreviewPayload(Payload):
    """What to preview: a stored template (``code``, ``channel``, ``version``) or a draft
    (``template``), with the values of its variables (default: the kind's example)."""

    code = fields.String(load_default=None, allow_none=True, validate=CODE)
    channel = one_of(CHANNELS, load_default="email")
    version = fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(min=1))
    template = fields.Nested(TemplatePayload, load_default=None, allow_none=True)
    variables = fields.Dict(keys=fields.String(), load_default=None, allow_none=True)


class StaffContactPayload(Payload):
    """Where a user is reached: an email and/or a mobile phone."""

    full_name = optional_text(300)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    phone = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\+[1-9][0-9]{7,14}$", error="an E.164 number (+79161234567)")
    )


class MessageFilters(Payload):
    """Messages by partner, recipient user, kind, status; newest first."""

    partner_id = fields.UUID(load_default=None, allow_none=True)
    user_id = optional_text(64)
    kind = optional_text(100)
    status = optional_one_of(MESSAGE_STATUSES)
    limit = page_size(50, 500)


ADDRESS = validate.Length(max=320)


class SubscribePayload(Payload):
    """An address's consent to a marketing topic: how (``source``) and when (``consent_at``,
    default now) it was given, and whose address it is (``partner_id``, ``contact_id``)."""

    address = fields.Email(required=True, validate=ADDRESS)
    topic = fields.String(required=True, validate=CODE)
    source = one_of(CONSENT_SOURCES, required=True)
    consent_at = optional_moment()
    note = optional_text(1000)
    partner_id = optional_id()
    contact_id = optional_id()


class UnsubscribePayload(Payload):
    """An unsubscribe recorded by staff (a call, a letter): the address and the topic."""

    address = fields.Email(required=True, validate=ADDRESS)
    topic = fields.String(required=True, validate=CODE)
    source = one_of(CONSENT_SOURCES, load_default="api")


class SubscriptionFilters(Payload):
    address = fields.Email(load_default=None, allow_none=True, validate=ADDRESS)
    partner_id = optional_id()
    topic = fields.String(load_default=None, allow_none=True, validate=CODE)
    status = optional_one_of((SUBSCRIBED, UNSUBSCRIBED))
    limit = page_size(50, 500)


class SuppressPayload(Payload):
    """An address put on the suppression list for a reason, with why."""

    address = fields.Email(required=True, validate=ADDRESS)
    reason = one_of(SUPPRESSION_REASONS, required=True)
    detail = optional_text(1000)


class UnsuppressPayload(Payload):
    address = fields.Email(required=True, validate=ADDRESS)
    reason = one_of(SUPPRESSION_REASONS, required=True)


class SuppressionFilters(Payload):
    address = fields.Email(load_default=None, allow_none=True, validate=ADDRESS)
    reason = optional_one_of(SUPPRESSION_REASONS)
    limit = page_size(50, 500)


class GroupMembers(Payload):
    """A static group's members: partners (each reached at its recipients) and contacts."""

    partner_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=10_000))
    contact_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=10_000))


class GroupPayload(Payload):
    """A mailing group: static (``members``) or dynamic (``conditions``, domain/groups.py);
    ``region``, ``department``: whose it is (default: the caller's department)."""

    name = required_text(200)
    kind = one_of(GROUP_KINDS, required=True)
    members = fields.Nested(GroupMembers, load_default=None, allow_none=True)
    conditions = fields.List(fields.Raw(), load_default=None, allow_none=True)
    region = optional_text(100)
    department = optional_text(100)


class MailingPayload(Payload):
    """A mailing: its email template, its group, the marketing topic its recipients must be
    subscribed to, and when it goes (``scheduled_at``: none keeps it a draft)."""

    name = required_text(200)
    topic = fields.String(required=True, validate=CODE)
    template_code = fields.String(required=True, validate=CODE)
    group_id = fields.UUID(required=True)
    scheduled_at = optional_moment()


class ScheduleMailing(Payload):
    scheduled_at = optional_moment()


class MailingFilters(Payload):
    status = optional_one_of(MAILING_STATUSES)
    group_id = optional_id()
    limit = page_size(50, 500)
