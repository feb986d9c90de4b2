"""Keyset pages: the opaque ``next_cursor`` a list answers with, and reading it back.

A cursor holds the sort key of the last item of a page (for example its creation time and
id); the next page starts after it. Callers treat it as opaque text.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from crm_kit.errors import ValidationError


def encode_cursor(*key: Any) -> str:
    """The cursor after an item whose sort key is ``key`` (JSON values)."""
    return base64.urlsafe_b64encode(json.dumps(list(key), ensure_ascii=False).encode()).decode()


def decode_cursor(cursor: str, *readers: Callable[[Any], Any]) -> list[Any]:
    """The sort key a cursor of :func:`encode_cursor` holds, each value read by its reader
    (``datetime.fromisoformat``, ``str``...); refuses anything else as a ValidationError on
    ``cursor``."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(key, list) or len(key) != len(readers):
            raise ValueError(cursor)
        return [read(value) for read, value in zip(readers, key, strict=True)]
    except (ValueError, TypeError):
        raise ValidationError.for_field("cursor", "not a cursor this service returned") from None
