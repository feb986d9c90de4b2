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


def _utc(value: Any) -> datetime:
    """A service time (ISO 8601, with or without offset: SQLite drops it), UTC assumed."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _rfc3339(value: Any) -> str:
    """A service time as RFC 3339."""
    return _utc(value).isoformat().replace("+00:00", "Z")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    """A service's answer as the API message ``cls`` (fields the API lacks are left out).

    Set field by field from the descriptors (a client card's conversion through proto3 JSON
    parsing cost about a fifth of the gateway's time); what that direct path does not set
    itself (text for a number, other well-known types, a value of the wrong type) goes through
    proto3 JSON parsing as before, with its result and its errors."""
    message = cls()
    try:
        _fill(message, data)
    except (TypeError, ValueError, KeyError, AttributeError):
        return json_format.ParseDict(_dict_to_json(data, cls.DESCRIPTOR), cls(), ignore_unknown_fields=True)
    return message


class _Indirect(TypeError):
    """A value the direct path leaves to proto3 JSON parsing."""


def _fill(message: Message, data: dict[str, Any]) -> None:
    if not isinstance(data, dict):
        raise _Indirect("not an object")
    fields = message.DESCRIPTOR.fields_by_name
    for key, value in data.items():
        field = fields.get(key)
        if field is None or value is None:
            continue  # the API does not show it, or it is unset
        if _is_map(field):
            entry = field.message_type.fields_by_name
            if entry["key"].type != FieldDescriptor.TYPE_STRING or entry["value"].type != FieldDescriptor.TYPE_STRING:
                raise _Indirect("a map of other than text")
            target = getattr(message, key)
            for k, v in value.items():
                target[str(k)] = str(v)
        elif _repeated(field):
            items = [item for item in value if item is not None]
            if field.message_type is None:
                getattr(message, key).extend([_scalar(item, field) for item in items])
            else:
                container = getattr(message, key)
                for item in items:
                    _set_message(container.add(), item)
        elif field.message_type is None:
            setattr(message, key, _scalar(value, field))
        else:
            _set_message(getattr(message, key), value)


def _scalar(value: Any, field: FieldDescriptor) -> Any:
    if field.type == FieldDescriptor.TYPE_BYTES:
        raise _Indirect("bytes")  # base64 text in proto3 JSON
    if field.enum_type is not None and isinstance(value, str):
        return field.enum_type.values_by_name[value].number
    return value


def _set_message(target: Message, value: Any) -> None:
    name = target.DESCRIPTOR.full_name
    if name == DECIMAL:
        target.value = str(value)
    elif name == DATE:
        target.iso = str(value)
    elif name == TIMESTAMP:
        since = _utc(value) - _EPOCH
        target.seconds = since.days * 86400 + since.seconds
        target.nanos = since.microseconds * 1000
    elif name == STRUCT:
        if not isinstance(value, dict):
            raise _Indirect("a Struct of other than an object")
        target.update(value)
    elif name.startswith("google.protobuf."):
        raise _Indirect(name)
    else:
        _fill(target, value)
        target.SetInParent()  # present, also when empty


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
