from crm.v1 import partners_pb2 as _partners_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SectionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SECTION_STATE_UNSPECIFIED: _ClassVar[SectionState]
    SECTION_STATE_AVAILABLE: _ClassVar[SectionState]
    SECTION_STATE_UNAVAILABLE: _ClassVar[SectionState]
SECTION_STATE_UNSPECIFIED: SectionState
SECTION_STATE_AVAILABLE: SectionState
SECTION_STATE_UNAVAILABLE: SectionState

class GetClientCardRequest(_message.Message):
    __slots__ = ("partner_id",)
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    def __init__(self, partner_id: _Optional[str] = ...) -> None: ...

class ManagerInfo(_message.Message):
    __slots__ = ("manager_id", "department", "history")
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    manager_id: str
    department: str
    history: _containers.RepeatedCompositeFieldContainer[_partners_pb2.ManagerAssignment]
    def __init__(self, manager_id: _Optional[str] = ..., department: _Optional[str] = ..., history: _Optional[_Iterable[_Union[_partners_pb2.ManagerAssignment, _Mapping]]] = ...) -> None: ...

class CardFigures(_message.Message):
    __slots__ = ("contacts", "relationships", "agreements_in_force", "client_since")
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    AGREEMENTS_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SINCE_FIELD_NUMBER: _ClassVar[int]
    contacts: int
    relationships: int
    agreements_in_force: int
    client_since: str
    def __init__(self, contacts: _Optional[int] = ..., relationships: _Optional[int] = ..., agreements_in_force: _Optional[int] = ..., client_since: _Optional[str] = ...) -> None: ...

class CardSection(_message.Message):
    __slots__ = ("name", "state", "reason", "data")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: SectionState
    reason: str
    data: _struct_pb2.Struct
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[SectionState, str]] = ..., reason: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class ClientCard(_message.Message):
    __slots__ = ("partner", "relationships", "agreements", "manager", "figures", "sections")
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    AGREEMENTS_FIELD_NUMBER: _ClassVar[int]
    MANAGER_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    partner: _partners_pb2.Partner
    relationships: _containers.RepeatedCompositeFieldContainer[_partners_pb2.Relationship]
    agreements: _containers.RepeatedCompositeFieldContainer[_partners_pb2.Agreement]
    manager: ManagerInfo
    figures: CardFigures
    sections: _containers.RepeatedCompositeFieldContainer[CardSection]
    def __init__(self, partner: _Optional[_Union[_partners_pb2.Partner, _Mapping]] = ..., relationships: _Optional[_Iterable[_Union[_partners_pb2.Relationship, _Mapping]]] = ..., agreements: _Optional[_Iterable[_Union[_partners_pb2.Agreement, _Mapping]]] = ..., manager: _Optional[_Union[ManagerInfo, _Mapping]] = ..., figures: _Optional[_Union[CardFigures, _Mapping]] = ..., sections: _Optional[_Iterable[_Union[CardSection, _Mapping]]] = ...) -> None: ...
