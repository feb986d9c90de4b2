"""Relationships: partner and contact links, duplicates, head-office cycles, listing."""

from __future__ import annotations

import pytest

from contracts import partners as events
from crm_kit.errors import Conflict, NotFound, PreconditionFailed, ValidationError
from services.partners.models import Relationship
from services.partners.usecases import contacts, relationships
from tests.support.usecases import count
from tests.unit.partners_usecases.conftest import ADMIN_ACTOR, HEAD_NORTH, MANAGER_MOSCOW, MANAGER_SPB


@pytest.fixture
def moscow(make_partner):
    return make_partner("Moscow Head", manager_id="m-moscow", region="moscow", department="north")


@pytest.fixture
def branch(make_partner):
    return make_partner("Moscow Branch", manager_id="m-moscow", region="moscow", department="north")


@pytest.fixture
def spb(make_partner):
    return make_partner("Piter", manager_id="m-spb", region="spb", department="south")


def event_data(view: dict, from_partner, other_partner_id: str) -> dict:
    """What a relationship event carries: the "from" end's partner (of the fixtures in Moscow),
    the partner at the other end, the relationship."""
    return {"partner_id": from_partner.id, "manager_id": "m-moscow", "region": "moscow", "department": "north",
            "segment": None, "relationship_id": view["id"], "kind": view["kind"], "other_partner_id": other_partner_id,
            "relationship": view}


def link(kind, a, b, **extra):
    return {"kind": kind, "from_partner_id": a.id, "to_partner_id": b.id, **extra}


def test_add_partner_relationship(uow_for, moscow, branch):
    uow = uow_for(MANAGER_MOSCOW)

    view = relationships.add_relationship(uow, MANAGER_MOSCOW, link("head_office_of", moscow, branch, comment="HQ"))

    assert (view["kind"], view["from_partner_id"], view["to_partner_id"]) == ("head_office_of", moscow.id, branch.id)
    assert view["created_by"] == "m-moscow" and view["comment"] == "HQ"
    assert uow.events == [(events.RELATIONSHIP_ADDED, event_data(view, moscow, branch.id))]


def test_bad_payloads_are_refused_naming_fields(session, uow_for, moscow, branch):
    uow = uow_for(ADMIN_ACTOR)
    cases = [
        ({"kind": "best_friends", "from_partner_id": moscow.id, "to_partner_id": branch.id}, "kind"),
        ({"kind": "reports_to", "from_partner_id": moscow.id, "to_partner_id": branch.id}, "kind"),
        ({"kind": "dealer_of", "from_partner_id": moscow.id, "to_partner_id": moscow.id}, "to_partner_id"),
        ({"kind": "dealer_of", "from_partner_id": "nope", "to_partner_id": branch.id}, "from_partner_id"),
        ({"kind": "dealer_of", "from_partner_id": moscow.id}, "_schema"),
    ]
    for payload, field in cases:
        with pytest.raises(ValidationError) as caught:
            relationships.add_relationship(uow, ADMIN_ACTOR, payload)
        assert field in caught.value.details, payload
    assert count(session, Relationship) == 0
    assert uow.events == []


def test_same_link_twice_is_a_conflict_listing_the_existing_one(session, uow_for, moscow, spb):
    first = relationships.add_relationship(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, link("dealer_of", moscow, spb))
    uow = uow_for(ADMIN_ACTOR)

    with pytest.raises(Conflict) as caught:
        relationships.add_relationship(uow, ADMIN_ACTOR, link("dealer_of", moscow, spb))

    assert [r["id"] for r in caught.value.details["relationships"]] == [first["id"]]
    assert count(session, Relationship) == 1 and uow.events == []
    # Another kind, or the other direction, is another relationship.
    relationships.add_relationship(uow, ADMIN_ACTOR, link("competitor_of", moscow, spb))
    relationships.add_relationship(uow, ADMIN_ACTOR, link("dealer_of", spb, moscow))


def test_head_offices_cannot_form_a_cycle(session, make_partner, uow_for, moscow, branch):
    uow = uow_for(ADMIN_ACTOR)
    relationships.add_relationship(uow, ADMIN_ACTOR, link("head_office_of", moscow, branch))

    with pytest.raises(PreconditionFailed) as caught:
        relationships.add_relationship(uow, ADMIN_ACTOR, link("head_office_of", branch, moscow))
    assert caught.value.details["cycle"] == [moscow.id, branch.id, moscow.id]

    sub = make_partner("Sub-branch", region="moscow")
    relationships.add_relationship(uow, ADMIN_ACTOR, link("head_office_of", branch, sub))
    with pytest.raises(PreconditionFailed) as caught:
        relationships.add_relationship(uow, ADMIN_ACTOR, link("head_office_of", sub, moscow))
    assert caught.value.details["cycle"] == [moscow.id, branch.id, sub.id, moscow.id]
    # Other kinds may go both ways.
    relationships.add_relationship(uow, ADMIN_ACTOR, link("partner_of", branch, moscow))
    assert count(session, Relationship) == 3


