"""The marshmallow fields every service's RPC payload schemas are made of.

A service's ``schemas.py`` declares its payloads as subclasses of :class:`Payload` with these
fields (and marshmallow's own for the rest); :func:`crm_kit.validation.load` turns what they
refuse into one ValidationError naming every field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from crm_kit.errors import ValidationError as CrmValidationError


class Payload(Schema):
    """The base of every RPC payload schema."""

    class Meta:
        unknown = EXCLUDE  # older and newer clients send fields we do not know; ignore them


def messages_of(exc: CrmValidationError) -> list[str]:
    """The messages of a domain rule's ValidationError, for marshmallow to file under the field
    being loaded."""
    return [message for messages in (exc.details or {}).values() for message in messages] or [exc.message]


def text(max_len: int, **kwargs: Any) -> fields.String:
    """Text of at most ``max_len`` characters (empty allowed)."""
    return fields.String(validate=validate.Length(max=max_len), **kwargs)


def required_text(max_len: int, **kwargs: Any) -> fields.String:
    """Text that must be given, of 1 to ``max_len`` characters."""
    return fields.String(required=True, validate=validate.Length(min=1, max=max_len), **kwargs)


def optional_text(max_len: int) -> fields.String:
    """Text of at most ``max_len`` characters, ``None`` when absent."""
    return text(max_len, load_default=None, allow_none=True)


def one_of(choices: Iterable[str], **kwargs: Any) -> fields.String:
    """One of ``choices``."""
    return fields.String(validate=validate.OneOf(tuple(choices)), **kwargs)


def optional_one_of(choices: Iterable[str]) -> fields.String:
    """One of ``choices``, ``None`` when absent."""
    return one_of(choices, load_default=None, allow_none=True)


class Id(fields.UUID):
    """A UUID, loaded as its canonical text (the models keep ids as strings)."""

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        return str(loaded) if loaded is not None else None


def optional_id() -> Id:
    """An id, ``None`` when absent."""
    return Id(load_default=None, allow_none=True)


def optional_date() -> fields.Date:
    """An ISO date (``2026-11-23``), ``None`` when absent."""
    return fields.Date(load_default=None, allow_none=True)


class Moment(fields.AwareDateTime):
    """An ISO date-time; one without an offset is UTC."""

    def __init__(self, **kwargs: Any):
        super().__init__(default_timezone=UTC, **kwargs)


def optional_moment() -> Moment:
    """An ISO date-time (UTC without an offset), ``None`` when absent."""
    return Moment(load_default=None, allow_none=True)


class Currency(fields.String):
    """An ISO 4217 currency code (RUB, USD...)."""

    def __init__(self, **kwargs: Any):
        super().__init__(validate=validate.Regexp(r"^[A-Z]{3}$", error="an ISO 4217 code such as RUB"), **kwargs)


class Normalised(fields.String):
    """A string checked and normalised by a domain rule (``rule(value) -> value``, raising
    crm_kit's ValidationError for what it refuses)."""

    def __init__(self, rule: Callable[[str], str], **kwargs: Any):
        super().__init__(**kwargs)
        self.rule = rule

    def _deserialize(self, value, attr, data, **kwargs):
        loaded = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.rule(loaded)
        except CrmValidationError as exc:
            raise ValidationError(messages_of(exc)) from None


def page_size(default: int, maximum: int) -> fields.Integer:
    """How many items a page holds: 1 to ``maximum``, ``default`` when absent."""
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=maximum))


def page_cursor() -> fields.String:
    """Where the next page starts: the ``next_cursor`` of the previous answer
    (:mod:`crm_kit.paging`), ``None`` for the first page."""
    return optional_text(500)
