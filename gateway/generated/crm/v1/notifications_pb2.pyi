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
    __slots__ = ("id", "kind", "event_id", "recipient", "channel", "address", "partner_id", "contact_id", "user_id", "template_code", "template_version", "subject", "text", "html", "status", "attempts", "next_attempt_at", "provider_id", "error", "created_at", "sent_at")
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
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., event_id: _Optional[str] = ..., recipient: _Optional[str] = ..., channel: _Optional[str] = ..., address: _Optional[str] = ..., partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ..., user_id: _Optional[str] = ..., template_code: _Optional[str] = ..., template_version: _Optional[int] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., html: _Optional[str] = ..., status: _Optional[str] = ..., attempts: _Optional[int] = ..., next_attempt_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., provider_id: _Optional[str] = ..., error: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

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
