"""The call-event contract between a PBX (or its adapter) and the interactions service.

One event is a JSON object::

    {"call_id": "c-1", "event_id": "c-1:ringing:1", "kind": "ringing", "direction": "incoming",
     "caller": "+7 495 123-45-67", "callee": "101", "extension": "101",
     "occurred_at": "2026-11-23T10:00:00+03:00"}

``ended`` also carries ``duration_s`` (whole seconds, >= 0), ``transferred`` carries
``transferred_to`` (the extension or number the call went to); ``recording_url`` is optional.
Numbers are kept as the PBX gives them; the consumer normalises them. Fields the contract
does not name are ignored.

:func:`validate_call_event` checks an event by hand: it runs for every one of thousands of
events a second (the gateway's Telephony API, the publisher, the interactions consumer), where
a marshmallow load would cost several times as much. :class:`CallEvent` says the same in
marshmallow for the catalogue (docs/asyncapi.yaml); a test holds the two to one verdict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from marshmallow import EXCLUDE, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from crm_kit.contracts import EventData, Moment
from crm_kit.errors import ValidationError

CALL_KINDS = ("ringing", "answered", "ended", "missed", "transferred")
DIRECTIONS = ("incoming", "outgoing")
EXCHANGE = "telephony.calls"
QUEUE = "telephony.calls.interactions"
BINDING_KEY = "call.#"

REQUIRED_TEXT = ("call_id", "event_id", "caller", "callee")
OPTIONAL_TEXT = ("extension",)
MAX_TEXT = 200


def routing_key(kind: str) -> str:
    return f"call.{kind}"


def _text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != "" and len(value) <= MAX_TEXT


def _aware_iso(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None and parsed.utcoffset() is not None


def validate_call_event(event: dict) -> dict:
    """Return the event (a copy, with its known fields only) or raise ``ValidationError`` naming
    every bad field."""
    if not isinstance(event, dict):
        raise ValidationError("a call event must be a JSON object", {"event": ["must be an object"]})
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in REQUIRED_TEXT:
        if field not in event or event[field] is None:
            bad(field, "is required")
        elif not _text(event[field]):
            bad(field, f"must be a non-empty string of at most {MAX_TEXT} characters")
    for field in OPTIONAL_TEXT:
        if event.get(field) is not None and not _text(event[field]):
            bad(field, f"must be a non-empty string of at most {MAX_TEXT} characters")

    kind = event.get("kind")
    if kind is None:
        bad("kind", "is required")
    elif kind not in CALL_KINDS:
        bad("kind", f"must be one of {', '.join(CALL_KINDS)}")
    direction = event.get("direction")
    if direction is None:
        bad("direction", "is required")
    elif direction not in DIRECTIONS:
        bad("direction", f"must be one of {', '.join(DIRECTIONS)}")

    if event.get("occurred_at") is None:
        bad("occurred_at", "is required")
    elif not _aware_iso(event["occurred_at"]):
        bad("occurred_at", "must be an ISO 8601 time with an offset, like 2026-11-23T10:00:00+03:00")

    duration = event.get("duration_s")
    if kind == "ended" and duration is None:
        bad("duration_s", "is required for an ended call")
    if duration is not None:
        if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
            bad("duration_s", "must be a whole number of seconds, 0 or more")
        elif kind in CALL_KINDS and kind != "ended":
            bad("duration_s", "only an ended event carries a duration")

    transferred_to = event.get("transferred_to")
    if kind == "transferred" and transferred_to is None:
        bad("transferred_to", "is required for a transferred call")
    if transferred_to is not None:
        if not _text(transferred_to):
            bad("transferred_to", f"must be a non-empty string of at most {MAX_TEXT} characters")
        elif kind in CALL_KINDS and kind != "transferred":
            bad("transferred_to", "only a transferred event carries transferred_to")

    recording_url = event.get("recording_url")
    if recording_url is not None:
        parts = urlsplit(recording_url) if isinstance(recording_url, str) else None
        if not (parts and parts.scheme in ("http", "https") and parts.netloc):
            bad("recording_url", "must be an http(s) URL")

    if errors:
        names = ", ".join(sorted(errors))
        raise ValidationError(f"bad call event: {names}", errors)

    clean = {field: event[field] for field in (*REQUIRED_TEXT, "kind", "direction", "occurred_at")}
    for field in ("extension", "duration_s", "transferred_to", "recording_url"):
        if event.get(field) is not None:
            clean[field] = event[field]
    return clean


# --- the same contract for the catalogue -------------------------------------------------------

class _Text(fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=[validate.Length(min=1, max=MAX_TEXT), validate.Regexp(r"\S")], **kwargs)


class _WholeSeconds(fields.Integer):
    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


def _http_url(value: str) -> bool:
    parts = urlsplit(value)
    if not (parts.scheme in ("http", "https") and parts.netloc):
        raise SchemaError("must be an http(s) URL")
    return True


class CallEvent(EventData):
    """Something happened to a call (``kind``): ringing, answered, transferred (``transferred_to``),
    ended (``duration_s``) or missed. ``event_id`` is unique per event: the consumer applies each
    once, in whatever order they come."""

    class Meta:
        unknown = EXCLUDE

    call_id = _Text(required=True)
    event_id = _Text(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CALL_KINDS))
    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS))
    caller = _Text(required=True)
    callee = _Text(required=True)
    extension = _Text(allow_none=True)
    occurred_at = Moment(required=True)
    duration_s = _WholeSeconds(strict=True, allow_none=True, validate=validate.Range(min=0))
    transferred_to = _Text(allow_none=True)
    recording_url = fields.String(allow_none=True, validate=_http_url)

    @validates_schema(skip_on_field_errors=False)
    def _kind_fields(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        kind = data.get("kind")
        if kind == "ended" and data.get("duration_s") is None:
            errors["duration_s"] = ["is required for an ended call"]
        elif kind in CALL_KINDS and kind != "ended" and data.get("duration_s") is not None:
            errors["duration_s"] = ["only an ended event carries a duration"]
        if kind == "transferred" and data.get("transferred_to") is None:
            errors["transferred_to"] = ["is required for a transferred call"]
        elif kind in CALL_KINDS and kind != "transferred" and data.get("transferred_to") is not None:
            errors["transferred_to"] = ["only a transferred event carries transferred_to"]
        if errors:
            raise SchemaError(errors)


EXAMPLE = {
    "call_id": "pbx-20261123-000017", "event_id": "pbx-20261123-000017:ringing:1", "kind": "ringing",
    "direction": "incoming", "caller": "+7 495 123-45-00", "callee": "+7 495 150-00-00", "extension": "101",
    "occurred_at": "2026-11-23T10:00:00+03:00",
}
