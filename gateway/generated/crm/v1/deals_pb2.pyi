import datetime

from crm.v1 import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Stage(_message.Message):
    __slots__ = ("code", "name", "probability", "time_limit_days", "preconditions")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    PRECONDITIONS_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    probability: int
    time_limit_days: int
    preconditions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., probability: _Optional[int] = ..., time_limit_days: _Optional[int] = ..., preconditions: _Optional[_Iterable[str]] = ...) -> None: ...

class SalesProcess(_message.Message):
    __slots__ = ("code", "name", "mode", "stages", "created_at")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    mode: str
    stages: _containers.RepeatedCompositeFieldContainer[Stage]
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ..., mode: _Optional[str] = ..., stages: _Optional[_Iterable[_Union[Stage, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StageStay(_message.Message):
    __slots__ = ("id", "stage", "entered_at", "left_at", "entered_by", "left_by", "note")
    ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    ENTERED_AT_FIELD_NUMBER: _ClassVar[int]
    LEFT_AT_FIELD_NUMBER: _ClassVar[int]
    ENTERED_BY_FIELD_NUMBER: _ClassVar[int]
    LEFT_BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    id: str
    stage: str
    entered_at: _timestamp_pb2.Timestamp
    left_at: _timestamp_pb2.Timestamp
    entered_by: str
    left_by: str
    note: str
    def __init__(self, id: _Optional[str] = ..., stage: _Optional[str] = ..., entered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., left_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., entered_by: _Optional[str] = ..., left_by: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class Deal(_message.Message):
    __slots__ = ("id", "title", "partner_id", "contact_id", "process_code", "stage", "stage_name", "probability", "status", "amount", "currency", "expected_close_date", "agreement_id", "partner_is_client", "loss_reason", "lost_at_stage", "competitor_id", "source", "source_ref", "manager_id", "region", "department", "created_at", "created_by", "updated_at", "stage_entered_at", "closed_at", "request_id", "stage_history", "offers", "tasks", "documents", "supplier_orders", "invoices", "replayed", "terms_withdrawn", "assignments")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    PROCESS_CODE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    STAGE_NAME_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_IS_CLIENT_FIELD_NUMBER: _ClassVar[int]
    LOSS_REASON_FIELD_NUMBER: _ClassVar[int]
    LOST_AT_STAGE_FIELD_NUMBER: _ClassVar[int]
    COMPETITOR_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_REF_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    STAGE_ENTERED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_HISTORY_FIELD_NUMBER: _ClassVar[int]
    OFFERS_FIELD_NUMBER: _ClassVar[int]
    TASKS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ORDERS_FIELD_NUMBER: _ClassVar[int]
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    TERMS_WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    partner_id: str
    contact_id: str
    process_code: str
    stage: str
    stage_name: str
    probability: int
    status: str
    amount: _common_pb2.Decimal
    currency: str
    expected_close_date: _common_pb2.Date
    agreement_id: str
    partner_is_client: bool
    loss_reason: str
    lost_at_stage: str
    competitor_id: str
    source: str
    source_ref: str
    manager_id: str
    region: str
    department: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_at: _timestamp_pb2.Timestamp
    stage_entered_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    request_id: str
    stage_history: _containers.RepeatedCompositeFieldContainer[StageStay]
    offers: _containers.RepeatedCompositeFieldContainer[Offer]
    tasks: _containers.RepeatedCompositeFieldContainer[Task]
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    supplier_orders: _containers.RepeatedCompositeFieldContainer[SupplierOrder]
    invoices: _containers.RepeatedCompositeFieldContainer[Invoice]
    replayed: bool
    terms_withdrawn: bool
    assignments: _containers.RepeatedCompositeFieldContainer[DealAssignment]
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., process_code: _Optional[str] = ..., stage: _Optional[str] = ..., stage_name: _Optional[str] = ..., probability: _Optional[int] = ..., status: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ..., expected_close_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., agreement_id: _Optional[str] = ..., partner_is_client: _Optional[bool] = ..., loss_reason: _Optional[str] = ..., lost_at_stage: _Optional[str] = ..., competitor_id: _Optional[str] = ..., source: _Optional[str] = ..., source_ref: _Optional[str] = ..., manager_id: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stage_entered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ..., stage_history: _Optional[_Iterable[_Union[StageStay, _Mapping]]] = ..., offers: _Optional[_Iterable[_Union[Offer, _Mapping]]] = ..., tasks: _Optional[_Iterable[_Union[Task, _Mapping]]] = ..., documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ..., supplier_orders: _Optional[_Iterable[_Union[SupplierOrder, _Mapping]]] = ..., invoices: _Optional[_Iterable[_Union[Invoice, _Mapping]]] = ..., replayed: _Optional[bool] = ..., terms_withdrawn: _Optional[bool] = ..., assignments: _Optional[_Iterable[_Union[DealAssignment, _Mapping]]] = ...) -> None: ...

class DealAssignment(_message.Message):
    __slots__ = ("manager_id", "previous_manager_id", "region", "department", "reason", "handover_id", "tasks_moved", "changed_at", "changed_by")
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    TASKS_MOVED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    manager_id: str
    previous_manager_id: str
    region: str
    department: str
    reason: str
    handover_id: str
    tasks_moved: int
    changed_at: _timestamp_pb2.Timestamp
    changed_by: str
    def __init__(self, manager_id: _Optional[str] = ..., previous_manager_id: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., reason: _Optional[str] = ..., handover_id: _Optional[str] = ..., tasks_moved: _Optional[int] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., changed_by: _Optional[str] = ...) -> None: ...

class ReassignDealRequest(_message.Message):
    __slots__ = ("deal_id", "manager_id", "reason")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    manager_id: str
    reason: str
    def __init__(self, deal_id: _Optional[str] = ..., manager_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DealSummary(_message.Message):
    __slots__ = ("id", "title", "partner_id", "process_code", "stage", "stage_name", "status", "amount", "currency", "expected_close_date", "manager_id", "region", "department", "created_at", "updated_at", "stage_entered_at", "closed_at", "source", "probability")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    PROCESS_CODE_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    STAGE_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CLOSE_DATE_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    STAGE_ENTERED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    partner_id: str
    process_code: str
    stage: str
    stage_name: str
    status: str
    amount: _common_pb2.Decimal
    currency: str
    expected_close_date: _common_pb2.Date
    manager_id: str
    region: str
    department: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    stage_entered_at: _timestamp_pb2.Timestamp
    closed_at: _timestamp_pb2.Timestamp
    source: str
    probability: int
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., partner_id: _Optional[str] = ..., process_code: _Optional[str] = ..., stage: _Optional[str] = ..., stage_name: _Optional[str] = ..., status: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ..., expected_close_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., manager_id: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stage_entered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ..., probability: _Optional[int] = ...) -> None: ...

class OpenDealRequest(_message.Message):
    __slots__ = ("deal", "request_id")
    DEAL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    deal: Deal
    request_id: str
    def __init__(self, deal: _Optional[_Union[Deal, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class OpenLeadFromCallRequest(_message.Message):
    __slots__ = ("partner_id", "call_id", "phone", "manager_id", "title", "region", "department", "request_id")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    call_id: str
    phone: str
    manager_id: str
    title: str
    region: str
    department: str
    request_id: str
    def __init__(self, partner_id: _Optional[str] = ..., call_id: _Optional[str] = ..., phone: _Optional[str] = ..., manager_id: _Optional[str] = ..., title: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetDealRequest(_message.Message):
    __slots__ = ("deal_id",)
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    def __init__(self, deal_id: _Optional[str] = ...) -> None: ...

class UpdateDealRequest(_message.Message):
    __slots__ = ("deal_id", "deal", "update_mask")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    deal: Deal
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, deal_id: _Optional[str] = ..., deal: _Optional[_Union[Deal, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class ListDealsRequest(_message.Message):
    __slots__ = ("partner_id", "manager_id", "status", "stage", "process_code", "text", "page")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PROCESS_CODE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    manager_id: str
    status: str
    stage: str
    process_code: str
    text: str
    page: _common_pb2.PageRequest
    def __init__(self, partner_id: _Optional[str] = ..., manager_id: _Optional[str] = ..., status: _Optional[str] = ..., stage: _Optional[str] = ..., process_code: _Optional[str] = ..., text: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListDealsResponse(_message.Message):
    __slots__ = ("deals", "page")
    DEALS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    deals: _containers.RepeatedCompositeFieldContainer[DealSummary]
    page: _common_pb2.PageInfo
    def __init__(self, deals: _Optional[_Iterable[_Union[DealSummary, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageInfo, _Mapping]] = ...) -> None: ...

class MoveToStageRequest(_message.Message):
    __slots__ = ("deal_id", "stage", "note")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    stage: str
    note: str
    def __init__(self, deal_id: _Optional[str] = ..., stage: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class SetDealStatusRequest(_message.Message):
    __slots__ = ("deal_id", "status", "loss_reason", "competitor_id", "note")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LOSS_REASON_FIELD_NUMBER: _ClassVar[int]
    COMPETITOR_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    status: str
    loss_reason: str
    competitor_id: str
    note: str
    def __init__(self, deal_id: _Optional[str] = ..., status: _Optional[str] = ..., loss_reason: _Optional[str] = ..., competitor_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ChooseTermsRequest(_message.Message):
    __slots__ = ("deal_id", "agreement_id")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    agreement_id: str
    def __init__(self, deal_id: _Optional[str] = ..., agreement_id: _Optional[str] = ...) -> None: ...

class OfferLine(_message.Message):
    __slots__ = ("product", "quantity", "unit", "price", "discount_percent", "amount")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    product: str
    quantity: _common_pb2.Decimal
    unit: str
    price: _common_pb2.Decimal
    discount_percent: _common_pb2.Decimal
    amount: _common_pb2.Decimal
    def __init__(self, product: _Optional[str] = ..., quantity: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., unit: _Optional[str] = ..., price: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., discount_percent: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ...) -> None: ...

class Offer(_message.Message):
    __slots__ = ("id", "deal_id", "status", "lines", "valid_until", "total", "currency", "sent_at", "decided_at", "created_at", "created_by", "partner_id", "terms_override")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    TERMS_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    id: str
    deal_id: str
    status: str
    lines: _containers.RepeatedCompositeFieldContainer[OfferLine]
    valid_until: _common_pb2.Date
    total: _common_pb2.Decimal
    currency: str
    sent_at: _timestamp_pb2.Timestamp
    decided_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    partner_id: str
    terms_override: TermsOverride
    def __init__(self, id: _Optional[str] = ..., deal_id: _Optional[str] = ..., status: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OfferLine, _Mapping]]] = ..., valid_until: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., total: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., partner_id: _Optional[str] = ..., terms_override: _Optional[_Union[TermsOverride, _Mapping]] = ...) -> None: ...

class TermsOverride(_message.Message):
    __slots__ = ("rules", "agreement_id", "by", "at", "reason")
    RULES_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    rules: _containers.RepeatedScalarFieldContainer[str]
    agreement_id: str
    by: str
    at: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, rules: _Optional[_Iterable[str]] = ..., agreement_id: _Optional[str] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class AddOfferRequest(_message.Message):
    __slots__ = ("deal_id", "offer", "override_reason", "request_id")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    OFFER_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    offer: Offer
    override_reason: str
    request_id: str
    def __init__(self, deal_id: _Optional[str] = ..., offer: _Optional[_Union[Offer, _Mapping]] = ..., override_reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetOfferStatusRequest(_message.Message):
    __slots__ = ("offer_id", "status")
    OFFER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    offer_id: str
    status: str
    def __init__(self, offer_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("id", "deal_id", "title", "due_date", "responsible_id", "done", "done_at", "kind", "created_by", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_ID_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    DONE_AT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    deal_id: str
    title: str
    due_date: _common_pb2.Date
    responsible_id: str
    done: bool
    done_at: _timestamp_pb2.Timestamp
    kind: str
    created_by: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., deal_id: _Optional[str] = ..., title: _Optional[str] = ..., due_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., responsible_id: _Optional[str] = ..., done: _Optional[bool] = ..., done_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., kind: _Optional[str] = ..., created_by: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AddTaskRequest(_message.Message):
    __slots__ = ("deal_id", "task", "request_id")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    task: Task
    request_id: str
    def __init__(self, deal_id: _Optional[str] = ..., task: _Optional[_Union[Task, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CompleteTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ("responsible_id", "deal_id", "kind", "overdue_only", "include_done", "page")
    RESPONSIBLE_ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_ONLY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DONE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    responsible_id: str
    deal_id: str
    kind: str
    overdue_only: bool
    include_done: bool
    page: _common_pb2.PageRequest
    def __init__(self, responsible_id: _Optional[str] = ..., deal_id: _Optional[str] = ..., kind: _Optional[str] = ..., overdue_only: _Optional[bool] = ..., include_done: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListTasksResponse(_message.Message):
    __slots__ = ("tasks", "page")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[Task]
    page: _common_pb2.PageInfo
    def __init__(self, tasks: _Optional[_Iterable[_Union[Task, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageInfo, _Mapping]] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("id", "deal_id", "kind", "number", "date", "url", "created_at", "created_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    deal_id: str
    kind: str
    number: str
    date: _common_pb2.Date
    url: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    def __init__(self, id: _Optional[str] = ..., deal_id: _Optional[str] = ..., kind: _Optional[str] = ..., number: _Optional[str] = ..., date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., url: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class AddDocumentRequest(_message.Message):
    __slots__ = ("deal_id", "document", "request_id")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    document: Document
    request_id: str
    def __init__(self, deal_id: _Optional[str] = ..., document: _Optional[_Union[Document, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SupplierOrder(_message.Message):
    __slots__ = ("id", "deal_id", "supplier_id", "number", "amount", "currency", "status", "created_at", "created_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    deal_id: str
    supplier_id: str
    number: str
    amount: _common_pb2.Decimal
    currency: str
    status: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    def __init__(self, id: _Optional[str] = ..., deal_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., number: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ..., status: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class AddSupplierOrderRequest(_message.Message):
    __slots__ = ("deal_id", "order", "request_id")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    order: SupplierOrder
    request_id: str
    def __init__(self, deal_id: _Optional[str] = ..., order: _Optional[_Union[SupplierOrder, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("id", "invoice_id", "amount", "paid_on", "external_id", "source", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_ON_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    invoice_id: str
    amount: _common_pb2.Decimal
    paid_on: _common_pb2.Date
    external_id: str
    source: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., invoice_id: _Optional[str] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., paid_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., external_id: _Optional[str] = ..., source: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Invoice(_message.Message):
    __slots__ = ("id", "deal_id", "partner_id", "number", "issued_on", "due_date", "amount", "currency", "paid", "balance", "status", "overdue", "days_overdue", "payments", "created_at", "overdue_notified_at", "replayed", "terms_override", "cancelled_at", "cancelled_by", "cancel_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    ISSUED_ON_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PAID_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    DAYS_OVERDUE_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_NOTIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    TERMS_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    deal_id: str
    partner_id: str
    number: str
    issued_on: _common_pb2.Date
    due_date: _common_pb2.Date
    amount: _common_pb2.Decimal
    currency: str
    paid: _common_pb2.Decimal
    balance: _common_pb2.Decimal
    status: str
    overdue: bool
    days_overdue: int
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    created_at: _timestamp_pb2.Timestamp
    overdue_notified_at: _timestamp_pb2.Timestamp
    replayed: bool
    terms_override: TermsOverride
    cancelled_at: _timestamp_pb2.Timestamp
    cancelled_by: str
    cancel_reason: str
    def __init__(self, id: _Optional[str] = ..., deal_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., number: _Optional[str] = ..., issued_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., due_date: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ..., paid: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., balance: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., status: _Optional[str] = ..., overdue: _Optional[bool] = ..., days_overdue: _Optional[int] = ..., payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., overdue_notified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., replayed: _Optional[bool] = ..., terms_override: _Optional[_Union[TermsOverride, _Mapping]] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancelled_by: _Optional[str] = ..., cancel_reason: _Optional[str] = ...) -> None: ...

class IssueInvoiceRequest(_message.Message):
    __slots__ = ("deal_id", "invoice", "override_reason", "request_id")
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    INVOICE_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    deal_id: str
    invoice: Invoice
    override_reason: str
    request_id: str
    def __init__(self, deal_id: _Optional[str] = ..., invoice: _Optional[_Union[Invoice, _Mapping]] = ..., override_reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CancelInvoiceRequest(_message.Message):
    __slots__ = ("invoice_id", "reason")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    reason: str
    def __init__(self, invoice_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RecordPaymentRequest(_message.Message):
    __slots__ = ("invoice_id", "payment", "request_id")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    payment: Payment
    request_id: str
    def __init__(self, invoice_id: _Optional[str] = ..., payment: _Optional[_Union[Payment, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListInvoicesRequest(_message.Message):
    __slots__ = ("partner_id", "deal_id", "overdue_only", "page")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    deal_id: str
    overdue_only: bool
    page: _common_pb2.PageRequest
    def __init__(self, partner_id: _Optional[str] = ..., deal_id: _Optional[str] = ..., overdue_only: _Optional[bool] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListInvoicesResponse(_message.Message):
    __slots__ = ("invoices", "page")
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    invoices: _containers.RepeatedCompositeFieldContainer[Invoice]
    page: _common_pb2.PageInfo
    def __init__(self, invoices: _Optional[_Iterable[_Union[Invoice, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageInfo, _Mapping]] = ...) -> None: ...

class GetForecastRequest(_message.Message):
    __slots__ = ("period", "date_from", "date_to", "manager_id")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    DATE_FROM_FIELD_NUMBER: _ClassVar[int]
    DATE_TO_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    period: str
    date_from: _common_pb2.Date
    date_to: _common_pb2.Date
    manager_id: str
    def __init__(self, period: _Optional[str] = ..., date_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., date_to: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., manager_id: _Optional[str] = ...) -> None: ...

class ForecastRow(_message.Message):
    __slots__ = ("manager_id", "period", "deals", "amount", "weighted")
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    DEALS_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    manager_id: str
    period: str
    deals: int
    amount: _common_pb2.Decimal
    weighted: _common_pb2.Decimal
    def __init__(self, manager_id: _Optional[str] = ..., period: _Optional[str] = ..., deals: _Optional[int] = ..., amount: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., weighted: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ...) -> None: ...

class GetForecastResponse(_message.Message):
    __slots__ = ("rows", "total_weighted")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[ForecastRow]
    total_weighted: _common_pb2.Decimal
    def __init__(self, rows: _Optional[_Iterable[_Union[ForecastRow, _Mapping]]] = ..., total_weighted: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ...) -> None: ...

class ListProcessesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListProcessesResponse(_message.Message):
    __slots__ = ("processes",)
    PROCESSES_FIELD_NUMBER: _ClassVar[int]
    processes: _containers.RepeatedCompositeFieldContainer[SalesProcess]
    def __init__(self, processes: _Optional[_Iterable[_Union[SalesProcess, _Mapping]]] = ...) -> None: ...

class DefineProcessRequest(_message.Message):
    __slots__ = ("process", "request_id")
    PROCESS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    process: SalesProcess
    request_id: str
    def __init__(self, process: _Optional[_Union[SalesProcess, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...
