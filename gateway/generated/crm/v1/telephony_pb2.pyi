from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CallEvent(_message.Message):
    __slots__ = ("call_id", "event_id", "kind", "direction", "caller", "callee", "extension", "occurred_at", "duration_s", "transferred_to", "recording_url")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    CALLEE_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_TO_FIELD_NUMBER: _ClassVar[int]
    RECORDING_URL_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    event_id: str
    kind: str
    direction: str
    caller: str
    callee: str
    extension: str
    occurred_at: str
    duration_s: int
    transferred_to: str
    recording_url: str
    def __init__(self, call_id: _Optional[str] = ..., event_id: _Optional[str] = ..., kind: _Optional[str] = ..., direction: _Optional[str] = ..., caller: _Optional[str] = ..., callee: _Optional[str] = ..., extension: _Optional[str] = ..., occurred_at: _Optional[str] = ..., duration_s: _Optional[int] = ..., transferred_to: _Optional[str] = ..., recording_url: _Optional[str] = ...) -> None: ...

class CallEventAck(_message.Message):
    __slots__ = ("event_id", "accepted", "error", "field_violations")
    class FieldViolation(_message.Message):
        __slots__ = ("field", "description")
        FIELD_FIELD_NUMBER: _ClassVar[int]
        DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
        field: str
        description: str
        def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FIELD_VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    accepted: bool
    error: str
    field_violations: _containers.RepeatedCompositeFieldContainer[CallEventAck.FieldViolation]
    def __init__(self, event_id: _Optional[str] = ..., accepted: _Optional[bool] = ..., error: _Optional[str] = ..., field_violations: _Optional[_Iterable[_Union[CallEventAck.FieldViolation, _Mapping]]] = ...) -> None: ...
