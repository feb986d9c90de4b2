"""Between service payloads and API messages, driven by the descriptors."""

from crm.v1 import partners_pb2 as pb

from gateway.convert import to_message, to_payload


def test_times_without_offset_are_utc_and_decimals_stay_exact():
    partner = to_message({"id": "x", "created_at": "2026-11-23T11:49:17.943261", "unknown": 1}, pb.Partner)
    assert partner.created_at.ToJsonString() == "2026-11-23T11:49:17.943261Z"
    agreement = to_message({"prepayment_share": "30.10", "valid_from": "2026-01-01", "credit_days": 5}, pb.Agreement)
    assert agreement.prepayment_share.value == "30.10" and agreement.valid_from.iso == "2026-01-01"


def test_nulls_and_unknown_fields_are_left_out():
    partner = to_message({"id": "p", "merged_into": None, "properties": {"a": "1"}, "phones": [None]}, pb.Partner)
    assert partner.merged_into == "" and dict(partner.properties) == {"a": "1"} and len(partner.phones) == 0


def test_payload_keeps_what_the_client_set_and_masked_empties():
    message = pb.Partner(short_name="X", phones=[pb.Phone(number="1")])
    assert to_payload(message) == {"short_name": "X", "phones": [{"number": "1"}]}
    assert to_payload(message, only=["segment", "phones", "properties"]) == {
        "segment": None, "phones": [{"number": "1"}], "properties": {},
    }
    agreement = pb.Agreement(discount_percent={"value": "2.5"})
    assert to_payload(agreement) == {"discount_percent": "2.5"}



def _parsed(data, cls):
    """What proto3 JSON parsing makes of ``data`` (the path to_message takes for what it does not set itself)."""
    from google.protobuf import json_format

    from gateway.convert import _dict_to_json

    return json_format.ParseDict(_dict_to_json(data, cls.DESCRIPTOR), cls(), ignore_unknown_fields=True)


def test_the_direct_path_makes_what_proto3_json_parsing_makes():
    from crm.v1 import card_pb2

    times = ["2026-11-23T11:49:17.943261+00:00", "2026-11-23T11:49:17+00:00", "2026-11-23T14:49:17.5+03:00",
             "2026-11-23T11:49:17", "1969-12-31T23:59:59.25+00:00", "2026-11-23"]
    card = {
        "partner": {"id": "p", "short_name": "ООО «Ромашка»", "kinds": ["client", None, "dealer"], "created_at": times[0],
                    "properties": {"size": "large", "rank": 3}, "phones": [{"number": "+74951234567", "kind": "work"}],
                    "contacts": [{"id": "c", "full_name": "Иван", "roles": ["director"], "phones": [], "emails": []}],
                    "unknown": {"x": 1}},
        "relationships": [{"id": "r", "kind": "dealer_of", "direction": "outgoing", "created_at": times[1]}],
        "agreements": [{"id": "a", "prepayment_share": "30.00", "credit_days": 14, "valid_from": "2026-01-01",
                        "valid_to": None, "approved_at": times[2]}],
        "manager": {"manager_id": "m1", "history": []},
        "figures": {"contacts": 1, "relationships": 0, "agreements_in_force": 1, "client_since": "2021-03-04"},
        "deals": {},
        "sections": [{"name": "deals", "state": "SECTION_STATE_AVAILABLE", "data": {"a": [1, "b", None, {"c": True}]}},
                     {"name": "x", "state": 2, "reason": "down"}],
    }
    for data, cls in [(card, card_pb2.ClientCard), *[({"id": "x", "created_at": t}, pb.Partner) for t in times]]:
        assert to_message(data, cls) == _parsed(data, cls)
    assert to_message(card, card_pb2.ClientCard).HasField("deals")  # an empty object is a present message


def test_what_the_direct_path_cannot_set_is_parsed_as_before():
    import pytest
    from google.protobuf import json_format

    # Text for a number, a float that is whole: proto3 JSON reads them.
    for data in ({"id": "p", "credit_days": "14"}, {"id": "p", "credit_days": 14.0}):
        assert to_message(data, pb.Agreement) == _parsed(data, pb.Agreement)
    # Wrong types are refused as before.
    for data in ({"id": 5}, {"created_at": "yesterday"}, {"phones": [{"number": 7}]}, {"credit_days": "many"}):
        cls = pb.Agreement if "credit_days" in data else pb.Partner
        with pytest.raises((json_format.ParseError, ValueError, TypeError)) as direct:
            to_message(data, cls)
        with pytest.raises(type(direct.value)):
            _parsed(data, cls)
