"""Mailing groups' rules: conditions checked naming the field, matched against the copy, and
whom of a partner a mailing reaches."""

from __future__ import annotations

from services.notifications.domain import groups
from services.notifications.usecases.mailings import recipient_key


def test_conditions_are_checked_naming_the_bad_part():
    assert groups.condition_problems([{"field": "region", "op": "in", "values": ["msk", "spb"]}]) == {}
    problems = groups.condition_problems(
        [
            {"field": "region", "op": "eq", "values": ["msk", "spb"]},
            {"field": "inn", "op": "eq", "values": ["7707"]},
            {"field": "segment", "op": "like", "values": []},
            "region=msk",
        ]
    )
    assert set(problems) == {"conditions.0.values", "conditions.1.field", "conditions.2.op", "conditions.2.values", "conditions.3"}
    assert "'inn'" in problems["conditions.1.field"][0]
    assert set(groups.condition_problems([])) == {"conditions"}


def test_every_condition_must_hold_and_a_partner_without_a_value_is_not_in_it():
    partner = {"kinds": ["client", "supplier"], "region": "msk", "segment": None, "manager_id": "anna"}
    assert groups.matches(
        [{"field": "kind", "op": "in", "values": ["client"]}, {"field": "manager", "op": "eq", "values": ["anna"]}], partner
    )
    assert not groups.matches([{"field": "kind", "op": "not_in", "values": ["supplier"]}], partner)
    assert not groups.matches([{"field": "segment", "op": "eq", "values": ["retail"]}], partner)
    assert groups.matches([{"field": "segment", "op": "ne", "values": ["retail"]}], partner)
    assert not groups.matches(
        [{"field": "region", "op": "eq", "values": ["msk"]}, {"field": "region", "op": "ne", "values": ["msk"]}], partner
    )


def test_a_partner_is_reached_at_its_active_contacts_else_at_its_own_address():
    partner = {"emails": [{"address": "info@x.example", "kind": "other"}, {"address": "work@x.example", "kind": "work"}], "short_name": "X"}
    contacts = [
        {"id": "c1", "status": "active", "emails": [{"address": "c1@x.example", "kind": "work"}], "full_name": "Анна"},
        {"id": "c2", "status": "removed", "emails": [{"address": "c2@x.example", "kind": "work"}]},
        {"id": "c3", "status": "active", "emails": []},
    ]
    assert groups.addresses_of(partner, contacts) == [("c1@x.example", "c1", "Анна")]
    assert groups.addresses_of(partner, contacts[1:]) == [("work@x.example", None, "X")]
    assert groups.addresses_of(partner, contacts, only_contacts={"c2", "c3"}) == []


def test_a_long_address_is_keyed_by_its_hash():
    assert recipient_key("a@x.example") == "address:a@x.example"
    long = "a" * 200 + "@x.example"
    assert recipient_key(long).startswith("address-sha256:") and len(recipient_key(long)) <= 120
