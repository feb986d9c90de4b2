import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TemplateInput(_message.Message):
    __slots__ = ("code", "channel", "name", "variables", "subject", "text", "html")
    CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    code: str
    channel: str
    name: str
    variables: _containers.RepeatedScalarFieldContainer[str]
    subject: str
    text: str
    html: str
    def __init__(self, code: _Optional[str] = ..., channel: _Optional[str] = ..., name: _Optional[str] = ..., variables: _Optional[_Iterable[str]] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., html: _Optional[str] = ...) -> None: ...

class Template(_message.Message):
    __slots__ = ("id", "code", "channel", "version", "name", "variables", "subject", "text", "html", "created_at", "created_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    code: str
    channel: str
    version: int
    name: str
    variables: _containers.RepeatedScalarFieldContainer[str]
    subject: str
    text: str
    html: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    def __init__(self, id: _Optional[str] = ..., code: _Optional[str] = ..., channel: _Optional[str] = ..., version: _Optional[int] = ..., name: _Optional[str] = ..., variables: _Optional[_Iterable[str]] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., html: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class SaveTemplateRequest(_message.Message):
    __slots__ = ("template",)
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    template: TemplateInput
    def __init__(self, template: _Optional[_Union[TemplateInput, _Mapping]] = ...) -> None: ...

class GetTemplateRequest(_message.Message):
    __slots__ = ("code", "channel", "version")
    CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    code: str
    channel: str
    version: int
    def __init__(self, code: _Optional[str] = ..., channel: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class ListTemplatesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListTemplatesResponse(_message.Message):
    __slots__ = ("templates",)
    TEMPLATES_FIELD_NUMBER: _ClassVar[int]
    templates: _containers.RepeatedCompositeFieldContainer[Template]
    def __init__(self, templates: _Optional[_Iterable[_Union[Template, _Mapping]]] = ...) -> None: ...

class DeleteTemplateRequest(_message.Message):
    __slots__ = ("code", "channel")
    CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    code: str
    channel: str
    def __init__(self, code: _Optional[str] = ..., channel: _Optional[str] = ...) -> None: ...

class DeleteTemplateResponse(_message.Message):
    __slots__ = ("versions_deleted",)
    VERSIONS_DELETED_FIELD_NUMBER: _ClassVar[int]
    versions_deleted: int
    def __init__(self, versions_deleted: _Optional[int] = ...) -> None: ...

class PreviewTemplateRequest(_message.Message):
    __slots__ = ("code", "channel", "version", "template", "variables")
    class VariablesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    CODE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    code: str
    channel: str
    version: int
    template: TemplateInput
    variables: _containers.ScalarMap[str, str]
    def __init__(self, code: _Optional[str] = ..., channel: _Optional[str] = ..., version: _Optional[int] = ..., template: _Optional[_Union[TemplateInput, _Mapping]] = ..., variables: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PreviewTemplateResponse(_message.Message):
    __slots__ = ("channel", "subject", "text", "html")
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    channel: str
    subject: str
    text: str
    html: str
    def __init__(self, channel: _Optional[str] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., html: _Optional[str] = ...) -> None: ...

class NotificationKind(_message.Message):
    __slots__ = ("code", "event", "audience", "channel", "template_code", "enabled", "variables", "summary")
    CODE_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_CODE_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    VARIABLES_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    code: str
    event: str
    audience: str
    channel: str
    template_code: str
    enabled: bool
    variables: _containers.RepeatedScalarFieldContainer[str]
    summary: str
    def __init__(self, code: _Optional[str] = ..., event: _Optional[str] = ..., audience: _Optional[str] = ..., channel: _Optional[str] = ..., template_code: _Optional[str] = ..., enabled: _Optional[bool] = ..., variables: _Optional[_Iterable[str]] = ..., summary: _Optional[str] = ...) -> None: ...

class ListKindsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListKindsResponse(_message.Message):
    __slots__ = ("kinds",)
    KINDS_FIELD_NUMBER: _ClassVar[int]
    kinds: _containers.RepeatedCompositeFieldContainer[NotificationKind]
    def __init__(self, kinds: _Optional[_Iterable[_Union[NotificationKind, _Mapping]]] = ...) -> None: ...

class SetKindRequest(_message.Message):
    __slots__ = ("code", "enabled", "template_code")
    CODE_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_CODE_FIELD_NUMBER: _ClassVar[int]
    code: str
    enabled: bool
    template_code: str
    def __init__(self, code: _Optional[str] = ..., enabled: _Optional[bool] = ..., template_code: _Optional[str] = ...) -> None: ...

class Message(_message.Message):
    __slots__ = ("id", "kind", "event_id", "recipient", "channel", "address", "partner_id", "contact_id", "user_id", "template_code", "template_version", "subject", "text", "html", "status", "attempts", "next_attempt_at", "provider_id", "error", "created_at", "sent_at", "topic", "mailing_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_CODE_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_AT_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    MAILING_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    event_id: str
    recipient: str
    channel: str
    address: str
    partner_id: str
    contact_id: str
    user_id: str
    template_code: str
    template_version: int
    subject: str
    text: str
    html: str
    status: str
    attempts: int
    next_attempt_at: _timestamp_pb2.Timestamp
    provider_id: str
    error: str
    created_at: _timestamp_pb2.Timestamp
    sent_at: _timestamp_pb2.Timestamp
    topic: str
    mailing_id: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., event_id: _Optional[str] = ..., recipient: _Optional[str] = ..., channel: _Optional[str] = ..., address: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., user_id: _Optional[str] = ..., template_code: _Optional[str] = ..., template_version: _Optional[int] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., html: _Optional[str] = ..., status: _Optional[str] = ..., attempts: _Optional[int] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provider_id: _Optional[str] = ..., error: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., topic: _Optional[str] = ..., mailing_id: _Optional[str] = ...) -> None: ...

class ListMessagesRequest(_message.Message):
    __slots__ = ("partner_id", "user_id", "kind", "status", "limit")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    user_id: str
    kind: str
    status: str
    limit: int
    def __init__(self, partner_id: _Optional[str] = ..., user_id: _Optional[str] = ..., kind: _Optional[str] = ..., status: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListMessagesResponse(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ...) -> None: ...

class GetMessageRequest(_message.Message):
    __slots__ = ("message_id",)
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    message_id: str
    def __init__(self, message_id: _Optional[str] = ...) -> None: ...

class SetStaffContactRequest(_message.Message):
    __slots__ = ("user_id", "full_name", "email", "phone")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    full_name: str
    email: str
    phone: str
    def __init__(self, user_id: _Optional[str] = ..., full_name: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ...) -> None: ...

class StaffContact(_message.Message):
    __slots__ = ("user_id", "full_name", "email", "phone", "updated_at", "updated_by")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    full_name: str
    email: str
    phone: str
    updated_at: _timestamp_pb2.Timestamp
    updated_by: str
    def __init__(self, user_id: _Optional[str] = ..., full_name: _Optional[str] = ..., email: _Optional[str] = ..., phone: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_by: _Optional[str] = ...) -> None: ...

class SubscribeRequest(_message.Message):
    __slots__ = ("address", "topic", "source", "consent_at", "note", "partner_id", "contact_id", "request_id")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    address: str
    topic: str
    source: str
    consent_at: _timestamp_pb2.Timestamp
    note: str
    partner_id: str
    contact_id: str
    request_id: str
    def __init__(self, address: _Optional[str] = ..., topic: _Optional[str] = ..., source: _Optional[str] = ..., consent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class Subscription(_message.Message):
    __slots__ = ("id", "address", "topic", "channel", "status", "partner_id", "contact_id", "consent_at", "consent_source", "consent_by", "consent_note", "unsubscribed_at", "unsubscribe_source")
    ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONSENT_AT_FIELD_NUMBER: _ClassVar[int]
    CONSENT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_BY_FIELD_NUMBER: _ClassVar[int]
    CONSENT_NOTE_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBED_AT_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    address: str
    topic: str
    channel: str
    status: str
    partner_id: str
    contact_id: str
    consent_at: _timestamp_pb2.Timestamp
    consent_source: str
    consent_by: str
    consent_note: str
    unsubscribed_at: _timestamp_pb2.Timestamp
    unsubscribe_source: str
    def __init__(self, id: _Optional[str] = ..., address: _Optional[str] = ..., topic: _Optional[str] = ..., channel: _Optional[str] = ..., status: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., consent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., consent_source: _Optional[str] = ..., consent_by: _Optional[str] = ..., consent_note: _Optional[str] = ..., unsubscribed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., unsubscribe_source: _Optional[str] = ...) -> None: ...

class UnsubscribeRequest(_message.Message):
    __slots__ = ("address", "topic", "source")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    address: str
    topic: str
    source: str
    def __init__(self, address: _Optional[str] = ..., topic: _Optional[str] = ..., source: _Optional[str] = ...) -> None: ...

class UnsubscribeByTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class UnsubscribeByTokenResponse(_message.Message):
    __slots__ = ("address", "topic", "status", "unsubscribed_at")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBED_AT_FIELD_NUMBER: _ClassVar[int]
    address: str
    topic: str
    status: str
    unsubscribed_at: _timestamp_pb2.Timestamp
    def __init__(self, address: _Optional[str] = ..., topic: _Optional[str] = ..., status: _Optional[str] = ..., unsubscribed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSubscriptionsRequest(_message.Message):
    __slots__ = ("address", "partner_id", "topic", "status", "limit")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    address: str
    partner_id: str
    topic: str
    status: str
    limit: int
    def __init__(self, address: _Optional[str] = ..., partner_id: _Optional[str] = ..., topic: _Optional[str] = ..., status: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListSubscriptionsResponse(_message.Message):
    __slots__ = ("subscriptions",)
    SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    subscriptions: _containers.RepeatedCompositeFieldContainer[Subscription]
    def __init__(self, subscriptions: _Optional[_Iterable[_Union[Subscription, _Mapping]]] = ...) -> None: ...

class SuppressRequest(_message.Message):
    __slots__ = ("address", "reason", "detail")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    address: str
    reason: str
    detail: str
    def __init__(self, address: _Optional[str] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class Suppression(_message.Message):
    __slots__ = ("address", "reason", "detail", "created_at", "created_by")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    address: str
    reason: str
    detail: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    def __init__(self, address: _Optional[str] = ..., reason: _Optional[str] = ..., detail: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class UnsuppressRequest(_message.Message):
    __slots__ = ("address", "reason")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    address: str
    reason: str
    def __init__(self, address: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UnsuppressResponse(_message.Message):
    __slots__ = ("address", "reason", "removed")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    address: str
    reason: str
    removed: bool
    def __init__(self, address: _Optional[str] = ..., reason: _Optional[str] = ..., removed: _Optional[bool] = ...) -> None: ...

class ListSuppressionsRequest(_message.Message):
    __slots__ = ("address", "reason", "limit")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    address: str
    reason: str
    limit: int
    def __init__(self, address: _Optional[str] = ..., reason: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListSuppressionsResponse(_message.Message):
    __slots__ = ("suppressions",)
    SUPPRESSIONS_FIELD_NUMBER: _ClassVar[int]
    suppressions: _containers.RepeatedCompositeFieldContainer[Suppression]
    def __init__(self, suppressions: _Optional[_Iterable[_Union[Suppression, _Mapping]]] = ...) -> None: ...

class GroupMembers(_message.Message):
    __slots__ = ("partner_ids", "contact_ids")
    PARTNER_IDS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_IDS_FIELD_NUMBER: _ClassVar[int]
    partner_ids: _containers.RepeatedScalarFieldContainer[str]
    contact_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, partner_ids: _Optional[_Iterable[str]] = ..., contact_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GroupCondition(_message.Message):
    __slots__ = ("field", "op", "values")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    OP_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    field: str
    op: str
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, field: _Optional[str] = ..., op: _Optional[str] = ..., values: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateGroupRequest(_message.Message):
    __slots__ = ("name", "kind", "members", "conditions", "region", "department", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    members: GroupMembers
    conditions: _containers.RepeatedCompositeFieldContainer[GroupCondition]
    region: str
    department: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., members: _Optional[_Union[GroupMembers, _Mapping]] = ..., conditions: _Optional[_Iterable[_Union[GroupCondition, _Mapping]]] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MailingGroup(_message.Message):
    __slots__ = ("id", "name", "kind", "members", "conditions", "manager_id", "region", "department", "created_at", "created_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    kind: str
    members: GroupMembers
    conditions: _containers.RepeatedCompositeFieldContainer[GroupCondition]
    manager_id: str
    region: str
    department: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[str] = ..., members: _Optional[_Union[GroupMembers, _Mapping]] = ..., conditions: _Optional[_Iterable[_Union[GroupCondition, _Mapping]]] = ..., manager_id: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ...) -> None: ...

class GetGroupRequest(_message.Message):
    __slots__ = ("group_id",)
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    def __init__(self, group_id: _Optional[str] = ...) -> None: ...

class ListGroupsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListGroupsResponse(_message.Message):
    __slots__ = ("groups",)
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[MailingGroup]
    def __init__(self, groups: _Optional[_Iterable[_Union[MailingGroup, _Mapping]]] = ...) -> None: ...

class DeleteGroupRequest(_message.Message):
    __slots__ = ("group_id",)
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    def __init__(self, group_id: _Optional[str] = ...) -> None: ...

class DeleteGroupResponse(_message.Message):
    __slots__ = ("group_id", "deleted")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    deleted: bool
    def __init__(self, group_id: _Optional[str] = ..., deleted: _Optional[bool] = ...) -> None: ...

class PreviewGroupRequest(_message.Message):
    __slots__ = ("group_id",)
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    def __init__(self, group_id: _Optional[str] = ...) -> None: ...

class PreviewGroupResponse(_message.Message):
    __slots__ = ("group_id", "partners", "addresses")
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNERS_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    group_id: str
    partners: int
    addresses: int
    def __init__(self, group_id: _Optional[str] = ..., partners: _Optional[int] = ..., addresses: _Optional[int] = ...) -> None: ...

class CreateMailingRequest(_message.Message):
    __slots__ = ("name", "topic", "template_code", "group_id", "scheduled_at", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_CODE_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_AT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    topic: str
    template_code: str
    group_id: str
    scheduled_at: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, name: _Optional[str] = ..., topic: _Optional[str] = ..., template_code: _Optional[str] = ..., group_id: _Optional[str] = ..., scheduled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class MailingCounters(_message.Message):
    __slots__ = ("queued", "sent", "failed", "bounced", "suppressed", "cancelled", "unsubscribed")
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    BOUNCED_FIELD_NUMBER: _ClassVar[int]
    SUPPRESSED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBED_FIELD_NUMBER: _ClassVar[int]
    queued: int
    sent: int
    failed: int
    bounced: int
    suppressed: int
    cancelled: int
    unsubscribed: int
    def __init__(self, queued: _Optional[int] = ..., sent: _Optional[int] = ..., failed: _Optional[int] = ..., bounced: _Optional[int] = ..., suppressed: _Optional[int] = ..., cancelled: _Optional[int] = ..., unsubscribed: _Optional[int] = ...) -> None: ...

class Mailing(_message.Message):
    __slots__ = ("id", "name", "topic", "template_code", "template_version", "group_id", "status", "scheduled_at", "started_at", "finished_at", "cancelled_at", "manager_id", "region", "department", "created_at", "created_by", "counters")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_CODE_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_VERSION_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    COUNTERS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    topic: str
    template_code: str
    template_version: int
    group_id: str
    status: str
    scheduled_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    cancelled_at: _timestamp_pb2.Timestamp
    manager_id: str
    region: str
    department: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    counters: MailingCounters
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., topic: _Optional[str] = ..., template_code: _Optional[str] = ..., template_version: _Optional[int] = ..., group_id: _Optional[str] = ..., status: _Optional[str] = ..., scheduled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., manager_id: _Optional[str] = ..., region: _Optional[str] = ..., department: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., counters: _Optional[_Union[MailingCounters, _Mapping]] = ...) -> None: ...

class ScheduleMailingRequest(_message.Message):
    __slots__ = ("mailing_id", "scheduled_at")
    MAILING_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_AT_FIELD_NUMBER: _ClassVar[int]
    mailing_id: str
    scheduled_at: _timestamp_pb2.Timestamp
    def __init__(self, mailing_id: _Optional[str] = ..., scheduled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CancelMailingRequest(_message.Message):
    __slots__ = ("mailing_id",)
    MAILING_ID_FIELD_NUMBER: _ClassVar[int]
    mailing_id: str
    def __init__(self, mailing_id: _Optional[str] = ...) -> None: ...

class GetMailingRequest(_message.Message):
    __slots__ = ("mailing_id",)
    MAILING_ID_FIELD_NUMBER: _ClassVar[int]
    mailing_id: str
    def __init__(self, mailing_id: _Optional[str] = ...) -> None: ...

class ListMailingsRequest(_message.Message):
    __slots__ = ("status", "group_id", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    group_id: str
    limit: int
    def __init__(self, status: _Optional[str] = ..., group_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListMailingsResponse(_message.Message):
    __slots__ = ("mailings",)
    MAILINGS_FIELD_NUMBER: _ClassVar[int]
    mailings: _containers.RepeatedCompositeFieldContainer[Mailing]
    def __init__(self, mailings: _Optional[_Iterable[_Union[Mailing, _Mapping]]] = ...) -> None: ...