def test_access_from_end_changeable_to_end_visible(session, uow_for, moscow, spb):
    uow = uow_for(MANAGER_MOSCOW)
    # The to end is another manager's partner in another region: the actor cannot see it.
    with pytest.raises(NotFound):
        relationships.add_relationship(uow, MANAGER_MOSCOW, link("competitor_of", moscow, spb))
    # Nor may they declare links from it.
    with pytest.raises(NotFound):
        relationships.add_relationship(uow, MANAGER_MOSCOW, link("competitor_of", spb, moscow))
    assert count(session, Relationship) == 0
    # A head of sales sees their department's partners but not the other department's.
    with pytest.raises(NotFound):
        relationships.add_relationship(uow_for(HEAD_NORTH), HEAD_NORTH, link("competitor_of", moscow, spb))


def test_link_to_a_merged_partner_is_refused(uow_for, make_partner, moscow):
    gone = make_partner("Gone", region="moscow", status="merged")
    with pytest.raises(PreconditionFailed):
        relationships.add_relationship(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, link("dealer_of", moscow, gone))


def test_contact_relationships_and_listing_with_directions(session, uow_for, moscow, branch, spb):
    admin = uow_for(ADMIN_ACTOR)
    boss = contacts.add_contact(admin, ADMIN_ACTOR, moscow.id, {"full_name": "Boss"})
    clerk = contacts.add_contact(admin, ADMIN_ACTOR, moscow.id, {"full_name": "Clerk"})
    outsider = contacts.add_contact(admin, ADMIN_ACTOR, spb.id, {"full_name": "Outsider"})
    uow = uow_for(MANAGER_MOSCOW)

    reports = relationships.add_relationship(
        uow, MANAGER_MOSCOW, {"kind": "reports_to", "from_contact_id": clerk["id"], "to_contact_id": boss["id"]}
    )
    assert uow.events == [(events.RELATIONSHIP_ADDED, event_data(reports, moscow, moscow.id))]
    with pytest.raises(NotFound):  # the other contact's partner is out of the manager's reach
        relationships.add_relationship(
            uow, MANAGER_MOSCOW, {"kind": "influences", "from_contact_id": outsider["id"], "to_contact_id": boss["id"]}
        )
    with pytest.raises(NotFound):
        relationships.add_relationship(
            uow, MANAGER_MOSCOW,
            {"kind": "influences", "from_contact_id": boss["id"], "to_contact_id": "2f1b0c4e-7c55-4a0a-9d8e-8a4a4f0b1c2d"},
        )
    influences = relationships.add_relationship(
        admin, ADMIN_ACTOR, {"kind": "influences", "from_contact_id": outsider["id"], "to_contact_id": boss["id"]}
    )
    head = relationships.add_relationship(uow, MANAGER_MOSCOW, link("head_office_of", moscow, branch))
    dealer = relationships.add_relationship(admin, ADMIN_ACTOR, link("dealer_of", spb, moscow))
    relationships.add_relationship(admin, ADMIN_ACTOR, link("dealer_of", spb, branch))  # not moscow's

    listed = relationships.list_relationships(session, MANAGER_MOSCOW, moscow.id)

    directions = {item["id"]: item["direction"] for item in listed}
    assert directions == {
        reports["id"]: "outgoing",
        influences["id"]: "incoming",
        head["id"]: "outgoing",
        dealer["id"]: "incoming",
    }
    with pytest.raises(NotFound):
        relationships.list_relationships(session, MANAGER_SPB, moscow.id)


def test_remove_relationship(session, uow_for, moscow, branch, spb):
    added = relationships.add_relationship(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, link("head_office_of", moscow, branch))
    foreign = relationships.add_relationship(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, link("dealer_of", spb, moscow))
    uow = uow_for(MANAGER_MOSCOW)

    with pytest.raises(NotFound):  # declared from a partner the manager cannot see
        relationships.remove_relationship(uow, MANAGER_MOSCOW, foreign["id"])
    result = relationships.remove_relationship(uow, MANAGER_MOSCOW, added["id"])

    assert result == {"relationship_id": added["id"]}
    assert session.get(Relationship, added["id"]) is None
    assert uow.events == [(events.RELATIONSHIP_REMOVED, event_data(added, moscow, branch.id))]
    with pytest.raises(NotFound):
        relationships.remove_relationship(uow, MANAGER_MOSCOW, added["id"])
    with pytest.raises(ValidationError):
        relationships.remove_relationship(uow, MANAGER_MOSCOW, "garbage")


def test_manager_may_link_from_a_partner_of_their_region_assigned_to_another(uow_for, make_partner, moscow):
    other = make_partner("Neighbour", manager_id="someone", region="moscow")
    view = relationships.add_relationship(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, link("partner_of", other, moscow))
    assert view["from_partner_id"] == other.id
