"""Every time field and every text field of every request of the public API is checked before
a servicer sees it: generated over the proto descriptors, so a new method or field is covered
by itself."""

from __future__ import annotations

import pytest
from crm.v1 import card_pb2, deals_pb2, interactions_pb2, partners_pb2, telephony_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message_factory import GetMessageClass

from crm_kit.errors import ValidationError
from gateway.request_checks import MAX_SECONDS, TIMESTAMP, check_request

MODULES = (card_pb2, deals_pb2, interactions_pb2, partners_pb2, telephony_pb2)


def _time_paths(descriptor, prefix=(), depth=0):
    """(path of field descriptors) to every Timestamp reachable in a message, a few levels deep."""
    for field in descriptor.fields:
        if field.message_type is None or field.message_type.GetOptions().map_entry:
            continue
        path = (*prefix, field)
        if field.message_type.full_name == TIMESTAMP:
            yield path
        elif depth < 3:
            yield from _time_paths(field.message_type, path, depth + 1)


def _cases():
    for module in MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                for path in _time_paths(method.input_type):
                    yield pytest.param(method.input_type, path, id=f"{method.full_name}:{'.'.join(f.name for f in path)}")


CASES = list(_cases())


def _set_time(message, path, seconds, nanos=0):
    names = []
    for field in path[:-1]:
        if field.is_repeated:
            message = getattr(message, field.name).add()
            names += [field.name, "0"]
        else:
            message = getattr(message, field.name)
            names.append(field.name)
    last = path[-1]
    stamp = getattr(message, last.name).add() if last.is_repeated else getattr(message, last.name)
    names += [last.name, "0"] if last.is_repeated else [last.name]
    stamp.seconds, stamp.nanos = seconds, nanos
    return ".".join(names)


def test_the_public_api_has_time_fields_to_check():
    assert len(CASES) >= 10


@pytest.mark.parametrize(("descriptor", "path"), CASES)
def test_an_out_of_range_time_anywhere_is_invalid_argument_naming_it(descriptor, path):
    request = GetMessageClass(descriptor)()
    name = _set_time(request, path, MAX_SECONDS + 1)
    with pytest.raises(ValidationError) as refused:
        check_request(request)
    assert list(refused.value.details) == [name]
    fine = GetMessageClass(descriptor)()
    _set_time(fine, path, MAX_SECONDS, 999_999_999)
    check_request(fine)
    negative_nanos = GetMessageClass(descriptor)()
    _set_time(negative_nanos, path, 0, -1)
    with pytest.raises(ValidationError):
        check_request(negative_nanos)


# --- text ---------------------------------------------------------------------------------

STRING = FieldDescriptor.TYPE_STRING
# NUL and the other control characters no text may hold (tab, line feed and carriage return may).
BAD_CHARACTERS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"]
HONEST = "Строка один\nстрока два\r\n\tс табуляцией — «кавычки», emoji 🙂"


def _is_map(field) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def text_paths(descriptor, prefix=(), depth=0):
    """(path of field descriptors) to every string reachable in a message, a few levels deep; a
    map of strings ends a path (its keys and values are text)."""
    for field in descriptor.fields:
        path = (*prefix, field)
        if _is_map(field):
            entry = field.message_type.fields_by_name
            if entry["key"].type == STRING or entry["value"].type == STRING:
                yield path
        elif field.message_type is not None:
            if field.message_type.full_name != TIMESTAMP and depth < 3:
                yield from text_paths(field.message_type, path, depth + 1)
        elif field.type == STRING:
            yield path


def set_text(message, path, text: str, *, in_key: bool = False) -> str:
    """Put ``text`` at ``path`` (the first element of repeated fields, a map entry ``k``; with
    ``in_key`` as a map's key) and answer the field's name as a violation names it."""
    names = []
    for field in path[:-1]:
        if field.is_repeated:
            message = getattr(message, field.name).add()
            names += [field.name, "0"]
        else:
            message = getattr(message, field.name)
            names.append(field.name)
    last = path[-1]
    if _is_map(last):
        entry = last.message_type.fields_by_name
        target = getattr(message, last.name)
        if in_key or entry["value"].type != STRING:
            target[text] = "" if entry["value"].type == STRING else 0
            return ".".join([*names, last.name])
        target["k"] = text
        return ".".join([*names, last.name, "k"])
    if last.is_repeated:
        getattr(message, last.name).append(text)
        return ".".join([*names, last.name, "0"])
    setattr(message, last.name, text)
    return ".".join([*names, last.name])


def request_methods():
    for module in MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            yield from service.methods


def _text_cases():
    for method in request_methods():
        for path in text_paths(method.input_type):
            yield pytest.param(method.input_type, path, id=f"{method.full_name}:{'.'.join(f.name for f in path)}")


TEXT_CASES = list(_text_cases())


def test_the_public_api_has_text_fields_to_check():
    assert len(TEXT_CASES) >= 100
    methods = {case.id.split(":")[0] for case in TEXT_CASES}
    assert {"crm.v1.Deals.RecordPayment", "crm.v1.Partners.RegisterPartner", "crm.v1.Telephony.PublishCallEvent"} <= methods


@pytest.mark.parametrize(("descriptor", "path"), TEXT_CASES)
def test_a_control_character_in_any_text_is_invalid_argument_naming_it(descriptor, path):
    for bad in BAD_CHARACTERS:
        request = GetMessageClass(descriptor)()
        name = set_text(request, path, f"a{bad}b")
        with pytest.raises(ValidationError) as refused:
            check_request(request)
        assert list(refused.value.details) == [name], repr(bad)
        assert bad not in refused.value.message
    if _is_map(path[-1]) and path[-1].message_type.fields_by_name["key"].type == STRING:
        request = GetMessageClass(descriptor)()
        name = set_text(request, path, "bad\x00key", in_key=True)
        with pytest.raises(ValidationError) as refused:
            check_request(request)
        assert list(refused.value.details) == [name]


@pytest.mark.parametrize(("descriptor", "path"), TEXT_CASES)
def test_honest_text_with_newlines_and_tabs_passes(descriptor, path):
    request = GetMessageClass(descriptor)()
    set_text(request, path, HONEST)
    check_request(request)


def test_every_bad_field_of_a_request_is_named_at_once():
    request = deals_pb2.RecordPaymentRequest(invoice_id="i\x00", payment={"external_id": "bank\x00"}, request_id="k\x00")
    with pytest.raises(ValidationError) as refused:
        check_request(request)
    assert sorted(refused.value.details) == ["invoice_id", "payment.external_id", "request_id"]
