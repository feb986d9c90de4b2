"""Every time field of every request of the public API is checked before a servicer sees it:
generated over the proto descriptors, so a new method or field is covered by itself."""

from __future__ import annotations

import pytest
from crm.v1 import card_pb2, deals_pb2, interactions_pb2, partners_pb2, telephony_pb2
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
