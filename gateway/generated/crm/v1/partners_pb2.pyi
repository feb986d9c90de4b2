import datetime

from crm.v1 import common_pb2 as _common_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DuplicatePolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DUPLICATE_POLICY_UNSPECIFIED: _ClassVar[DuplicatePolicy]
    DUPLICATE_POLICY_BLOCK: _ClassVar[DuplicatePolicy]
    DUPLICATE_POLICY_WARN: _ClassVar[DuplicatePolicy]
    DUPLICATE_POLICY_SKIP: _ClassVar[DuplicatePolicy]
DUPLICATE_POLICY_UNSPECIFIED: DuplicatePolicy
DUPLICATE_POLICY_BLOCK: DuplicatePolicy
DUPLICATE_POLICY_WARN: DuplicatePolicy
DUPLICATE_POLICY_SKIP: DuplicatePolicy

class Phone(_message.Message):
    __slots__ = ("number", "kind", "extension")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    number: str
    kind: str
    extension: str
    def __init__(self, number: _Optional[str] = ..., kind: _Optional[str] = ..., extension: _Optional[str] = ...) -> None: ...

class Email(_message.Message):
    __slots__ = ("address", "kind")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    address: str
    kind: str
    def __init__(self, address: _Optional[str] = ..., kind: _Optional[str] = ...) -> None: ...

