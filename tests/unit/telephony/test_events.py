"""The call-event contract: good events pass, bad ones are refused naming every bad field."""

from __future__ import annotations

import pytest

from contracts.telephony import validate_call_event
from crm_kit.errors import ValidationError

GOOD = {
    "call_id": "c-1", "event_id": "e-1", "kind": "ringing", "direction": "incoming",
    "caller": "8 (495) 123-45-67", "callee": "+74951500000", "extension": "101",
    "occurred_at": "2026-11-23T10:00:00+03:00",
}


def refused(event) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        validate_call_event(event)
    return caught.value.details


def test_good_events_pass_with_their_fields():
    assert validate_call_event(GOOD) == GOOD
    ended = {**GOOD, "kind": "ended", "duration_s": 42, "recording_url": "https://pbx.example/r/1.mp3"}
    assert validate_call_event(ended)["duration_s"] == 42
    transferred = {**GOOD, "kind": "transferred", "transferred_to": "102", "extension": None}
    assert "extension" not in validate_call_event(transferred)
    assert "junk" not in validate_call_event({**GOOD, "junk": 1})


def test_every_bad_field_is_named():
    details = refused({**GOOD, "kind": "hung_up", "direction": "sideways", "caller": "", "occurred_at": "2026-11-23T10:00:00",
                       "recording_url": "ftp://x"})
    assert set(details) == {"kind", "direction", "caller", "occurred_at", "recording_url"}
    assert all(details[field] for field in details)


def test_missing_fields_are_required():
    details = refused({})
    assert set(details) == {"call_id", "event_id", "kind", "direction", "caller", "callee", "occurred_at"}
    assert details["call_id"] == ["is required"]


@pytest.mark.parametrize(("event", "field"), [
    ({**GOOD, "kind": "ended"}, "duration_s"),
    ({**GOOD, "kind": "ended", "duration_s": -1}, "duration_s"),
    ({**GOOD, "kind": "ended", "duration_s": "10"}, "duration_s"),
    ({**GOOD, "kind": "ended", "duration_s": True}, "duration_s"),
    ({**GOOD, "duration_s": 10}, "duration_s"),
    ({**GOOD, "kind": "transferred"}, "transferred_to"),
    ({**GOOD, "transferred_to": "102"}, "transferred_to"),
    ({**GOOD, "occurred_at": "yesterday"}, "occurred_at"),
    ({**GOOD, "occurred_at": 1700000000}, "occurred_at"),
    ({**GOOD, "extension": 101}, "extension"),
    ({**GOOD, "call_id": "x" * 201}, "call_id"),
])
def test_kind_specific_fields(event, field):
    details = refused(event)
    assert list(details) == [field]


def test_not_an_object():
    with pytest.raises(ValidationError):
        validate_call_event(["not", "an", "object"])


def test_message_names_the_fields():
    with pytest.raises(ValidationError) as caught:
        validate_call_event({**GOOD, "kind": "x", "callee": None})
    assert "callee" in caught.value.message and "kind" in caught.value.message
