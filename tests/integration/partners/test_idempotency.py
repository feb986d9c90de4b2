"""Idempotency keys on the partners service's creating RPCs, against its own process and
PostgreSQL: a retried agreement, relationship or contact is written once (crm_kit.idempotency)."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import ValidationError
from tests.integration.partners.conftest import ANNA, HEAD
from tests.integration.partners.test_partners import company

pytestmark = pytest.mark.integration


def test_retried_creates_are_written_once(call):
    partners = call(ANNA).partners
    a = partners.register(company(f"Ключи А {uuid.uuid4().hex[:6]}"), {"duplicate_policy": "skip"})["partner"]
    b = partners.register(company(f"Ключи Б {uuid.uuid4().hex[:6]}"), {"duplicate_policy": "skip"})["partner"]

    key = str(uuid.uuid4())
    contact = partners.add_contact(a["id"], {"full_name": "Пётр Повторов"}, request_id=key)
    assert partners.add_contact(a["id"], {"full_name": "Пётр Повторов"}, request_id=key)["id"] == contact["id"]
    assert [c["id"] for c in partners.list_contacts(a["id"])] == [contact["id"]]

    key = str(uuid.uuid4())
    relationship = {"kind": "dealer_of", "from_partner_id": a["id"], "to_partner_id": b["id"]}
    first = partners.add_relationship(relationship, request_id=key)
    assert partners.add_relationship(relationship, request_id=key)["id"] == first["id"]
    assert len([r for r in partners.list_relationships(a["id"]) if r["kind"] == "dealer_of"]) == 1

    key = str(uuid.uuid4())
    agreement = {"kind": "standard", "name": f"Опт {uuid.uuid4().hex[:6]}", "segment": "wholesale", "credit_days": 14}
    made = call(HEAD).partners.create_agreement(agreement, request_id=key)
    again = call(HEAD).partners.create_agreement(agreement, request_id=key)
    assert again == {**made, "replayed": True}
    with pytest.raises(ValidationError) as refused:
        call(HEAD).partners.create_agreement({**agreement, "credit_days": 30}, request_id=key)
    assert "request_id" in refused.value.details
    named = [item for item in call(HEAD).partners.list_agreements(segment="wholesale") if item["name"] == agreement["name"]]
    assert [item["id"] for item in named] == [made["id"]]
