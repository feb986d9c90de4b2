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

class Participant(_message.Message):
    __slots__ = ("id", "name", "phone", "email", "partner_id", "contact_id", "user_id", "linked_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LINKED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    phone: str
    email: str
    partner_id: str
    contact_id: str
    user_id: str
    linked_by: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., user_id: _Optional[str] = ..., linked_by: _Optional[str] = ...) -> None: ...

class CallTransfer(_message.Message):
    __slots__ = ("to", "at")
    TO_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    to: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, to: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Interaction(_message.Message):
    __slots__ = ("id", "kind", "status", "title", "subject_kind", "subject_id", "partner_id", "chain_id", "reply_to_id", "planned_at", "occurred_at", "completed_at", "responsible_id", "created_at", "follow_up_of_id", "place", "outcome", "direction", "from_number", "to_number", "duration_s", "recording_url", "email_subject", "body", "email_from", "email_to", "thread_id", "remind_at", "reminded_at", "created_contact_id", "created_deal_id", "created_claim_id", "region", "department", "created_by", "updated_at", "participants", "call_id", "call_state", "answered_at", "ended_at", "extension", "transfers", "external_number", "match_state")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_ID_FIELD_NUMBER: _ClassVar[int]
    PLANNED_AT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_OF_ID_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    FROM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TO_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    RECORDING_URL_FIELD_NUMBER: _ClassVar[int]
    EMAIL_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FROM_FIELD_NUMBER: _ClassVar[int]
    EMAIL_TO_FIELD_NUMBER: _ClassVar[int]
    THREAD_ID_FIELD_NUMBER: _ClassVar[int]
    REMIND_AT_FIELD_NUMBER: _ClassVar[int]
    REMINDED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_DEAL_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_STATE_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    MATCH_STATE_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    status: str
    title: str
    subject_kind: str
    subject_id: str
    partner_id: str
    chain_id: str
    reply_to_id: str
    planned_at: _timestamp_pb2.Timestamp
    occurred_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    responsible_id: str
    created_at: _timestamp_pb2.Timestamp
    follow_up_of_id: str
    place: str
    outcome: str
    direction: str
    from_number: str
    to_number: str
    duration_s: int
    recording_url: str
    email_subject: str
    body: str
    email_from: str
    email_to: _containers.RepeatedScalarFieldContainer[str]
    thread_id: str
    remind_at: _timestamp_pb2.Timestamp
    reminded_at: _timestamp_pb2.Timestamp
    created_contact_id: str
    created_deal_id: str
    created_claim_id: str
    region: str
    department: str
    created_by: str
    updated_at: _timestamp_pb2.Timestamp
    participants: _containers.RepeatedCompositeFieldContainer[Participant]
    call_id: str
    call_state: str
    answered_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    extension: str
    transfers: _containers.RepeatedCompositeFieldContainer[CallTransfer]
    external_number: str
    match_state: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., status: _Optional[str] = ..., title: _Optional[str] = ..., subject_kind: _Optional[str] = ..., subject_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., chain_id: _Optional[str] = ..., reply_to_id: _Optional[str] = ..., planned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., responsible_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., follow_up_of_id: _Optional[str] = ..., place: _Optional[str] = ..., outcome: _Optional[str] = ..., direction: _Optional[str] = ..., from_number: _Optional[str] = ..., to_number: _Optional[str] = ..., duration_s: _Optional[int] = ..., recording_url: _Optional[str] = ..., email_subject: _Optional[str] = ..., body: _Optional[str] = ..., email_from: _Optional[str] = ..., email_to: _Optional[_Iterable[str]] = ..., thread_id: _Optional[str] = ..., remind_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reminded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_contact_id: _Optional[str] = ..., created_deal_id: _Optional[str] = ..., created_claim_id: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., created_by: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., participants: _Optional[_Iterable[_Union[Participant, _Mapping]]] = ..., call_id: _Optional[str] = ..., call_state: _Optional[str] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extension: _Optional[str] = ..., transfers: _Optional[_Iterable[_Union[CallTransfer, _Mapping]]] = ..., external_number: _Optional[str] = ..., match_state: _Optional[str] = ...) -> None: ...

