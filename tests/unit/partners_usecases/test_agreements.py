"""Agreements: standard and individual, derivation, the status flow, visibility, expiry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts import partners as events
from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationError
from services.partners.models import Agreement
from services.partners.usecases import agreements
from tests.support.usecases import count
from tests.unit.partners_usecases.conftest import ADMIN_ACTOR, HEAD_NORTH, MANAGER_MOSCOW, MANAGER_SPB

WHOLESALE = {
    "kind": "standard",
    "name": "Wholesale terms",
    "segment": "wholesale",
    "prepayment_share": "30",
    "credit_days": 14,
    "price_type": "wholesale",
    "delivery_terms": "pickup",
    "discount_percent": "5",
    "currency": "USD",
}


@pytest.fixture
def partner(make_partner):
    return make_partner("Romashka", manager_id="m-moscow", region="moscow", department="north", segment="wholesale")


@pytest.fixture
def approved_standard(uow_for):
    uow = uow_for(HEAD_NORTH)
    created = agreements.create_agreement(uow, HEAD_NORTH, WHOLESALE)
    return agreements.set_agreement_status(uow, HEAD_NORTH, created["id"], {"status": "approved"})


def individual(partner, **extra):
    return {"kind": "individual", "name": "Romashka terms", "partner_id": partner.id, **extra}


def event_data(view: dict) -> dict:
    """What an agreement event carries: the agreement, its partner (none for a standard one)."""
    return {"agreement_id": view["id"], "partner_id": view["partner_id"], "kind": view["kind"],
            "segment": view["segment"], "status": view["status"], "agreement": view}


def test_standard_agreement_by_head_of_sales(uow_for):
    uow = uow_for(HEAD_NORTH)

    view = agreements.create_agreement(uow, HEAD_NORTH, WHOLESALE)

    assert view["status"] == "draft"
    assert (view["kind"], view["segment"], view["partner_id"]) == ("standard", "wholesale", None)
    assert (view["prepayment_share"], view["credit_days"], view["discount_percent"]) == ("30.00", 14, "5.00")
    assert view["currency"] == "USD"
    assert uow.events == [(events.AGREEMENT_CREATED, event_data(view))]


def test_standard_agreement_refused_for_a_manager(session, uow_for):
    uow = uow_for(MANAGER_MOSCOW)
    with pytest.raises(PermissionDenied):
        agreements.create_agreement(uow, MANAGER_MOSCOW, WHOLESALE)
    assert count(session, Agreement) == 0 and uow.events == []


def test_standard_agreement_needs_a_segment(uow_for):
    with pytest.raises(ValidationError) as caught:
        agreements.create_agreement(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, {**WHOLESALE, "segment": None})
    assert "segment" in caught.value.details


def test_individual_agreement_defaults(uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)

    view = agreements.create_agreement(uow, MANAGER_MOSCOW, individual(partner))

    assert (view["kind"], view["partner_id"], view["parent_id"]) == ("individual", partner.id, None)
    assert (view["prepayment_share"], view["credit_days"], view["discount_percent"], view["currency"]) == (
        "0.00", 0, "0.00", "RUB"
    )
    assert view["segment"] == "wholesale"  # the partner's
    assert uow.events == [(events.AGREEMENT_CREATED, event_data(view))]


def test_individual_derived_from_standard_overrides_non_null_terms(uow_for, partner, approved_standard):
    uow = uow_for(MANAGER_MOSCOW)

    view = agreements.create_agreement(
        uow, MANAGER_MOSCOW,
        individual(partner, parent_id=approved_standard["id"], credit_days=30, discount_percent=None),
    )

    assert view["parent_id"] == approved_standard["id"]
    assert view["credit_days"] == 30  # overridden
    assert view["prepayment_share"] == "30.00"  # inherited
    assert view["discount_percent"] == "5.00"  # null override keeps the standard term
    assert (view["price_type"], view["delivery_terms"], view["currency"]) == ("wholesale", "pickup", "USD")


def test_individual_from_a_draft_or_an_individual_is_refused(session, uow_for, partner):
    draft = agreements.create_agreement(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, WHOLESALE)
    other = agreements.create_agreement(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, individual(partner))
    uow = uow_for(MANAGER_MOSCOW)
    for parent in (draft, other):
        with pytest.raises(PreconditionFailed) as caught:
            agreements.create_agreement(uow, MANAGER_MOSCOW, individual(partner, parent_id=parent["id"]))
        assert caught.value.details["parent_id"] == parent["id"]
    assert count(session, Agreement) == 2 and uow.events == []


def test_a_hidden_partners_agreement_as_parent_is_not_found(session, uow_for, partner, make_partner):
    hidden = make_partner("Чужой", manager_id="m-spb", region="spb", department="south")
    theirs = agreements.create_agreement(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, individual(hidden))
    with pytest.raises(NotFound) as caught:
        agreements.create_agreement(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, individual(partner, parent_id=theirs["id"]))
    assert caught.value.details == {"parent_id": theirs["id"]}  # not its kind or status


def test_bad_agreement_payloads_name_fields_and_write_nothing(session, uow_for, partner, approved_standard):
    uow = uow_for(ADMIN_ACTOR)
    cases = [
        ({"kind": "individual", "name": "x"}, "partner_id"),
        ({**individual(partner), "credit_days": 400, "prepayment_share": "120"}, "credit_days"),
        ({**individual(partner), "discount_percent": "100"}, "discount_percent"),
        ({**individual(partner), "valid_from": "2025-02-01", "valid_to": "2025-01-01"}, "valid_to"),
        ({**individual(partner), "currency": "rub"}, "currency"),
        ({**individual(partner, parent_id=approved_standard["id"]), "credit_days": -1}, "credit_days"),
        ({"kind": "barter", "name": ""}, "kind"),
    ]
    before = count(session, Agreement)
    for payload, field in cases:
        with pytest.raises(ValidationError) as caught:
            agreements.create_agreement(uow, ADMIN_ACTOR, payload)
        assert field in caught.value.details, payload
    assert count(session, Agreement) == before and uow.events == []


def test_individual_for_another_managers_partner_is_not_found(session, uow_for, partner):
    with pytest.raises(NotFound):
        agreements.create_agreement(uow_for(MANAGER_SPB), MANAGER_SPB, individual(partner))
    assert count(session, Agreement) == 0


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["approved"], True),
        (["cancelled"], True),
        (["approved", "expired"], True),
        (["approved", "cancelled"], True),
        (["expired"], False),
        (["approved", "draft"], False),
        (["approved", "approved"], False),
        (["cancelled", "approved"], False),
        (["approved", "expired", "cancelled"], False),
    ],
)
def test_status_flow(uow_for, partner, path, allowed):
    uow = uow_for(MANAGER_MOSCOW)
    created = agreements.create_agreement(uow, MANAGER_MOSCOW, individual(partner))
    *before, last = path
    for status in before:
        agreements.set_agreement_status(uow, MANAGER_MOSCOW, created["id"], {"status": status})
    uow.events.clear()
    if allowed:
        view = agreements.set_agreement_status(uow, MANAGER_MOSCOW, created["id"], {"status": last})
        assert view["status"] == last
        assert uow.events == [(events.AGREEMENT_STATUS_EVENTS[last], event_data(view))]
    else:
        with pytest.raises(PreconditionFailed):
            agreements.set_agreement_status(uow, MANAGER_MOSCOW, created["id"], {"status": last})
        assert uow.events == []


def test_approval_records_who_and_when(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    created = agreements.create_agreement(uow, MANAGER_MOSCOW, individual(partner))
    view = agreements.set_agreement_status(uow, MANAGER_MOSCOW, created["id"], {"status": "approved"})
    assert view["approved_by"] == "m-moscow" and view["approved_at"]
    assert session.get(Agreement, created["id"]).status_changed_at is not None


def test_bad_status_payload(uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    created = agreements.create_agreement(uow, MANAGER_MOSCOW, individual(partner))
    for payload in ({"status": "signed"}, {}, None):
        with pytest.raises(ValidationError):
            agreements.set_agreement_status(uow, MANAGER_MOSCOW, created["id"], payload)


def test_ended_agreement_cannot_be_approved(uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    created = agreements.create_agreement(
        uow, MANAGER_MOSCOW, individual(partner, valid_from="2020-01-01", valid_to="2020-12-31")
    )
    with pytest.raises(PreconditionFailed):
        agreements.set_agreement_status(uow, MANAGER_MOSCOW, created["id"], {"status": "approved"})


def test_standard_status_only_by_admin_or_head(uow_for):
    created = agreements.create_agreement(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, WHOLESALE)
    with pytest.raises(PermissionDenied):
        agreements.set_agreement_status(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, created["id"], {"status": "approved"})


def test_update_draft_partially(uow_for, partner, approved_standard):
    uow = uow_for(MANAGER_MOSCOW)
    created = agreements.create_agreement(
        uow, MANAGER_MOSCOW, individual(partner, parent_id=approved_standard["id"], credit_days=30)
    )

    view = agreements.update_agreement(uow, MANAGER_MOSCOW, created["id"], {"name": "Renamed", "credit_days": None,
                                                                              "discount_percent": "7.5"})

    assert view["name"] == "Renamed"
    assert view["credit_days"] == 14  # null falls back to the standard's term
    assert view["discount_percent"] == "7.50"
    assert view["prepayment_share"] == "30.00"  # untouched
    assert view["status"] == "draft"


def test_update_refuses_bad_changes(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    created = agreements.create_agreement(uow, MANAGER_MOSCOW, individual(partner, valid_from="2030-01-01"))
    for changes, field in (
        ({"credit_days": 999}, "credit_days"),
        ({"valid_to": "2029-12-31"}, "valid_to"),
        ({"kind": "standard"}, "kind"),
        ({}, "changes"),
    ):
        with pytest.raises(ValidationError) as caught:
            agreements.update_agreement(uow, MANAGER_MOSCOW, created["id"], changes)
        assert field in caught.value.details, changes
    stored = session.get(Agreement, created["id"])
    assert stored.credit_days == 0 and stored.valid_to is None


def test_update_only_while_draft(uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    created = agreements.create_agreement(uow, MANAGER_MOSCOW, individual(partner))
    agreements.set_agreement_status(uow, MANAGER_MOSCOW, created["id"], {"status": "approved"})
    with pytest.raises(PreconditionFailed) as caught:
        agreements.update_agreement(uow, MANAGER_MOSCOW, created["id"], {"name": "Late"})
    assert caught.value.details["status"] == "approved"
    assert "approved" in caught.value.message


def test_get_and_list_follow_partner_visibility(session, uow_for, partner, make_partner, approved_standard):
    other = make_partner("Piter", manager_id="m-spb", region="spb", segment="wholesale")
    mine = agreements.create_agreement(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, individual(partner))
    theirs = agreements.create_agreement(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, individual(other, name="Piter terms"))

    assert agreements.get_agreement(session, MANAGER_MOSCOW, mine["id"])["id"] == mine["id"]
    assert agreements.get_agreement(session, MANAGER_MOSCOW, approved_standard["id"])["kind"] == "standard"
    with pytest.raises(NotFound):
        agreements.get_agreement(session, MANAGER_MOSCOW, theirs["id"])
    with pytest.raises(NotFound):
        agreements.update_agreement(uow_for(MANAGER_MOSCOW), MANAGER_MOSCOW, theirs["id"], {"name": "Mine now"})

    listed = {a["id"] for a in agreements.list_agreements(session, MANAGER_MOSCOW)}
    assert listed == {mine["id"], approved_standard["id"]}
    assert {a["id"] for a in agreements.list_agreements(session, ADMIN_ACTOR)} == {
        mine["id"], theirs["id"], approved_standard["id"]
    }
    assert [a["id"] for a in agreements.list_agreements(session, MANAGER_MOSCOW, partner_id=partner.id)] == [mine["id"]]
    with pytest.raises(NotFound):
        agreements.list_agreements(session, MANAGER_MOSCOW, partner_id=other.id)
    assert [a["id"] for a in agreements.list_agreements(session, MANAGER_MOSCOW, segment="retail")] == []


def test_in_force(session, uow_for, partner, make_partner, approved_standard):
    uow = uow_for(ADMIN_ACTOR)
    today = date(2030, 6, 15)

    def approved(**terms):
        created = agreements.create_agreement(uow, ADMIN_ACTOR, individual(partner, **terms))
        return agreements.set_agreement_status(uow, ADMIN_ACTOR, created["id"], {"status": "approved"})

    current = approved(valid_from="2030-01-01", valid_to="2030-12-31")
    approved(valid_from="2031-01-01")  # not yet
    agreements.create_agreement(uow, ADMIN_ACTOR, individual(partner))  # a draft binds nobody
    retail = agreements.create_agreement(uow, ADMIN_ACTOR, {**WHOLESALE, "segment": "retail"})
    agreements.set_agreement_status(uow, ADMIN_ACTOR, retail["id"], {"status": "approved"})

    in_force = agreements.agreements_in_force(session, partner, today)

    assert [a["id"] for a in in_force] == [current["id"], approved_standard["id"]]
    listed = agreements.list_agreements(session, MANAGER_MOSCOW, in_force_on=today)
    assert {a["id"] for a in listed} == {current["id"], approved_standard["id"], retail["id"]}
    listed = agreements.list_agreements(session, MANAGER_MOSCOW, in_force_on="2031-02-01", partner_id=partner.id)
    assert len(listed) == 1
    with pytest.raises(ValidationError):
        agreements.list_agreements(session, MANAGER_MOSCOW, in_force_on="yesterday")
    no_segment = make_partner("Nobody", region="moscow")
    assert agreements.agreements_in_force(session, no_segment, today) == []


def test_expire_ended(session, uow_for, partner):
    admin = uow_for(ADMIN_ACTOR)
    today = date.today()
    ids = {}
    for name, valid_to in (("ended", today), ("last day", today), ("open", None)):
        created = agreements.create_agreement(
            admin, ADMIN_ACTOR, individual(partner, name=name, valid_to=valid_to.isoformat() if valid_to else None)
        )
        agreements.set_agreement_status(admin, ADMIN_ACTOR, created["id"], {"status": "approved"})
        ids[name] = created["id"]
    # Approved while it ran; it ended yesterday.
    session.get(Agreement, ids["ended"]).valid_to = today - timedelta(days=1)
    uow = uow_for(ADMIN_ACTOR)

    assert agreements.expire_ended(uow, today) == 1

    assert session.get(Agreement, ids["ended"]).status == "expired"
    assert session.get(Agreement, ids["last day"]).status == "approved"
    assert [(kind, data["agreement_id"]) for kind, data in uow.events] == [(events.AGREEMENT_EXPIRED, ids["ended"])]
    assert agreements.expire_ended(uow_for(ADMIN_ACTOR), today) == 0
