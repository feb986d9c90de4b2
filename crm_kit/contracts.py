"""Event contracts: what an event is, said once, for its producer and every consumer.

An :class:`EventContract` names an event (``name``: the routing key on the exchange
``<source>.events``), its ``version``, the service that publishes it, the marshmallow schema of
its ``data``, the data fields that say what it is about (``subject``) and which of them name
partners (``partners``), a summary, and an example that keeps the schema. The concrete
contracts are in the top-level ``contracts`` package; this module is the machinery and knows no
concrete event (crm_kit is a leaf).

Every event travels in one envelope (:func:`crm_kit.db.event_envelope`)::

    {event_id, event_type, version, occurred_at, source, actor, subject, data}

``subject`` holds the subject ids the contract names (``partner_id``, ``deal_id``,
``interaction_id``...) and ``partner_ids``: every partner the event concerns, its own first. A
consumer can tell what an event is about without knowing its data's shape.

- **Producer**: ``uow.emit(CONTRACT, data)``. The data is checked against the schema only when
  ``CRM_CHECK_EVENTS=1`` (every test run sets it): interactions raises thousands of events a
  second under a PBX and does not pay for a full check of each in production.
- **Consumer**: ``CONTRACT.read(envelope)`` answers the data loaded through the schema (ids as
  text, times as aware datetimes, dates, money as Decimal); ``@handles(CONTRACT)``
  (crm_kit.entrypoints) does it before the handler runs. A malformed event is a
  ``ValidationError`` naming each bad field (its handler parks it).

Producers are held to the contract exactly (a field the contract does not name is an error);
readers are tolerant (they drop fields they do not know), so adding a field keeps the version.
A breaking change is a new contract with ``version`` 2 published alongside the old one, under
its own routing key (``<name>.v2``): consumers of version 1 go on hearing version 1.
"""

from __future__ import annotations

import contextvars
import json
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import RAISE, Schema, fields, pre_load, validate

from crm_kit.errors import ValidationError
from crm_kit.validation import load

CHECK_ENV = "CRM_CHECK_EVENTS"

# Set while reading: every schema of a contract then drops the fields it does not know
# (a newer producer's additions) instead of refusing them.
_READING: contextvars.ContextVar[bool] = contextvars.ContextVar("crm_contract_reading", default=False)


def checking() -> bool:
    """Whether emitted events are checked against their contracts (``CRM_CHECK_EVENTS=1``)."""
    return os.environ.get(CHECK_ENV, "").strip() in ("1", "true", "yes")


class ContractBroken(RuntimeError):
    """A producer emitted data its contract does not allow: a fault of the producer, not of its
    caller's input (so not a ValidationError, which would be mapped to INVALID_ARGUMENT)."""

    def __init__(self, contract: EventContract, problem: ValidationError):
        super().__init__(f"{contract.source}.{contract.name} v{contract.version} emitted against its contract: {problem.message}")
        self.details = problem.details


# --- the schema base and the wire's field types --------------------------------------------

class EventData(Schema):
    """The base of every schema in a contract (the data and what it nests). Strict for a
    producer (unknown fields refused), tolerant for a reader (unknown fields dropped)."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _drop_unknown_when_reading(self, data: Any, **_: Any) -> Any:
        if _READING.get() and isinstance(data, dict):
            known = {field.data_key or name for name, field in self.load_fields.items()}
            return {key: value for key, value in data.items() if key in known}
        return data


class Uuid(fields.String):
    """An entity id: a UUID as text; read as its canonical text."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return str(uuid.UUID(text))
        except ValueError:
            raise self.make_error("invalid_uuid") from None

    default_error_messages = {"invalid_uuid": "Not a valid UUID."}


class UserId(fields.String):
    """A user's id (a manager, a responsible): text as the identity provider gives it."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Length(min=1, max=64), **kwargs)


class DecimalText(fields.Decimal):
    """An exact decimal as text on the wire ("1500.00"); read as a Decimal. A JSON number is
    refused: money does not travel as a float."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            Decimal(value)
        except InvalidOperation:
            raise self.make_error("invalid") from None
        return super()._deserialize(value, attr, data, **kwargs)