class InteractionSummary(_message.Message):
    __slots__ = ("id", "kind", "status", "title", "subject_kind", "subject_id", "partner_id", "chain_id", "reply_to_id", "planned_at", "occurred_at", "completed_at", "responsible_id", "created_at", "call_id", "call_state", "direction", "from_number", "to_number", "duration_s", "extension", "answered_at", "ended_at", "transfers", "external_number", "match_state")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    REPLY_TO_ID_FIELD_NUMBER: _ClassVar[int]
    PLANNED_AT_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_STATE_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    FROM_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TO_NUMBER_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    MATCH_STATE_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    status: str
    title: str
    subject_kind: str
    subject_id: str
    partner_id: str
    chain_id: str
    reply_to_id: str
    planned_at: _timestamp_pb2.Timestamp
    occurred_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    responsible_id: str
    created_at: _timestamp_pb2.Timestamp
    call_id: str
    call_state: str
    direction: str
    from_number: str
    to_number: str
    duration_s: int
    extension: str
    answered_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    transfers: _containers.RepeatedCompositeFieldContainer[CallTransfer]
    external_number: str
    match_state: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., status: _Optional[str] = ..., title: _Optional[str] = ..., subject_kind: _Optional[str] = ..., subject_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., chain_id: _Optional[str] = ..., reply_to_id: _Optional[str] = ..., planned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., responsible_id: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., call_id: _Optional[str] = ..., call_state: _Optional[str] = ..., direction: _Optional[str] = ..., from_number: _Optional[str] = ..., to_number: _Optional[str] = ..., duration_s: _Optional[int] = ..., extension: _Optional[str] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transfers: _Optional[_Iterable[_Union[CallTransfer, _Mapping]]] = ..., external_number: _Optional[str] = ..., match_state: _Optional[str] = ...) -> None: ...

