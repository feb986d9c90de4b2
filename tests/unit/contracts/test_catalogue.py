"""The event catalogue: docs/asyncapi.yaml describes every contract and the PBX's call events,
and the call-event schema it shows says what the PBX-facing fast check does."""

from __future__ import annotations

import pytest

import contracts
from contracts import asyncapi, telephony
from crm_kit.contracts import as_travelled
from crm_kit.errors import ValidationError
from crm_kit.validation import load


def test_the_catalogue_describes_every_event_and_the_pbx_channel():
    document = asyncapi.document()
    assert document["asyncapi"] == "3.0.0"
    for contract in contracts.ALL:
        channel = document["channels"][f"{contract.source}.{contract.routing_key}"]
        assert channel["bindings"]["amqp"]["exchange"]["name"] == f"{contract.source}.events"
        message = document["components"]["messages"][f"{contract.source}.{contract.routing_key}"]
        data_ref = message["payload"]["allOf"][1]["properties"]["data"]["$ref"]
        assert data_ref.rsplit("/", 1)[1] in document["components"]["schemas"]
        contracts.check_envelope(message["examples"][0]["payload"])
    assert document["channels"]["telephony.calls"]["bindings"]["amqp"]["exchange"]["name"] == "telephony.calls"
    assert as_travelled(document) == document  # plain JSON values only


# --- the PBX's call-event contract: the fast check and the catalogue's schema agree --------------

GOOD_CALL = dict(telephony.EXAMPLE)


@pytest.mark.parametrize("event", [
    GOOD_CALL,
    {**GOOD_CALL, "kind": "ended", "duration_s": 42, "recording_url": "https://pbx.example/r/1.mp3"},
    {**GOOD_CALL, "kind": "transferred", "transferred_to": "102", "extension": None},
    {**GOOD_CALL, "junk": 1},
    {**GOOD_CALL, "kind": "hung_up", "direction": "sideways", "caller": " ", "occurred_at": "2026-11-23T10:00:00",
     "recording_url": "ftp://x"},
    {},
    {**GOOD_CALL, "kind": "ended"},
    {**GOOD_CALL, "kind": "ended", "duration_s": -1},
    {**GOOD_CALL, "kind": "ended", "duration_s": "10"},
    {**GOOD_CALL, "kind": "ended", "duration_s": True},
    {**GOOD_CALL, "duration_s": 10},
    {**GOOD_CALL, "kind": "transferred"},
    {**GOOD_CALL, "transferred_to": "102"},
    {**GOOD_CALL, "occurred_at": 1700000000},
    {**GOOD_CALL, "extension": 101},
    {**GOOD_CALL, "call_id": "x" * 201},
])
def test_the_call_event_schema_says_what_the_fast_check_does(event):
    def fields_refused(check) -> set[str]:
        try:
            check(event)
        except ValidationError as exc:
            return set(exc.details)
        return set()

    assert fields_refused(telephony.validate_call_event) == fields_refused(lambda e: load(telephony.CallEvent(), e))
