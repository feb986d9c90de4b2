"""marshmallow at the RPC boundary: a bad payload becomes a ValidationError naming each field."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

import marshmallow
from marshmallow import Schema

from crm_kit.clock import aware
from crm_kit.errors import ValidationError


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"contacts.0.phones.1": ["..."]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "_schema"
            for sub_path, sub_messages in _flatten(value, path).items():
                flat.setdefault(sub_path, []).extend(sub_messages)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, dict | list | tuple):
                for sub_path, sub_messages in _flatten(item, prefix).items():
                    flat.setdefault(sub_path, []).extend(sub_messages)
            else:
                flat.setdefault(prefix or "_schema", []).append(str(item))
    else:
        flat.setdefault(prefix or "_schema", []).append(str(messages))
    return flat


# What no text anywhere may hold: NUL and the other control characters but tab, line feed and
# carriage return, and lone surrogates (not UTF-8). The database refuses them (an INTERNAL error
# instead of a named field), and no person types them.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
UNSTORABLE_MESSAGE = "contains a control character (such as NUL) or an invalid code point"


def unstorable_text(value: Any, prefix: str = "") -> dict[str, list[str]]:
    """Every text in ``value`` (nested dicts and lists, keys included) that no field may hold,
    by its path (``contacts.0.full_name``)."""
    found: dict[str, list[str]] = {}
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            found[prefix or "_schema"] = [UNSTORABLE_MESSAGE]
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and _UNSTORABLE.search(key):
                found[prefix or "_schema"] = [f"a key {UNSTORABLE_MESSAGE}"]
                continue
            found.update(unstorable_text(item, path))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.update(unstorable_text(item, f"{prefix}.{index}" if prefix else str(index)))
    return found


def load(schema: Schema, payload: Any, *, what: str = "payload", partial: bool = False) -> Any:
    """Validate and deserialise ``payload``; raise :class:`ValidationError` naming every bad field.
    Text that no field may hold (:func:`unstorable_text`) is refused first, whatever the schema."""
    if payload is None:
        raise ValidationError(f"{what} is required", {what: ["required"]})
    if not isinstance(payload, dict) and not schema.many:
        raise ValidationError(f"{what} must be an object", {what: ["must be an object"]})
    field_errors(unstorable_text(payload), what)
    try:
        return schema.load(payload, partial=partial)
    except marshmallow.ValidationError as exc:
        fields = _flatten(exc.messages)
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in sorted(fields.items()))
        raise ValidationError(f"invalid {what}: {summary}", fields) from None


def field_errors(errors: dict[str, list[str]], what: str = "payload") -> None:
    """Raise one ValidationError for the collected ``errors`` (nothing when empty)."""
    if errors:
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in sorted(errors.items()))
        raise ValidationError(f"invalid {what}: {summary}", errors)


# --- plain RPC arguments (ids, dates) checked the same way in every service ---------------

def uuid_arg(value: Any, field: str) -> str:
    """An id argument of an RPC, checked: a malformed id is bad input, not 'not found'."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError.for_field(field, f"{value!r} is not a valid id") from None


def date_arg(value: Any, field: str) -> date | None:
    """An optional ISO date argument of an RPC."""
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError.for_field(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def datetime_arg(value: Any, field: str) -> datetime | None:
    """An optional ISO date-time argument of an RPC; one without an offset is UTC."""
    if value in (None, ""):
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError.for_field(field, f"{value!r} is not a date and time (ISO 8601)") from None
    return aware(moment)