class Currency(fields.String):
    """An ISO 4217 code."""

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Regexp(r"^[A-Z]{3}$"), **kwargs)


class Moment(fields.AwareDateTime):
    """An ISO 8601 time with its offset; read as an aware datetime."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)


def required(field_class: type[fields.Field] = fields.String, **kwargs) -> fields.Field:
    """A field the producer always writes, never null."""
    return field_class(required=True, **kwargs)


def nullable(field_class: type[fields.Field] = fields.String, **kwargs) -> fields.Field:
    """A field the producer always writes, null when it does not apply or is not known."""
    return field_class(required=True, allow_none=True, **kwargs)


def optional(field_class: type[fields.Field] = fields.String, **kwargs) -> fields.Field:
    """A field only some events of the contract carry (the contract says which)."""
    return field_class(allow_none=True, **kwargs)


# --- the envelope --------------------------------------------------------------------------

class ActorData(EventData):
    """Who caused the event (a person through the gateway, another service, or the platform)."""

    user_id = required(fields.String)
    roles = required(fields.List, cls_or_instance=fields.String())
    regions = required(fields.List, cls_or_instance=fields.String())
    department = nullable(fields.String)
    scopes = optional(fields.List, cls_or_instance=fields.String())


class Subject(EventData):
    """What the event is about: the subject ids its contract names, and every partner it
    concerns (``partner_ids``, its own partner first; empty when it names none)."""

    partner_ids = required(fields.List, cls_or_instance=Uuid())
    partner_id = optional(Uuid)
    merged_id = optional(Uuid)
    other_partner_id = optional(Uuid)
    contact_id = optional(Uuid)
    agreement_id = optional(Uuid)
    relationship_id = optional(Uuid)
    deal_id = optional(Uuid)
    offer_id = optional(Uuid)
    invoice_id = optional(Uuid)
    task_id = optional(Uuid)
    interaction_id = optional(Uuid)
    call_id = optional(fields.String)


SUBJECT_KEYS = tuple(name for name in Subject._declared_fields if name != "partner_ids")


class Envelope(EventData):
    """What every event carries around its data."""

    event_id = required(Uuid)
    event_type = required(fields.String)
    version = required(fields.Integer, strict=True, validate=validate.Range(min=1))
    occurred_at = required(Moment)
    source = required(fields.String)
    actor = required(fields.Nested, nested=ActorData)
    subject = required(fields.Nested, nested=Subject)
    data = required(fields.Dict)


# --- the contract --------------------------------------------------------------------------

def schemas_in(schema: type[Schema]) -> Iterator[type[Schema]]:
    """``schema`` and every schema it nests, once each."""
    seen: set[type[Schema]] = set()
    todo = [schema]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for field in current._declared_fields.values():
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, fields.Nested):
                nested = inner.nested() if callable(inner.nested) and not isinstance(inner.nested, type) else inner.nested
                todo.append(nested if isinstance(nested, type) else type(nested))


class EventContract:
    """One event a service publishes: see the module docstring.

    ``subject``: data fields that are subject ids (names from :data:`SUBJECT_KEYS`), copied to
    the envelope's ``subject``. ``partners``: the data fields naming partners the event concerns,
    its own first (default: ``partner_id`` when the data has it). ``example``: data that keeps
    the contract (tests check it; the catalogue shows it).
    """

    def __init__(
        self,
        source: str,
        name: str,
        schema: type[EventData],
        *,
        summary: str,
        example: dict[str, Any],
        subject: tuple[str, ...] = ("partner_id",),
        partners: tuple[str, ...] | None = None,
        version: int = 1,
        description: str | None = None,
    ):
        self.source, self.name, self.version = source, name, version
        self.schema_class = schema
        self.summary = summary
        self.description = description or schema.__doc__ or summary
        self.example = example
        self.subject = subject
        self.partners = partners if partners is not None else tuple(f for f in ("partner_id",) if f in schema._declared_fields)
        for schema_class in schemas_in(schema):
            if not issubclass(schema_class, EventData):
                raise TypeError(f"{source}.{name}: {schema_class.__name__} must derive from crm_kit.contracts.EventData")
        unknown = [f for f in (*subject, *self.partners) if f not in schema._declared_fields]
        if unknown:
            raise TypeError(f"{source}.{name}: subject fields {unknown} are not in {schema.__name__}")
        if set(subject) - set(SUBJECT_KEYS):
            raise TypeError(f"{source}.{name}: subject keys must be among {SUBJECT_KEYS}")
        self._schema = schema()

    def __repr__(self) -> str:
        return f"<EventContract {self.source}.{self.name} v{self.version}>"

    @property
    def exchange(self) -> str:
        return f"{self.source}.events"

    @property
    def routing_key(self) -> str:
        """The event's name; a later version is published alongside under ``<name>.v<N>``."""
        return self.name if self.version == 1 else f"{self.name}.v{self.version}"

    def subject_of(self, data: dict[str, Any]) -> dict[str, Any]:
        """The envelope's ``subject`` for ``data`` (cheap: run on every emit)."""
        subject: dict[str, Any] = {key: _text(data.get(key)) for key in self.subject}
        named = (_text(data.get(field)) for field in self.partners)
        subject["partner_ids"] = list(dict.fromkeys(partner for partner in named if partner))
        return subject

    def check(self, data: Any) -> None:
        """Refuse ``data`` (as it travels: JSON values) that breaks the contract, naming every
        bad field (ValidationError). Strict: a field the contract does not name is an error."""
        load(self._schema, data, what=f"{self.name} data")

    def load(self, data: Any) -> dict[str, Any]:
        """``data`` read through the contract: validated, typed, unknown fields dropped."""
        token = _READING.set(True)
        try:
            return load(self._schema, data, what=f"{self.name} data")
        finally:
            _READING.reset(token)

    def read(self, envelope: Any) -> dict[str, Any]:
        """The data of an incoming event read through this contract; a ValidationError names
        what is wrong (the envelope, another event or version, or a data field)."""
        if not isinstance(envelope, dict):
            raise ValidationError("an event is a JSON object", {"event": ["must be an object"]})
        if envelope.get("event_type") != self.name or envelope.get("source", self.source) != self.source:
            raise ValidationError(
                f"expected {self.source}.{self.name}, got {envelope.get('source')}.{envelope.get('event_type')}",
                {"event_type": [f"must be {self.name}"]},
            )
        version = envelope.get("version", 1)
        if version != self.version:
            raise ValidationError(f"{self.name}: version {version} read as {self.version}", {"version": [f"must be {self.version}"]})
        return self.load(envelope.get("data"))

    def check_envelope(self, envelope: Any) -> None:
        """Refuse an envelope (as it travels) whose fields or data break the contract: what an
        integration test asks of every event a running service published."""
        load(Envelope(), envelope, what=f"{self.name} envelope")
        if (envelope["source"], envelope["event_type"], envelope["version"]) != (self.source, self.name, self.version):
            raise ValidationError(f"not {self.source}.{self.name} v{self.version}", {"event_type": ["another event"]})
        expected = self.subject_of(envelope["data"])
        if {key: envelope["subject"].get(key) for key in expected} != expected:
            raise ValidationError(f"{self.name}: subject {envelope['subject']} does not match its data", {"subject": ["mismatch"]})
        self.check(envelope["data"])


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def as_travelled(data: dict[str, Any]) -> Any:
    """``data`` as a consumer gets it: through JSON (ids, Decimals and times become text)."""
    return json.loads(json.dumps(data, default=str))


def catalogue_of(*contracts: EventContract) -> dict[tuple[str, str, int], EventContract]:
    """Contracts by (source, name, version); refuses two contracts for one of those."""
    found: dict[tuple[str, str, int], EventContract] = {}
    for contract in contracts:
        key = (contract.source, contract.name, contract.version)
        if key in found:
            raise ValueError(f"two contracts for {contract!r}")
        found[key] = contract
    return found
