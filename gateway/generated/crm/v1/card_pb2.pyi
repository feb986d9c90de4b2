import datetime

from crm.v1 import common_pb2 as _common_pb2
from crm.v1 import interactions_pb2 as _interactions_pb2
from crm.v1 import partners_pb2 as _partners_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
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
    __slots__ = ("contacts", "relationships", "agreements_in_force", "client_since", "deals_won", "average_deal", "total_paid", "registered_on")
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    AGREEMENTS_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SINCE_FIELD_NUMBER: _ClassVar[int]
    DEALS_WON_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_DEAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAID_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_ON_FIELD_NUMBER: _ClassVar[int]
    contacts: int
    relationships: int
    agreements_in_force: int
    client_since: str
    deals_won: int
    average_deal: _common_pb2.Decimal
    total_paid: _common_pb2.Decimal
    registered_on: str
    def __init__(self, contacts: _Optional[int] = ..., relationships: _Optional[int] = ..., agreements_in_force: _Optional[int] = ..., client_since: _Optional[str] = ..., deals_won: _Optional[int] = ..., average_deal: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., total_paid: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., registered_on: _Optional[str] = ...) -> None: ...

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

class DealsSection(_message.Message):
    __slots__ = ("open_deals", "recent_closed", "pipeline_total", "pipeline_weighted", "invoices_owed", "overdue_invoices", "client_since", "deals_won", "average_deal", "total_paid")
    class OpenDeal(_message.Message):
        __slots__ = ("id", "title", "stage", "stage_name", "status", "amount", "currency", "expected_close_date", "terms_withdrawn")
        ID_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        STAGE_FIELD_NUMBER: _ClassVar[int]
        STAGE_NAME_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        AMOUNT_FIELD_NUMBER: _ClassVar[int]
        CURRENCY_FIELD_NUMBER: _ClassVar[int]
        EXPECTED_CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
        TERMS_WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
        id: str
        title: str
        stage: str
        stage_name: str
        status: str
        amount: _common_pb2.Decimal
        currency: str
        expected_close_date: _common_pb2.Date
        terms_withdrawn: bool
        def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., stage: _Optional[str] = ..., stage_name: _Optional[str] = ..., status: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ..., expected_close_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., terms_withdrawn: _Optional[bool] = ...) -> None: ...
    class ClosedDeal(_message.Message):
        __slots__ = ("id", "title", "status", "loss_reason", "closed_at", "amount", "currency")
        ID_FIELD_NUMBER: _ClassVar[int]
        TITLE_FIELD_NUMBER: _ClassVar[int]
        STATUS_FIELD_NUMBER: _ClassVar[int]
        LOSS_REASON_FIELD_NUMBER: _ClassVar[int]
        CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
        AMOUNT_FIELD_NUMBER: _ClassVar[int]
        CURRENCY_FIELD_NUMBER: _ClassVar[int]
        id: str
        title: str
        status: str
        loss_reason: str
        closed_at: _timestamp_pb2.Timestamp
        amount: _common_pb2.Decimal
        currency: str
        def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., loss_reason: _Optional[str] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ...) -> None: ...
    OPEN_DEALS_FIELD_NUMBER: _ClassVar[int]
    RECENT_CLOSED_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_TOTAL_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    INVOICES_OWED_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_INVOICES_FIELD_NUMBER: _ClassVar[int]
    CLIENT_SINCE_FIELD_NUMBER: _ClassVar[int]
    DEALS_WON_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_DEAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_PAID_FIELD_NUMBER: _ClassVar[int]
    open_deals: _containers.RepeatedCompositeFieldContainer[DealsSection.OpenDeal]
    recent_closed: _containers.RepeatedCompositeFieldContainer[DealsSection.ClosedDeal]
    pipeline_total: _common_pb2.Decimal
    pipeline_weighted: _common_pb2.Decimal
    invoices_owed: _common_pb2.Decimal
    overdue_invoices: int
    client_since: _common_pb2.Date
    deals_won: int
    average_deal: _common_pb2.Decimal
    total_paid: _common_pb2.Decimal
    def __init__(self, open_deals: _Optional[_Iterable[_Union[DealsSection.OpenDeal, _Mapping]]] = ..., recent_closed: _Optional[_Iterable[_Union[DealsSection.ClosedDeal, _Mapping]]] = ..., pipeline_total: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., pipeline_weighted: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., invoices_owed: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., overdue_invoices: _Optional[int] = ..., client_since: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., deals_won: _Optional[int] = ..., average_deal: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., total_paid: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ...) -> None: ...

class InteractionsSection(_message.Message):
    __slots__ = ("last_interactions", "upcoming", "open_tasks")
    LAST_INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    UPCOMING_FIELD_NUMBER: _ClassVar[int]
    OPEN_TASKS_FIELD_NUMBER: _ClassVar[int]
    last_interactions: _containers.RepeatedCompositeFieldContainer[_interactions_pb2.InteractionSummary]
    upcoming: _containers.RepeatedCompositeFieldContainer[_interactions_pb2.InteractionSummary]
    open_tasks: _containers.RepeatedCompositeFieldContainer[_interactions_pb2.InteractionTask]
    def __init__(self, last_interactions: _Optional[_Iterable[_Union[_interactions_pb2.InteractionSummary, _Mapping]]] = ..., upcoming: _Optional[_Iterable[_Union[_interactions_pb2.InteractionSummary, _Mapping]]] = ..., open_tasks: _Optional[_Iterable[_Union[_interactions_pb2.InteractionTask, _Mapping]]] = ...) -> None: ...

class ClientCard(_message.Message):
    __slots__ = ("partner", "relationships", "agreements", "manager", "figures", "sections", "deals", "interactions")
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    AGREEMENTS_FIELD_NUMBER: _ClassVar[int]
    MANAGER_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    DEALS_FIELD_NUMBER: _ClassVar[int]
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    partner: _partners_pb2.Partner
    relationships: _containers.RepeatedCompositeFieldContainer[_partners_pb2.Relationship]
    agreements: _containers.RepeatedCompositeFieldContainer[_partners_pb2.Agreement]
    manager: ManagerInfo
    figures: CardFigures
    sections: _containers.RepeatedCompositeFieldContainer[CardSection]
    deals: DealsSection
    interactions: InteractionsSection
    def __init__(self, partner: _Optional[_Union[_partners_pb2.Partner, _Mapping]] = ..., relationships: _Optional[_Iterable[_Union[_partners_pb2.Relationship, _Mapping]]] = ..., agreements: _Optional[_Iterable[_Union[_partners_pb2.Agreement, _Mapping]]] = ..., manager: _Optional[_Union[ManagerInfo, _Mapping]] = ..., figures: _Optional[_Union[CardFigures, _Mapping]] = ..., sections: _Optional[_Iterable[_Union[CardSection, _Mapping]]] = ..., deals: _Optional[_Union[DealsSection, _Mapping]] = ..., interactions: _Optional[_Union[InteractionsSection, _Mapping]] = ...) -> None: ...