class RegisterInteractionRequest(_message.Message):
    __slots__ = ("interaction", "request_id")
    INTERACTION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    interaction: Interaction
    request_id: str
    def __init__(self, interaction: _Optional[_Union[Interaction, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetInteractionRequest(_message.Message):
    __slots__ = ("interaction_id",)
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    def __init__(self, interaction_id: _Optional[str] = ...) -> None: ...

class UpdateInteractionRequest(_message.Message):
    __slots__ = ("interaction_id", "interaction", "update_mask")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    INTERACTION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    interaction: Interaction
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, interaction_id: _Optional[str] = ..., interaction: _Optional[_Union[Interaction, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class SetInteractionStatusRequest(_message.Message):
    __slots__ = ("interaction_id", "status", "outcome", "planned_at")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PLANNED_AT_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    status: str
    outcome: str
    planned_at: _timestamp_pb2.Timestamp
    def __init__(self, interaction_id: _Optional[str] = ..., status: _Optional[str] = ..., outcome: _Optional[str] = ..., planned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CompleteInteractionRequest(_message.Message):
    __slots__ = ("interaction_id", "outcome")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    outcome: str
    def __init__(self, interaction_id: _Optional[str] = ..., outcome: _Optional[str] = ...) -> None: ...

class FollowUpRequest(_message.Message):
    __slots__ = ("interaction_id", "kind", "title", "planned_at", "place", "remind_at", "responsible_id", "request_id")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PLANNED_AT_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    REMIND_AT_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    kind: str
    title: str
    planned_at: _timestamp_pb2.Timestamp
    place: str
    remind_at: _timestamp_pb2.Timestamp
    responsible_id: str
    request_id: str
    def __init__(self, interaction_id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., planned_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., place: _Optional[str] = ..., remind_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., responsible_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LinkCreatedRequest(_message.Message):
    __slots__ = ("interaction_id", "kind", "created_id", "request_id")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CREATED_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    kind: str
    created_id: str
    request_id: str
    def __init__(self, interaction_id: _Optional[str] = ..., kind: _Optional[str] = ..., created_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListChainRequest(_message.Message):
    __slots__ = ("interaction_id",)
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    def __init__(self, interaction_id: _Optional[str] = ...) -> None: ...

class ListChainResponse(_message.Message):
    __slots__ = ("interactions",)
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    interactions: _containers.RepeatedCompositeFieldContainer[InteractionSummary]
    def __init__(self, interactions: _Optional[_Iterable[_Union[InteractionSummary, _Mapping]]] = ...) -> None: ...

class ListBySubjectRequest(_message.Message):
    __slots__ = ("subject_kind", "subject_id", "limit")
    SUBJECT_KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    subject_kind: str
    subject_id: str
    limit: int
    def __init__(self, subject_kind: _Optional[str] = ..., subject_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListBySubjectResponse(_message.Message):
    __slots__ = ("interactions",)
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    interactions: _containers.RepeatedCompositeFieldContainer[InteractionSummary]
    def __init__(self, interactions: _Optional[_Iterable[_Union[InteractionSummary, _Mapping]]] = ...) -> None: ...

class AddParticipantRequest(_message.Message):
    __slots__ = ("interaction_id", "participant", "request_id")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    participant: Participant
    request_id: str
    def __init__(self, interaction_id: _Optional[str] = ..., participant: _Optional[_Union[Participant, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class LinkParticipantRequest(_message.Message):
    __slots__ = ("participant_id", "partner_id", "contact_id", "user_id")
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    partner_id: str
    contact_id: str
    user_id: str
    def __init__(self, participant_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class LinkParticipantsRequest(_message.Message):
    __slots__ = ("interaction_id",)
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    def __init__(self, interaction_id: _Optional[str] = ...) -> None: ...

class LinkParticipantsResponse(_message.Message):
    __slots__ = ("interaction_id", "linked", "unlinked", "partners_available")
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    LINKED_FIELD_NUMBER: _ClassVar[int]
    UNLINKED_FIELD_NUMBER: _ClassVar[int]
    PARTNERS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    interaction_id: str
    linked: _containers.RepeatedCompositeFieldContainer[Participant]
    unlinked: _containers.RepeatedCompositeFieldContainer[Participant]
    partners_available: bool
    def __init__(self, interaction_id: _Optional[str] = ..., linked: _Optional[_Iterable[_Union[Participant, _Mapping]]] = ..., unlinked: _Optional[_Iterable[_Union[Participant, _Mapping]]] = ..., partners_available: _Optional[bool] = ...) -> None: ...

class CalendarRequest(_message.Message):
    __slots__ = ("user_id", "date_from", "date_to")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FROM_FIELD_NUMBER: _ClassVar[int]
    DATE_TO_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    date_from: _common_pb2.Date
    date_to: _common_pb2.Date
    def __init__(self, user_id: _Optional[str] = ..., date_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., date_to: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class CalendarResponse(_message.Message):
    __slots__ = ("user_id", "date_from", "date_to", "interactions")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FROM_FIELD_NUMBER: _ClassVar[int]
    DATE_TO_FIELD_NUMBER: _ClassVar[int]
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    date_from: _common_pb2.Date
    date_to: _common_pb2.Date
    interactions: _containers.RepeatedCompositeFieldContainer[InteractionSummary]
    def __init__(self, user_id: _Optional[str] = ..., date_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., date_to: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., interactions: _Optional[_Iterable[_Union[InteractionSummary, _Mapping]]] = ...) -> None: ...

class OverdueRequest(_message.Message):
    __slots__ = ("user_id", "now")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    now: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., now: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OverdueResponse(_message.Message):
    __slots__ = ("user_id", "now", "interactions")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    INTERACTIONS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    now: _timestamp_pb2.Timestamp
    interactions: _containers.RepeatedCompositeFieldContainer[InteractionSummary]
    def __init__(self, user_id: _Optional[str] = ..., now: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., interactions: _Optional[_Iterable[_Union[InteractionSummary, _Mapping]]] = ...) -> None: ...

class ForgottenClientsRequest(_message.Message):
    __slots__ = ("manager_id", "days", "now")
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    NOW_FIELD_NUMBER: _ClassVar[int]
    manager_id: str
    days: int
    now: _timestamp_pb2.Timestamp
    def __init__(self, manager_id: _Optional[str] = ..., days: _Optional[int] = ..., now: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ForgottenClient(_message.Message):
    __slots__ = ("partner_id", "last_interaction_at", "last_interaction_id", "days_since", "partner_name", "manager_id", "never_contacted")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_INTERACTION_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    DAYS_SINCE_FIELD_NUMBER: _ClassVar[int]
    PARTNER_NAME_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    NEVER_CONTACTED_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    last_interaction_at: _timestamp_pb2.Timestamp
    last_interaction_id: str
    days_since: int
    partner_name: str
    manager_id: str
    never_contacted: bool
    def __init__(self, partner_id: _Optional[str] = ..., last_interaction_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_interaction_id: _Optional[str] = ..., days_since: _Optional[int] = ..., partner_name: _Optional[str] = ..., manager_id: _Optional[str] = ..., never_contacted: _Optional[bool] = ...) -> None: ...

class ForgottenClientsResponse(_message.Message):
    __slots__ = ("manager_id", "days", "clients")
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    CLIENTS_FIELD_NUMBER: _ClassVar[int]
    manager_id: str
    days: int
    clients: _containers.RepeatedCompositeFieldContainer[ForgottenClient]
    def __init__(self, manager_id: _Optional[str] = ..., days: _Optional[int] = ..., clients: _Optional[_Iterable[_Union[ForgottenClient, _Mapping]]] = ...) -> None: ...

class GetCallRequest(_message.Message):
    __slots__ = ("call_id",)
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    def __init__(self, call_id: _Optional[str] = ...) -> None: ...

class ListCallsRequest(_message.Message):
    __slots__ = ("partner_id", "responsible_id", "state", "date_from", "date_to", "limit")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSIBLE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DATE_FROM_FIELD_NUMBER: _ClassVar[int]
    DATE_TO_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    responsible_id: str
    state: str
    date_from: _common_pb2.Date
    date_to: _common_pb2.Date
    limit: int
    def __init__(self, partner_id: _Optional[str] = ..., responsible_id: _Optional[str] = ..., state: _Optional[str] = ..., date_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., date_to: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class ListCallsResponse(_message.Message):
    __slots__ = ("calls",)
    CALLS_FIELD_NUMBER: _ClassVar[int]
    calls: _containers.RepeatedCompositeFieldContainer[InteractionSummary]
    def __init__(self, calls: _Optional[_Iterable[_Union[InteractionSummary, _Mapping]]] = ...) -> None: ...

class InteractionTask(_message.Message):
    __slots__ = ("id", "kind", "title", "status", "assignee_id", "partner_id", "contact_id", "interaction_id", "call_id", "phone", "due_at", "created_at", "completed_at", "note", "completed_by", "region", "department", "missed_count", "last_missed_at", "closed_by_call_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    INTERACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    MISSED_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_MISSED_AT_FIELD_NUMBER: _ClassVar[int]
    CLOSED_BY_CALL_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    title: str
    status: str
    assignee_id: str
    partner_id: str
    contact_id: str
    interaction_id: str
    call_id: str
    phone: str
    due_at: _timestamp_pb2.Timestamp
    created_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    note: str
    completed_by: str
    region: str
    department: str
    missed_count: int
    last_missed_at: _timestamp_pb2.Timestamp
    closed_by_call_id: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., assignee_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., interaction_id: _Optional[str] = ..., call_id: _Optional[str] = ..., phone: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., completed_by: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., missed_count: _Optional[int] = ..., last_missed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_by_call_id: _Optional[str] = ...) -> None: ...

class ListInteractionTasksRequest(_message.Message):
    __slots__ = ("assignee_id", "partner_id", "status", "limit")
    ASSIGNEE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    assignee_id: str
    partner_id: str
    status: str
    limit: int
    def __init__(self, assignee_id: _Optional[str] = ..., partner_id: _Optional[str] = ..., status: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListInteractionTasksResponse(_message.Message):
    __slots__ = ("tasks",)
    TASKS_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[InteractionTask]
    def __init__(self, tasks: _Optional[_Iterable[_Union[InteractionTask, _Mapping]]] = ...) -> None: ...

class CompleteInteractionTaskRequest(_message.Message):
    __slots__ = ("task_id", "note")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    note: str
    def __init__(self, task_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ExtensionAssignment(_message.Message):
    __slots__ = ("extension", "user_id", "updated_at", "region", "department", "updated_by")
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    extension: str
    user_id: str
    updated_at: _timestamp_pb2.Timestamp
    region: str
    department: str
    updated_by: str
    def __init__(self, extension: _Optional[str] = ..., user_id: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., updated_by: _Optional[str] = ...) -> None: ...

class SetExtensionRequest(_message.Message):
    __slots__ = ("extension", "user_id", "region", "department")
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    extension: str
    user_id: str
    region: str
    department: str
    def __init__(self, extension: _Optional[str] = ..., user_id: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ...) -> None: ...

class ListExtensionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListExtensionsResponse(_message.Message):
    __slots__ = ("extensions",)
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    extensions: _containers.RepeatedCompositeFieldContainer[ExtensionAssignment]
    def __init__(self, extensions: _Optional[_Iterable[_Union[ExtensionAssignment, _Mapping]]] = ...) -> None: ...

class RemoveExtensionRequest(_message.Message):
    __slots__ = ("extension",)
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    extension: str
    def __init__(self, extension: _Optional[str] = ...) -> None: ...

class RemoveExtensionResponse(_message.Message):
    __slots__ = ("extension", "removed")
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    extension: str
    removed: bool
    def __init__(self, extension: _Optional[str] = ..., removed: _Optional[bool] = ...) -> None: ...
