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