class Address(_message.Message):
    __slots__ = ("kind", "text")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    text: str
    def __init__(self, kind: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class BankAccount(_message.Message):
    __slots__ = ("bic", "account", "bank_name")
    BIC_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    BANK_NAME_FIELD_NUMBER: _ClassVar[int]
    bic: str
    account: str
    bank_name: str
    def __init__(self, bic: _Optional[str] = ..., account: _Optional[str] = ..., bank_name: _Optional[str] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("id", "partner_id", "full_name", "position", "roles", "status", "comment", "phones", "emails")
    ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    id: str
    partner_id: str
    full_name: str
    position: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    status: str
    comment: str
    phones: _containers.RepeatedCompositeFieldContainer[Phone]
    emails: _containers.RepeatedCompositeFieldContainer[Email]
    def __init__(self, id: _Optional[str] = ..., partner_id: _Optional[str] = ..., full_name: _Optional[str] = ..., position: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ..., status: _Optional[str] = ..., comment: _Optional[str] = ..., phones: _Optional[_Iterable[_Union[Phone, _Mapping]]] = ..., emails: _Optional[_Iterable[_Union[Email, _Mapping]]] = ...) -> None: ...

class DuplicateOverride(_message.Message):
    __slots__ = ("policy", "by", "at", "reason", "matches")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    policy: str
    by: str
    at: _timestamp_pb2.Timestamp
    reason: str
    matches: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, policy: _Optional[str] = ..., by: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ..., matches: _Optional[_Iterable[str]] = ...) -> None: ...

class Partner(_message.Message):
    __slots__ = ("id", "kinds", "legal_form", "short_name", "full_name", "inn", "kpp", "ogrn", "legal_address", "website", "segment", "source", "region", "manager_id", "department", "status", "merged_into", "comment", "phones", "emails", "addresses", "bank_accounts", "properties", "contacts", "duplicate_override", "created_at", "created_by", "updated_at", "archived_at", "archived_by", "archive_reason")
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    LEGAL_FORM_FIELD_NUMBER: _ClassVar[int]
    SHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    INN_FIELD_NUMBER: _ClassVar[int]
    KPP_FIELD_NUMBER: _ClassVar[int]
    OGRN_FIELD_NUMBER: _ClassVar[int]
    LEGAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    WEBSITE_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    BANK_ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_AT_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_BY_FIELD_NUMBER: _ClassVar[int]
    ARCHIVE_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    kinds: _containers.RepeatedScalarFieldContainer[str]
    legal_form: str
    short_name: str
    full_name: str
    inn: str
    kpp: str
    ogrn: str
    legal_address: str
    website: str
    segment: str
    source: str
    region: str
    manager_id: str
    department: str
    status: str
    merged_into: str
    comment: str
    phones: _containers.RepeatedCompositeFieldContainer[Phone]
    emails: _containers.RepeatedCompositeFieldContainer[Email]
    addresses: _containers.RepeatedCompositeFieldContainer[Address]
    bank_accounts: _containers.RepeatedCompositeFieldContainer[BankAccount]
    properties: _containers.ScalarMap[str, str]
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    duplicate_override: DuplicateOverride
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    updated_at: _timestamp_pb2.Timestamp
    archived_at: _timestamp_pb2.Timestamp
    archived_by: str
    archive_reason: str
    def __init__(self, id: _Optional[str] = ..., kinds: _Optional[_Iterable[str]] = ..., legal_form: _Optional[str] = ..., short_name: _Optional[str] = ..., full_name: _Optional[str] = ..., inn: _Optional[str] = ..., kpp: _Optional[str] = ..., ogrn: _Optional[str] = ..., legal_address: _Optional[str] = ..., website: _Optional[str] = ..., segment: _Optional[str] = ..., source: _Optional[str] = ..., region: _Optional[str] = ..., manager_id: _Optional[str] = ..., department: _Optional[str] = ..., status: _Optional[str] = ..., merged_into: _Optional[str] = ..., comment: _Optional[str] = ..., phones: _Optional[_Iterable[_Union[Phone, _Mapping]]] = ..., emails: _Optional[_Iterable[_Union[Email, _Mapping]]] = ..., addresses: _Optional[_Iterable[_Union[Address, _Mapping]]] = ..., bank_accounts: _Optional[_Iterable[_Union[BankAccount, _Mapping]]] = ..., properties: _Optional[_Mapping[str, str]] = ..., contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ..., duplicate_override: _Optional[_Union[DuplicateOverride, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., archived_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., archived_by: _Optional[str] = ..., archive_reason: _Optional[str] = ...) -> None: ...

class PartnerSummary(_message.Message):
    __slots__ = ("id", "short_name", "kinds", "legal_form", "inn", "kpp", "segment", "region", "manager_id", "department", "status", "merged_into")
    ID_FIELD_NUMBER: _ClassVar[int]
    SHORT_NAME_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    LEGAL_FORM_FIELD_NUMBER: _ClassVar[int]
    INN_FIELD_NUMBER: _ClassVar[int]
    KPP_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_FIELD_NUMBER: _ClassVar[int]
    id: str
    short_name: str
    kinds: _containers.RepeatedScalarFieldContainer[str]
    legal_form: str
    inn: str
    kpp: str
    segment: str
    region: str
    manager_id: str
    department: str
    status: str
    merged_into: str
    def __init__(self, id: _Optional[str] = ..., short_name: _Optional[str] = ..., kinds: _Optional[_Iterable[str]] = ..., legal_form: _Optional[str] = ..., inn: _Optional[str] = ..., kpp: _Optional[str] = ..., segment: _Optional[str] = ..., region: _Optional[str] = ..., manager_id: _Optional[str] = ..., department: _Optional[str] = ..., status: _Optional[str] = ..., merged_into: _Optional[str] = ...) -> None: ...

class DuplicateReason(_message.Message):
    __slots__ = ("kind", "value", "detail")
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    kind: str
    value: str
    detail: str
    def __init__(self, kind: _Optional[str] = ..., value: _Optional[str] = ..., detail: _Optional[str] = ...) -> None: ...

class DuplicateMatch(_message.Message):
    __slots__ = ("partner_id", "name", "score", "strength", "reasons", "status", "hidden", "manager_id")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    STRENGTH_FIELD_NUMBER: _ClassVar[int]
    REASONS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    name: str
    score: int
    strength: str
    reasons: _containers.RepeatedCompositeFieldContainer[DuplicateReason]
    status: str
    hidden: bool
    manager_id: str
    def __init__(self, partner_id: _Optional[str] = ..., name: _Optional[str] = ..., score: _Optional[int] = ..., strength: _Optional[str] = ..., reasons: _Optional[_Iterable[_Union[DuplicateReason, _Mapping]]] = ..., status: _Optional[str] = ..., hidden: _Optional[bool] = ..., manager_id: _Optional[str] = ...) -> None: ...

class Branch(_message.Message):
    __slots__ = ("partner_id", "name", "inn", "kpp")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INN_FIELD_NUMBER: _ClassVar[int]
    KPP_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    name: str
    inn: str
    kpp: str
    def __init__(self, partner_id: _Optional[str] = ..., name: _Optional[str] = ..., inn: _Optional[str] = ..., kpp: _Optional[str] = ...) -> None: ...

class RegisterPartnerRequest(_message.Message):
    __slots__ = ("partner", "duplicate_policy", "override_reason", "request_id")
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_POLICY_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    partner: Partner
    duplicate_policy: DuplicatePolicy
    override_reason: str
    request_id: str
    def __init__(self, partner: _Optional[_Union[Partner, _Mapping]] = ..., duplicate_policy: _Optional[_Union[DuplicatePolicy, str]] = ..., override_reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RegisterPartnerResponse(_message.Message):
    __slots__ = ("partner", "duplicates", "branches", "replayed")
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    BRANCHES_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    partner: Partner
    duplicates: _containers.RepeatedCompositeFieldContainer[DuplicateMatch]
    branches: _containers.RepeatedCompositeFieldContainer[Branch]
    replayed: bool
    def __init__(self, partner: _Optional[_Union[Partner, _Mapping]] = ..., duplicates: _Optional[_Iterable[_Union[DuplicateMatch, _Mapping]]] = ..., branches: _Optional[_Iterable[_Union[Branch, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetPartnerRequest(_message.Message):
    __slots__ = ("partner_id",)
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    def __init__(self, partner_id: _Optional[str] = ...) -> None: ...

class UpdatePartnerRequest(_message.Message):
    __slots__ = ("partner_id", "partner", "update_mask")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    partner: Partner
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, partner_id: _Optional[str] = ..., partner: _Optional[_Union[Partner, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class SearchPartnersRequest(_message.Message):
    __slots__ = ("kind", "segment", "region", "manager_id", "status", "text", "page", "source")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    segment: str
    region: str
    manager_id: str
    status: str
    text: str
    page: _common_pb2.PageRequest
    source: str
    def __init__(self, kind: _Optional[str] = ..., segment: _Optional[str] = ..., region: _Optional[str] = ..., manager_id: _Optional[str] = ..., status: _Optional[str] = ..., text: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...

class SearchPartnersResponse(_message.Message):
    __slots__ = ("partners", "page")
    PARTNERS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    partners: _containers.RepeatedCompositeFieldContainer[PartnerSummary]
    page: _common_pb2.PageInfo
    def __init__(self, partners: _Optional[_Iterable[_Union[PartnerSummary, _Mapping]]] = ..., page: _Optional[_Union[_common_pb2.PageInfo, _Mapping]] = ...) -> None: ...

class FindDuplicatesRequest(_message.Message):
    __slots__ = ("partner_id", "name", "inn", "kpp", "phones", "emails", "limit")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INN_FIELD_NUMBER: _ClassVar[int]
    KPP_FIELD_NUMBER: _ClassVar[int]
    PHONES_FIELD_NUMBER: _ClassVar[int]
    EMAILS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    name: str
    inn: str
    kpp: str
    phones: _containers.RepeatedScalarFieldContainer[str]
    emails: _containers.RepeatedScalarFieldContainer[str]
    limit: int
    def __init__(self, partner_id: _Optional[str] = ..., name: _Optional[str] = ..., inn: _Optional[str] = ..., kpp: _Optional[str] = ..., phones: _Optional[_Iterable[str]] = ..., emails: _Optional[_Iterable[str]] = ..., limit: _Optional[int] = ...) -> None: ...

class FindDuplicatesResponse(_message.Message):
    __slots__ = ("duplicates", "branches")
    DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    BRANCHES_FIELD_NUMBER: _ClassVar[int]
    duplicates: _containers.RepeatedCompositeFieldContainer[DuplicateMatch]
    branches: _containers.RepeatedCompositeFieldContainer[Branch]
    def __init__(self, duplicates: _Optional[_Iterable[_Union[DuplicateMatch, _Mapping]]] = ..., branches: _Optional[_Iterable[_Union[Branch, _Mapping]]] = ...) -> None: ...

class FindByPhoneRequest(_message.Message):
    __slots__ = ("number",)
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    number: str
    def __init__(self, number: _Optional[str] = ...) -> None: ...

class PhoneMatch(_message.Message):
    __slots__ = ("partner_id", "partner_name", "contact_id", "contact_name", "manager_id")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNER_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    partner_name: str
    contact_id: str
    contact_name: str
    manager_id: str
    def __init__(self, partner_id: _Optional[str] = ..., partner_name: _Optional[str] = ..., contact_id: _Optional[str] = ..., contact_name: _Optional[str] = ..., manager_id: _Optional[str] = ...) -> None: ...

class FindByPhoneResponse(_message.Message):
    __slots__ = ("number", "matches")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    number: str
    matches: _containers.RepeatedCompositeFieldContainer[PhoneMatch]
    def __init__(self, number: _Optional[str] = ..., matches: _Optional[_Iterable[_Union[PhoneMatch, _Mapping]]] = ...) -> None: ...

class FindByEmailRequest(_message.Message):
    __slots__ = ("address",)
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    address: str
    def __init__(self, address: _Optional[str] = ...) -> None: ...

class FindByEmailResponse(_message.Message):
    __slots__ = ("address", "matches")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    MATCHES_FIELD_NUMBER: _ClassVar[int]
    address: str
    matches: _containers.RepeatedCompositeFieldContainer[PhoneMatch]
    def __init__(self, address: _Optional[str] = ..., matches: _Optional[_Iterable[_Union[PhoneMatch, _Mapping]]] = ...) -> None: ...

class ArchivePartnerRequest(_message.Message):
    __slots__ = ("partner_id", "reason")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    reason: str
    def __init__(self, partner_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class UnarchivePartnerRequest(_message.Message):
    __slots__ = ("partner_id",)
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    def __init__(self, partner_id: _Optional[str] = ...) -> None: ...

class MergePartnersRequest(_message.Message):
    __slots__ = ("survivor_id", "merged_id", "keep")
    class KeepEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SURVIVOR_ID_FIELD_NUMBER: _ClassVar[int]
    MERGED_ID_FIELD_NUMBER: _ClassVar[int]
    KEEP_FIELD_NUMBER: _ClassVar[int]
    survivor_id: str
    merged_id: str
    keep: _containers.ScalarMap[str, str]
    def __init__(self, survivor_id: _Optional[str] = ..., merged_id: _Optional[str] = ..., keep: _Optional[_Mapping[str, str]] = ...) -> None: ...

class AddContactRequest(_message.Message):
    __slots__ = ("partner_id", "contact", "request_id")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    contact: Contact
    request_id: str
    def __init__(self, partner_id: _Optional[str] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateContactRequest(_message.Message):
    __slots__ = ("contact_id", "contact", "update_mask")
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    contact: Contact
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, contact_id: _Optional[str] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class RemoveContactRequest(_message.Message):
    __slots__ = ("contact_id",)
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    contact_id: str
    def __init__(self, contact_id: _Optional[str] = ...) -> None: ...

class RemoveContactResponse(_message.Message):
    __slots__ = ("partner_id", "contact_id")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    contact_id: str
    def __init__(self, partner_id: _Optional[str] = ..., contact_id: _Optional[str] = ...) -> None: ...

class ListContactsRequest(_message.Message):
    __slots__ = ("partner_id",)
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    def __init__(self, partner_id: _Optional[str] = ...) -> None: ...

class ListContactsResponse(_message.Message):
    __slots__ = ("contacts",)
    CONTACTS_FIELD_NUMBER: _ClassVar[int]
    contacts: _containers.RepeatedCompositeFieldContainer[Contact]
    def __init__(self, contacts: _Optional[_Iterable[_Union[Contact, _Mapping]]] = ...) -> None: ...

class Relationship(_message.Message):
    __slots__ = ("id", "kind", "from_partner_id", "to_partner_id", "from_contact_id", "to_contact_id", "comment", "created_at", "created_by", "direction")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FROM_PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    TO_PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    TO_CONTACT_ID_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    from_partner_id: str
    to_partner_id: str
    from_contact_id: str
    to_contact_id: str
    comment: str
    created_at: _timestamp_pb2.Timestamp
    created_by: str
    direction: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., from_partner_id: _Optional[str] = ..., to_partner_id: _Optional[str] = ..., from_contact_id: _Optional[str] = ..., to_contact_id: _Optional[str] = ..., comment: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., direction: _Optional[str] = ...) -> None: ...

class AddRelationshipRequest(_message.Message):
    __slots__ = ("relationship", "request_id")
    RELATIONSHIP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    relationship: Relationship
    request_id: str
    def __init__(self, relationship: _Optional[_Union[Relationship, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveRelationshipRequest(_message.Message):
    __slots__ = ("relationship_id",)
    RELATIONSHIP_ID_FIELD_NUMBER: _ClassVar[int]
    relationship_id: str
    def __init__(self, relationship_id: _Optional[str] = ...) -> None: ...

class RemoveRelationshipResponse(_message.Message):
    __slots__ = ("relationship_id",)
    RELATIONSHIP_ID_FIELD_NUMBER: _ClassVar[int]
    relationship_id: str
    def __init__(self, relationship_id: _Optional[str] = ...) -> None: ...

class ListRelationshipsRequest(_message.Message):
    __slots__ = ("partner_id",)
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    def __init__(self, partner_id: _Optional[str] = ...) -> None: ...

class ListRelationshipsResponse(_message.Message):
    __slots__ = ("relationships",)
    RELATIONSHIPS_FIELD_NUMBER: _ClassVar[int]
    relationships: _containers.RepeatedCompositeFieldContainer[Relationship]
    def __init__(self, relationships: _Optional[_Iterable[_Union[Relationship, _Mapping]]] = ...) -> None: ...

class Agreement(_message.Message):
    __slots__ = ("id", "kind", "number", "name", "partner_id", "segment", "parent_id", "status", "valid_from", "valid_to", "prepayment_share", "credit_days", "price_type", "delivery_terms", "discount_percent", "currency", "approved_at", "approved_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_TO_FIELD_NUMBER: _ClassVar[int]
    PREPAYMENT_SHARE_FIELD_NUMBER: _ClassVar[int]
    CREDIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    PRICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_TERMS_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    APPROVED_AT_FIELD_NUMBER: _ClassVar[int]
    APPROVED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    number: str
    name: str
    partner_id: str
    segment: str
    parent_id: str
    status: str
    valid_from: _common_pb2.Date
    valid_to: _common_pb2.Date
    prepayment_share: _common_pb2.Decimal
    credit_days: int
    price_type: str
    delivery_terms: str
    discount_percent: _common_pb2.Decimal
    currency: str
    approved_at: _timestamp_pb2.Timestamp
    approved_by: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., number: _Optional[str] = ..., name: _Optional[str] = ..., partner_id: _Optional[str] = ..., segment: _Optional[str] = ..., parent_id: _Optional[str] = ..., status: _Optional[str] = ..., valid_from: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., valid_to: _Optional[_Union[_common_pb2.Date, _Mapping]] = ..., prepayment_share: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., credit_days: _Optional[int] = ..., price_type: _Optional[str] = ..., delivery_terms: _Optional[str] = ..., discount_percent: _Optional[_Union[_common_pb2.Decimal, _Mapping]] = ..., currency: _Optional[str] = ..., approved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., approved_by: _Optional[str] = ...) -> None: ...

class CreateAgreementRequest(_message.Message):
    __slots__ = ("agreement", "request_id")
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    agreement: Agreement
    request_id: str
    def __init__(self, agreement: _Optional[_Union[Agreement, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateAgreementRequest(_message.Message):
    __slots__ = ("agreement_id", "agreement", "update_mask")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    agreement: Agreement
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, agreement_id: _Optional[str] = ..., agreement: _Optional[_Union[Agreement, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class SetAgreementStatusRequest(_message.Message):
    __slots__ = ("agreement_id", "status")
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    status: str
    def __init__(self, agreement_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class GetAgreementRequest(_message.Message):
    __slots__ = ("agreement_id",)
    AGREEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    agreement_id: str
    def __init__(self, agreement_id: _Optional[str] = ...) -> None: ...

class ListAgreementsRequest(_message.Message):
    __slots__ = ("partner_id", "segment", "in_force_on")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_FIELD_NUMBER: _ClassVar[int]
    IN_FORCE_ON_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    segment: str
    in_force_on: _common_pb2.Date
    def __init__(self, partner_id: _Optional[str] = ..., segment: _Optional[str] = ..., in_force_on: _Optional[_Union[_common_pb2.Date, _Mapping]] = ...) -> None: ...

class ListAgreementsResponse(_message.Message):
    __slots__ = ("agreements",)
    AGREEMENTS_FIELD_NUMBER: _ClassVar[int]
    agreements: _containers.RepeatedCompositeFieldContainer[Agreement]
    def __init__(self, agreements: _Optional[_Iterable[_Union[Agreement, _Mapping]]] = ...) -> None: ...

class ManagerAssignment(_message.Message):
    __slots__ = ("partner_id", "manager_id", "previous_manager_id", "department", "reason", "changed_at", "changed_by")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_BY_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    manager_id: str
    previous_manager_id: str
    department: str
    reason: str
    changed_at: _timestamp_pb2.Timestamp
    changed_by: str
    def __init__(self, partner_id: _Optional[str] = ..., manager_id: _Optional[str] = ..., previous_manager_id: _Optional[str] = ..., department: _Optional[str] = ..., reason: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., changed_by: _Optional[str] = ...) -> None: ...

class ReassignPartnerRequest(_message.Message):
    __slots__ = ("partner_id", "manager_id", "department", "reason")
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    manager_id: str
    department: str
    reason: str
    def __init__(self, partner_id: _Optional[str] = ..., manager_id: _Optional[str] = ..., department: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class HandOverClientsRequest(_message.Message):
    __slots__ = ("from_manager_id", "to_manager_id", "department", "reason", "request_id")
    FROM_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    TO_MANAGER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPARTMENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    from_manager_id: str
    to_manager_id: str
    department: str
    reason: str
    request_id: str
    def __init__(self, from_manager_id: _Optional[str] = ..., to_manager_id: _Optional[str] = ..., department: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class HandOverClientsResponse(_message.Message):
    __slots__ = ("handover_id", "count", "partner_ids")
    HANDOVER_ID_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    PARTNER_IDS_FIELD_NUMBER: _ClassVar[int]
    handover_id: str
    count: int
    partner_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, handover_id: _Optional[str] = ..., count: _Optional[int] = ..., partner_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListManagerHistoryRequest(_message.Message):
    __slots__ = ("partner_id",)
    PARTNER_ID_FIELD_NUMBER: _ClassVar[int]
    partner_id: str
    def __init__(self, partner_id: _Optional[str] = ...) -> None: ...

class ListManagerHistoryResponse(_message.Message):
    __slots__ = ("assignments",)
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[ManagerAssignment]
    def __init__(self, assignments: _Optional[_Iterable[_Union[ManagerAssignment, _Mapping]]] = ...) -> None: ...
