"""Between protobuf messages and the JSON payloads services speak.

Services answer plain JSON values (ids as strings, decimals as strings such as "30.00", dates as
"2026-11-23", times as ISO 8601). The public API wraps decimals in ``crm.v1.Decimal``, dates in
``crm.v1.Date`` and times in ``google.protobuf.Timestamp``; both directions are driven by the
message descriptors, so a new field needs no code here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

DECIMAL = "crm.v1.Decimal"
DATE = "crm.v1.Date"
TIMESTAMP = "google.protobuf.Timestamp"
STRUCT = "google.protobuf.Struct"

M = TypeVar("M", bound=Message)


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _repeated(field: FieldDescriptor) -> bool:
    return field.is_repeated


def _to_json(value: Any, field: FieldDescriptor) -> Any:
    """A service value as proto3 JSON for ``field`` (one element when repeated)."""
    message = field.message_type
    if message is None:
        return value
    name = message.full_name
    if name == DECIMAL:
        return {"value": str(value)}
    if name == DATE:
        return {"iso": str(value)}
    if name == TIMESTAMP:
        return _rfc3339(value)
    if name == STRUCT:
        return value
    if isinstance(value, dict):
        return _dict_to_json(value, message)
    return value


def _rfc3339(value: Any) -> str:
    """A service time (ISO 8601, with or without offset: SQLite drops it) as RFC 3339, UTC assumed."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _dict_to_json(data: dict[str, Any], descriptor: Descriptor) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = descriptor.fields_by_name.get(key)
        if field is None or value is None:
            continue  # the API does not show it, or it is unset
        if _is_map(field):
            out[key] = {str(k): str(v) for k, v in value.items()}
        elif _repeated(field):
            out[key] = [_to_json(item, field) for item in value if item is not None]
        else:
            out[key] = _to_json(value, field)
    return out


def to_message(data: dict[str, Any], cls: type[M]) -> M:
    """A service's answer as the API message ``cls`` (fields the API lacks are left out)."""
    return json_format.ParseDict(_dict_to_json(data, cls.DESCRIPTOR), cls(), ignore_unknown_fields=True)


def _from_json(value: Any, field: FieldDescriptor) -> Any:
    message = field.message_type
    if message is None:
        return value
    if message.full_name == DECIMAL:
        return value.get("value") if isinstance(value, dict) else value
    if message.full_name == DATE:
        return value.get("iso") if isinstance(value, dict) else value
    if isinstance(value, dict) and message.full_name not in (TIMESTAMP, STRUCT):
        return _json_to_dict(value, message)
    return value


def _json_to_dict(data: dict[str, Any], descriptor: Descriptor) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = descriptor.fields_by_name.get(key)
        if field is None:
            continue
        if _is_map(field):
            out[key] = dict(value)
        elif _repeated(field):
            out[key] = [_from_json(item, field) for item in value]
        else:
            out[key] = _from_json(value, field)
    return out


def to_payload(message: Message, *, only: list[str] | None = None) -> dict[str, Any]:
    """The fields a client set in ``message``, as a service payload.

    proto3 cannot tell an empty string from an unset one, so empty values are left out, except
    for the fields named in ``only`` (an update mask): those are sent even when empty, which
    clears them.
    """
    raw = json_format.MessageToDict(message, preserving_proto_field_name=True, use_integers_for_enums=False)
    payload = _json_to_dict(raw, message.DESCRIPTOR)
    if only is None:
        return payload
    chosen: dict[str, Any] = {}
    for path in only:
        field = message.DESCRIPTOR.fields_by_name.get(path)
        if field is None:
            continue  # rejected by the caller's mask check
        if path in payload:
            chosen[path] = payload[path]
        elif _repeated(field) or _is_map(field):
            chosen[path] = {} if _is_map(field) else []
        elif field.message_type is None:
            chosen[path] = None if field.type == FieldDescriptor.TYPE_STRING else getattr(message, path)
        else:
            chosen[path] = None
    return chosen


def blank_to_none(value: str) -> str | None:
    """proto3's empty string as the services' "not given"."""
    return value or None
