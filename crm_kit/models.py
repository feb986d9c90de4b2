"""What every service's models share: the declarative base of a service's own database, its
ids and its created/updated times.

A service's ``models.py`` starts with ``Base = service_base()``: its metadata names constraints
and indexes by one convention (so alembic's autogenerate and every migration agree on names)
and already holds the outbox and inbox tables (:func:`crm_kit.db.messaging_tables`) and the
idempotency keys of its creating RPCs (:func:`crm_kit.idempotency.keys_table`). Records
are keyed by UUIDs kept as text (:data:`Id`, :func:`id_column`); other services refer to them
by that text, never by a foreign key.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crm_kit.clock import utcnow
from crm_kit.db import messaging_tables
from crm_kit.idempotency import keys_table

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A UUID column read and written as its canonical text (ids travel as JSON strings).
Id = Uuid(as_uuid=False)


def new_id() -> str:
    """A fresh record id."""
    return str(uuid.uuid4())


def service_base() -> type[DeclarativeBase]:
    """A declarative base with metadata of its own (one per service database), named by
    :data:`NAMING_CONVENTION`, holding the outbox, inbox and idempotency keys tables."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING_CONVENTION)

    messaging_tables(Base.metadata)
    keys_table(Base.metadata)
    return Base


def id_column(**kwargs: Any) -> Mapped[str]:
    """The primary key of a record: a UUID made when the record is written."""
    return mapped_column(Id, primary_key=True, default=new_id, **kwargs)


def created_at_column() -> Mapped[datetime]:
    """When the record was written (aware UTC)."""
    return mapped_column(DateTime(timezone=True), default=utcnow)


def updated_at_column() -> Mapped[datetime]:
    """When the record last changed (aware UTC), also on bulk UPDATE statements."""
    return mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
