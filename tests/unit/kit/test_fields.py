"""The kit's payload fields, time views and keyset cursors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crm_kit.errors import ValidationError
from crm_kit.fields import (
    Currency,
    Id,
    Normalised,
    Payload,
    one_of,
    optional_date,
    optional_id,
    optional_moment,
    optional_text,
    page_cursor,
    page_size,
    required_text,
)
from crm_kit.paging import decode_cursor, encode_cursor
from crm_kit.validation import load
from crm_kit.views import iso


def _upper_code(value: str) -> str:
    if not value.isalpha():
        raise ValidationError.for_field("code", "letters only")
    return value.upper()


class Sample(Payload):
    id = Id(required=True)
    other_id = optional_id()
    title = required_text(10)
    note = optional_text(5)
    kind = one_of(("a", "b"), load_default="a")
    on = optional_date()
    at = optional_moment()
    currency = Currency(load_default="RUB")
    code = Normalised(_upper_code, load_default=None, allow_none=True)
    limit = page_size(20, 100)
    cursor = page_cursor()


ID = "5f0c0c1e-0000-4000-8000-00000000000a"


def test_a_good_payload_loads_with_defaults_and_ids_as_text() -> None:
    data = load(Sample(), {"id": ID.upper(), "title": "Встреча", "at": "2026-11-23T10:00:00", "code": "ab",
                           "unknown_field": "ignored"})
    assert data == {
        "id": ID, "other_id": None, "title": "Встреча", "note": None, "kind": "a", "on": None,
        "at": datetime(2026, 11, 23, 10, tzinfo=UTC), "currency": "RUB", "code": "AB", "limit": 20, "cursor": None,
    }


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as refused:
        load(Sample(), {"id": "nope", "title": "", "note": "too long", "kind": "c", "on": "23.11.2026",
                        "currency": "rub", "code": "a1", "limit": 0})
    assert set(refused.value.details) == {"id", "title", "note", "kind", "on", "currency", "code", "limit"}
    assert refused.value.details["code"] == ["letters only"]
    assert refused.value.details["currency"] == ["an ISO 4217 code such as RUB"]


def test_iso_views_of_dates_and_times() -> None:
    assert iso(None) is None
    assert iso(date(2026, 11, 23)) == "2026-11-23"
    assert iso(datetime(2026, 11, 23, 10)) == "2026-11-23T10:00:00+00:00"  # SQLite's naive UTC
    moscow = timezone(timedelta(hours=3))
    assert iso(datetime(2026, 11, 23, 13, tzinfo=moscow)) == "2026-11-23T13:00:00+03:00"


def test_a_cursor_gives_back_its_key_and_refuses_anything_else() -> None:
    created = datetime(2026, 11, 23, 10, tzinfo=UTC)
    cursor = encode_cursor(iso(created), ID)
    assert decode_cursor(cursor, datetime.fromisoformat, str) == [created, ID]
    assert decode_cursor(encode_cursor("Ромашка", ID), str, str) == ["Ромашка", ID]
    for bad in ("not base64!", encode_cursor(ID), encode_cursor("yesterday", ID), "e30="):
        with pytest.raises(ValidationError) as refused:
            decode_cursor(bad, datetime.fromisoformat, str)
        assert refused.value.details == {"cursor": ["not a cursor this service returned"]}


@pytest.mark.parametrize("bad", ["a\x00b", "\x07bell", "esc\x1b[0m", "del\x7f", "half\ud800"])
def test_no_payload_takes_control_characters_or_lone_surrogates(bad):
    from marshmallow import fields as mfields

    from crm_kit.errors import ValidationError as CrmValidationError
    from crm_kit.validation import load

    class Note(Payload):
        title = mfields.String()
        lines = mfields.List(mfields.Dict())

    with pytest.raises(CrmValidationError) as refused:
        load(Note(), {"title": "fine", "lines": [{"ok": "multi\nline\ttext\r"}, {"text": bad}]})
    assert list(refused.value.details) == ["lines.1.text"]
    assert bad not in refused.value.message  # the bad input is not echoed
    assert load(Note(), {"title": "Ёлка «№1» — 100 %", "lines": [{"a": "строка\nвторая"}]})["title"].startswith("Ёлка")


@pytest.mark.parametrize(
    "key",
    [[1, "00000000-0000-4000-8000-000000000000"], ["a\x00", "00000000-0000-4000-8000-000000000000"],
     ["name", "not-a-uuid"], ["name"], {"a": 1}, "text"],
)
def test_a_tampered_cursor_is_a_validation_error_on_cursor(key):
    import base64
    import json

    from crm_kit.errors import ValidationError as CrmValidationError
    from crm_kit.paging import decode_cursor, encode_cursor, id_key, text_key

    tampered = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
    for cursor in (tampered, "%%%", "zzzz", "\u00e9t\u00e9"):
        with pytest.raises(CrmValidationError) as refused:
            decode_cursor(cursor, text_key, id_key)
        assert list(refused.value.details) == ["cursor"]
    good = encode_cursor("Ромашка", "00000000-0000-4000-8000-000000000001")
    assert decode_cursor(good, text_key, id_key) == ["Ромашка", "00000000-0000-4000-8000-000000000001"]
