"""Contact persons: add, change, remove, list, with their events and row-level access."""

from __future__ import annotations

import pytest

from contracts import partners as events
from crm_kit.errors import NotFound, PreconditionFailed, ValidationError
from services.partners.models import Contact, Email, Phone, Relationship
from services.partners.usecases import contacts
from tests.support.usecases import count
from tests.unit.partners_usecases.conftest import ADMIN_ACTOR, MANAGER_MOSCOW, MANAGER_SPB

IVAN = {
    "full_name": "Ivan Petrov",
    "position": "Chief buyer",
    "roles": ["buyer", "decision_maker", "buyer"],
    "phones": [{"number": "8 (495) 123-45-67", "kind": "work", "extension": "12"}],
    "emails": [{"address": "Ivan@Romashka.ru"}, {"address": "ivan.p@gmail.com", "kind": "personal"}],
}


@pytest.fixture
def partner(make_partner):
    return make_partner("Romashka", manager_id="m-moscow", region="moscow", department="north")


def about(partner) -> dict:
    """What every event of this partner says about it (the fixture's partner)."""
    return {"partner_id": partner.id, "manager_id": "m-moscow", "region": "moscow", "department": "north", "segment": None}


def test_add_contact_writes_contact_phones_emails_and_event(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)

    view = contacts.add_contact(uow, MANAGER_MOSCOW, partner.id, IVAN)

    assert view["partner_id"] == partner.id
    assert view["roles"] == ["buyer", "decision_maker"]
    assert view["phones"] == [{"number": "+74951234567", "kind": "work", "extension": "12"}]
    assert [e["address"] for e in view["emails"]] == ["ivan@romashka.ru", "ivan.p@gmail.com"]
    phone = session.query(Phone).one()
    assert (phone.partner_id, phone.contact_id) == (partner.id, view["id"])
    domains = {e.address: e.domain for e in session.query(Email)}
    assert domains == {"ivan@romashka.ru": "romashka.ru", "ivan.p@gmail.com": None}
    assert all(e.partner_id == partner.id and e.contact_id == view["id"] for e in session.query(Email))
    # The partner's own phone list stays its own.
    assert partner.phones == []
    assert uow.events == [(events.CONTACT_ADDED, {**about(partner), "contact_id": view["id"], "contact": view})]


def test_add_contact_refuses_bad_payload_naming_fields_and_writes_nothing(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    bad = {"full_name": "", "roles": ["astronaut"], "phones": [{"number": "123"}], "emails": [{"address": "x@"}]}

    with pytest.raises(ValidationError) as caught:
        contacts.add_contact(uow, MANAGER_MOSCOW, partner.id, bad)

    assert {"full_name", "roles.0", "phones.0.number", "emails.0.address"} <= set(caught.value.details)
    assert count(session, Contact) == count(session, Phone) == count(session, Email) == 0
    assert uow.events == []


def test_add_contact_refuses_malformed_partner_id(uow_for):
    with pytest.raises(ValidationError) as caught:
        contacts.add_contact(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, "not-an-id", IVAN)
    assert "partner_id" in caught.value.details


def test_manager_cannot_touch_a_partner_of_another_manager_in_another_region(session, uow_for, partner):
    uow = uow_for(MANAGER_SPB)

    with pytest.raises(NotFound):
        contacts.add_contact(uow, MANAGER_SPB, partner.id, IVAN)
    with pytest.raises(NotFound):
        contacts.list_contacts(session, MANAGER_SPB, partner.id)

    contact = contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, IVAN)
    with pytest.raises(NotFound):
        contacts.update_contact(uow, MANAGER_SPB, contact["id"], {"position": "CEO"})
    with pytest.raises(NotFound):
        contacts.remove_contact(uow, MANAGER_SPB, contact["id"])
    assert count(session, Contact) == 1
    assert uow.events == []


def test_add_contact_to_merged_partner_is_refused(uow_for, make_partner):
    merged = make_partner("Old", manager_id="m-moscow", region="moscow", status="merged")
    with pytest.raises(PreconditionFailed):
        contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, merged.id, IVAN)


