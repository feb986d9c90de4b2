"""Keyset pages: the opaque ``next_cursor`` a list answers with, and reading it back.

A cursor holds the sort key of the last item of a page (for example its creation time and
id); the next page starts after it. Callers treat it as opaque text.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_

from crm_kit.clock import aware
from crm_kit.errors import ValidationError
from crm_kit.validation import unstorable_text
from crm_kit.views import iso


def encode_cursor(*key: Any) -> str:
    """The cursor after an item whose sort key is ``key`` (JSON values)."""
    return base64.urlsafe_b64encode(json.dumps(list(key), ensure_ascii=False).encode()).decode()


def text_key(value: Any) -> str:
    """A text value of a cursor: text a field could hold (crm_kit.validation's rule)."""
    if not isinstance(value, str) or unstorable_text(value):
        raise ValueError("not text")
    return value


def id_key(value: Any) -> str:
    """A record id of a cursor, as its canonical UUID text."""
    if not isinstance(value, str):
        raise ValueError("not an id")
    return str(uuid.UUID(value))


def time_key(value: Any) -> datetime:
    """A time of a cursor (ISO text with its offset)."""
    if not isinstance(value, str):
        raise ValueError("not a time")
    return aware(datetime.fromisoformat(value))


def decode_cursor(cursor: str, *readers: Callable[[Any], Any]) -> list[Any]:
    """The sort key a cursor of :func:`encode_cursor` holds, each value read by its reader
    (:func:`text_key`, :func:`id_key`, :func:`time_key`: a tampered cursor must not reach the
    database with a value it refuses); refuses anything else as a ValidationError on
    ``cursor``."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if not isinstance(key, list) or len(key) != len(readers):
            raise ValueError(cursor)
        return [read(value) for read, value in zip(readers, key, strict=True)]
    except (ValueError, TypeError, UnicodeError, RecursionError):
        raise ValidationError.for_field("cursor", "not a cursor this service returned") from None


def newest_first_page(session, query, model, cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """One page of ``query`` (rows of ``model``, which has ``created_at`` and ``id``), newest
    first, keyset-paged on ``(created_at, id)`` after ``cursor``; answers the rows and the
    cursor of the next page (None on the last)."""
    if cursor:
        created_at, row_id = decode_cursor(cursor, time_key, id_key)
        query = query.where(or_(model.created_at < created_at, and_(model.created_at == created_at, model.id < row_id)))
    rows = session.scalars(query.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)).all()
    items = rows[:limit]
    return items, (encode_cursor(iso(items[-1].created_at), items[-1].id) if len(rows) > limit else None)
