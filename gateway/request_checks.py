"""What every request message is checked for before a servicer sees it.

protobuf lets a client send a ``google.protobuf.Timestamp`` of any ``seconds``/``nanos``; one
outside what RFC 3339 (and Python, and the services' databases) can hold made the conversion
fail deep inside a servicer as INTERNAL, even in a field the method ignores. Every timestamp
set anywhere in the request (nested, repeated, in maps) is checked here and a bad one is an
INVALID_ARGUMENT naming its field.
"""

from __future__ import annotations

from google.protobuf.message import Message

from crm_kit.errors import ValidationError

TIMESTAMP = "google.protobuf.Timestamp"
# 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, as google/protobuf/timestamp.proto says.
MIN_SECONDS, MAX_SECONDS = -62_135_596_800, 253_402_300_799
TIME_MESSAGE = "a time between 0001-01-01 and 9999-12-31 (UTC), with nanos from 0 to 999,999,999"


def _bad_times(message: Message, prefix: str, found: dict[str, list[str]]) -> None:
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        path = f"{prefix}.{field.name}" if prefix else field.name
        if field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            if value_field.message_type is not None:
                for key, item in value.items():
                    _check(item, f"{path}.{key}", found)
        elif field.is_repeated:
            for index, item in enumerate(value):
                _check(item, f"{path}.{index}", found)
        else:
            _check(value, path, found)


def _check(message: Message, path: str, found: dict[str, list[str]]) -> None:
    if message.DESCRIPTOR.full_name == TIMESTAMP:
        if not (MIN_SECONDS <= message.seconds <= MAX_SECONDS and 0 <= message.nanos <= 999_999_999):
            found[path] = [TIME_MESSAGE]
        return
    _bad_times(message, path, found)


def check_request(request: object) -> None:
    """Raise ValidationError naming every out-of-range time in ``request`` (a message)."""
    if not isinstance(request, Message):
        return
    found: dict[str, list[str]] = {}
    _bad_times(request, "", found)
    if found:
        raise ValidationError(f"invalid request: {', '.join(sorted(found))}: {TIME_MESSAGE}", found)