def test_update_contact_changes_given_fields_and_replaces_lists(session, uow_for, partner):
    added = contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, IVAN)
    uow = uow_for(MANAGER_MOSCOW)

    view = contacts.update_contact(
        uow, MANAGER_MOSCOW, added["id"],
        {"position": "Director", "phones": [{"number": "+7 (912) 345-67-89", "kind": "mobile"}]},
    )

    assert view["position"] == "Director"
    assert view["full_name"] == "Ivan Petrov"  # untouched
    assert view["roles"] == ["buyer", "decision_maker"]
    assert view["phones"] == [{"number": "+79123456789", "kind": "mobile", "extension": None}]
    assert len(view["emails"]) == 2  # not given: kept
    assert [p.number for p in session.query(Phone)] == ["+79123456789"]
    assert uow.events == [(events.CONTACT_UPDATED, {**about(partner), "contact_id": view["id"], "contact": view})]


def test_update_contact_without_a_real_change_emits_nothing(uow_for, partner):
    added = contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, IVAN)
    uow = uow_for(MANAGER_MOSCOW)
    contacts.update_contact(uow, MANAGER_MOSCOW, added["id"], {"position": "Chief buyer"})
    assert uow.events == []


def test_update_contact_refuses_bad_and_empty_changes(session, uow_for, partner):
    added = contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, IVAN)
    uow = uow_for(MANAGER_MOSCOW)

    with pytest.raises(ValidationError) as caught:
        contacts.update_contact(
            uow, MANAGER_MOSCOW, added["id"], {"status": "retired", "full_name": None, "phones": [{"kind": "mobile"}]}
        )
    # A phone given is checked whole even in a partial update: its number is required.
    assert {"status", "full_name", "phones.0.number"} <= set(caught.value.details)
    with pytest.raises(ValidationError):
        contacts.update_contact(uow, MANAGER_MOSCOW, added["id"], {})

    assert session.get(Contact, added["id"]).full_name == "Ivan Petrov"
    assert [p.number for p in session.query(Phone)] == ["+74951234567"]
    assert uow.events == []


def test_remove_contact_removes_its_phones_emails_and_relationships(session, uow_for, partner):
    ivan = contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, IVAN)
    anna = contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, {"full_name": "Anna"})
    link = Relationship(kind="reports_to", from_contact_id=anna["id"], to_contact_id=ivan["id"])
    session.add(link)
    session.flush()
    uow = uow_for(MANAGER_MOSCOW)

    result = contacts.remove_contact(uow, MANAGER_MOSCOW, ivan["id"])

    assert result == {"partner_id": partner.id, "contact_id": ivan["id"]}
    assert session.get(Contact, ivan["id"]) is None
    assert count(session, Phone) == count(session, Email) == count(session, Relationship) == 0
    assert [c["id"] for c in contacts.list_contacts(session, MANAGER_MOSCOW, partner.id)] == [anna["id"]]
    assert [(kind, data["relationship_id"], data["partner_id"], data["other_partner_id"]) for kind, data in uow.events[:1]] == [
        (events.RELATIONSHIP_REMOVED, link.id, partner.id, partner.id),
    ]
    assert uow.events[1:] == [(events.CONTACT_REMOVED, {**about(partner), "contact_id": ivan["id"]})]


def test_remove_unknown_contact_is_not_found(uow_for):
    with pytest.raises(NotFound):
        contacts.remove_contact(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, "2f1b0c4e-7c55-4a0a-9d8e-8a4a4f0b1c2d")


def test_list_contacts_oldest_first(session, uow_for, partner):
    for name in ("First", "Second"):
        contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, {"full_name": name})
    listed = contacts.list_contacts(session, ADMIN_ACTOR, partner.id)
    assert [c["full_name"] for c in listed] == ["First", "Second"]


def test_a_contact_is_seen_as_its_partner_is(session, uow_for, partner):
    added = contacts.add_contact(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, partner.id, IVAN)

    seen = contacts.get_contact(session, MANAGER_MOSCOW, added["id"])

    assert (seen["id"], seen["partner_id"], seen["full_name"]) == (added["id"], partner.id, "Ivan Petrov")
    assert contacts.get_contact(session, ADMIN_ACTOR, added["id"])["id"] == added["id"]
    missing = "00000000-0000-4000-8000-000000000000"
    for actor, contact_id in ((MANAGER_SPB, added["id"]), (MANAGER_MOSCOW, missing)):  # hidden or absent: alike
        with pytest.raises(NotFound) as refused:
            contacts.get_contact(session, actor, contact_id)
        assert refused.value.details == {"contact_id": contact_id} and "Ivan" not in refused.value.message
