"""What every request message is checked for before a servicer sees it.

protobuf lets a client send a ``google.protobuf.Timestamp`` of any ``seconds``/``nanos``; one
outside what RFC 3339 (and Python, and the services' databases) can hold made the conversion
fail deep inside a servicer as INTERNAL, even in a field the method ignores. Likewise text with
a NUL (or another control character but tab, line feed and carriage return) in any field, ids
and filters included, reached the database, which refused it: INTERNAL again. Every timestamp
and every string set anywhere in the request (nested, repeated, map keys and values) is
checked here, and a bad one is an INVALID_ARGUMENT naming its field; the request never reaches
a service. The text rule is the kit's (``crm_kit.validation.unstorable_text``), which the
services apply to every payload as well, for callers over AMQP.
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from crm_kit.errors import ValidationError
from crm_kit.validation import UNSTORABLE_MESSAGE, unstorable_text

TIMESTAMP = "google.protobuf.Timestamp"
# 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z, as google/protobuf/timestamp.proto says.
MIN_SECONDS, MAX_SECONDS = -62_135_596_800, 253_402_300_799
TIME_MESSAGE = "a time between 0001-01-01 and 9999-12-31 (UTC), with nanos from 0 to 999,999,999"
TEXT_MESSAGE = UNSTORABLE_MESSAGE
KEY_MESSAGE = f"a key {UNSTORABLE_MESSAGE}"
_STRING = FieldDescriptor.TYPE_STRING


def _bad_text(value: str) -> bool:
    return bool(unstorable_text(value))


def _bad_fields(message: Message, prefix: str, found: dict[str, list[str]]) -> None:
    for field, value in message.ListFields():
        path = f"{prefix}.{field.name}" if prefix else field.name
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field, value_field = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
            for key, item in value.items():
                if key_field.type == _STRING and _bad_text(key):
                    found[path] = [KEY_MESSAGE]  # not named by the key itself: it holds the bad text
                    continue
                item_path = f"{path}.{key}"
                if value_field.message_type is not None:
                    _check(item, item_path, found)
                elif value_field.type == _STRING and _bad_text(item):
                    found[item_path] = [TEXT_MESSAGE]
        elif field.message_type is not None:
            if field.is_repeated:
                for index, item in enumerate(value):
                    _check(item, f"{path}.{index}", found)
            else:
                _check(value, path, found)
        elif field.type == _STRING:
            if field.is_repeated:
                for index, item in enumerate(value):
                    if _bad_text(item):
                        found[f"{path}.{index}"] = [TEXT_MESSAGE]
            elif _bad_text(value):
                found[path] = [TEXT_MESSAGE]


def _check(message: Message, path: str, found: dict[str, list[str]]) -> None:
    if message.DESCRIPTOR.full_name == TIMESTAMP:
        if not (MIN_SECONDS <= message.seconds <= MAX_SECONDS and 0 <= message.nanos <= 999_999_999):
            found[path] = [TIME_MESSAGE]
        return
    _bad_fields(message, path, found)


def check_request(request: object) -> None:
    """Raise ValidationError naming every out-of-range time and every string with a control
    character in ``request`` (a message)."""
    if not isinstance(request, Message):
        return
    found: dict[str, list[str]] = {}
    _bad_fields(request, "", found)
    if found:
        summary = "; ".join(f"{path}: {messages[0]}" for path, messages in sorted(found.items()))
        raise ValidationError(f"invalid request: {summary}", found)
