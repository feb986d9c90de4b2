"""Mailing groups, mailings and their fan-out, with consent: the use cases on SQLite in memory."""

from __future__ import annotations

import copy
import uuid

import pytest
from sqlalchemy import select, update

from contracts import partners as partner_events
from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, SYSTEM, Actor
from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationError
from services.notifications.models import Mailing, Message
from services.notifications.usecases import consent, mailings, recipients, sending, templates
from tests.support.usecases import delivered
from tests.unit.notifications_usecases.test_notifying import POLICY

ADMIN_ACTOR = Actor("admin-1", roles=(ADMIN,))
ANNA = Actor("anna", roles=(MANAGER,), regions=("msk",), department="north")
BORIS = Actor("boris", roles=(MANAGER,), regions=("spb",), department="south")
HEAD = Actor("head-1", roles=(HEAD_OF_SALES,), department="north")


def partner(uow, address: str, *, contacts=(), **fields) -> dict:
    partner_id = str(uuid.uuid4())
    view = copy.deepcopy(partner_events.PARTNER)
    view.update(
        id=partner_id,
        short_name=f"П {address}",
        emails=[{"address": address, "kind": "work"}],
        contacts=[{**copy.deepcopy(partner_events.CONTACT), "id": str(uuid.uuid4()), "partner_id": partner_id, **c} for c in contacts],
        **fields,
    )
    recipients.partner_told(
        uow,
        delivered(
            partner_events.PARTNER_REGISTERED, {**partner_events.ABOUT, "partner_id": partner_id, "kinds": view["kinds"], "partner": view}
        ),
    )
    return view


def subscribed(uow, address: str, topic: str = "news") -> None:
    consent.subscribe(uow, ADMIN_ACTOR, {"address": address, "topic": topic, "source": "web_form"})


@pytest.fixture
def news_template(uow_for):
    templates.save_template(
        uow_for(ADMIN_ACTOR),
        ADMIN_ACTOR,
        {"code": "news", "channel": "email", "name": "Новости", "variables": ["recipient_name"], "subject": "Новости",
         "text": "Здравствуйте, {{ recipient_name }}!"},
    )  # fmt: skip


def test_a_condition_on_an_unknown_field_is_refused_naming_it(uow_for):
    with pytest.raises(ValidationError) as refused:
        mailings.create_group(
            uow_for(ANNA), ANNA, {"name": "g", "kind": "dynamic", "conditions": [{"field": "region", "op": "eq", "values": ["msk"]},
                                                                           {"field": "shoe_size", "op": "in", "values": ["42"]}]}
        )  # fmt: skip
    assert list(refused.value.details) == ["conditions.1.field"]
    assert "shoe_size" in refused.value.details["conditions.1.field"][0]
    with pytest.raises(ValidationError) as empty:
        mailings.create_group(uow_for(ANNA), ANNA, {"name": "g", "kind": "dynamic", "conditions": []})
    assert list(empty.value.details) == ["conditions"]


def test_a_static_group_names_only_partners_and_contacts_its_maker_sees(uow_for, session):
    uow = uow_for(SYSTEM)
    spb = partner(uow, "spb@x.example", contacts=[{}], region="spb", manager_id="boris", department="south")
    msk = partner(uow, "msk@x.example")
    with pytest.raises(ValidationError) as refused:
        mailings.create_group(
            uow_for(ANNA), ANNA, {"name": "g", "kind": "static", "members": {"partner_ids": [msk["id"], spb["id"]],
                                                                         "contact_ids": [spb["contacts"][0]["id"]]}}
        )  # fmt: skip
    assert sorted(refused.value.details) == ["members.contact_ids.0", "members.partner_ids.1"]
    group = mailings.create_group(uow_for(ANNA), ANNA, {"name": "g", "kind": "static", "members": {"partner_ids": [msk["id"]]}})
    assert (group["manager_id"], group["department"]) == ("anna", "north")
    with pytest.raises(NotFound):
        mailings.get_group(session, BORIS, group["id"])
    guest = Actor("guest", roles=())
    with pytest.raises(PermissionDenied):
        mailings.create_group(
            uow_for(guest), guest, {"name": "g", "kind": "dynamic", "conditions": [{"field": "region", "op": "eq", "values": ["msk"]}]}
        )


def test_a_mailing_reaches_exactly_the_matching_subscribed_addresses_once_even_when_its_fan_out_is_redone(
    uow_for, session, smtp, news_template
):
    uow = uow_for(SYSTEM)
    expected = set()
    for index in range(5):  # msk clients, subscribed: reached
        expected.add(partner(uow, f"m{index}@x.example", contacts=[{"emails": []}])["emails"][0]["address"])
    # Two contacts of one partner with one address: one letter.
    partner(uow, "own@x.example", contacts=[{"emails": [{"address": "Shared@x.example", "kind": "work"}]},
                                            {"emails": [{"address": "shared@x.example", "kind": "work"}]}])  # fmt: skip
    expected.add("shared@x.example")
    partner(uow, "spb@x.example", region="spb")  # another region
    partner(uow, "supplier@x.example", kinds=["supplier"])  # another kind
    partner(uow, "silent@x.example")  # never subscribed
    partner(uow, "offers@x.example")  # subscribed to another topic
    partner(uow, "complained@x.example")  # subscribed, then complained
    for address in [*expected, "spb@x.example", "supplier@x.example", "complained@x.example"]:
        subscribed(uow, address)
    subscribed(uow, "offers@x.example", "offers")
    consent.suppress(uow, ADMIN_ACTOR, {"address": "complained@x.example", "reason": "complaint"})
    group = mailings.create_group(
        uow_for(ANNA), ANNA, {"name": "Москва, клиенты", "kind": "dynamic", "conditions": [
            {"field": "region", "op": "eq", "values": ["msk"]}, {"field": "kind", "op": "in", "values": ["client"]}]}
    )  # fmt: skip
    mailing = mailings.create_mailing(
        uow_for(ANNA), ANNA, {"name": "Декабрь", "topic": "news", "template_code": "news", "group_id": group["id"]}
    )
    assert mailing["status"] == "draft"
    assert mailings.fan_out(uow)["chunks"] == 0  # a draft goes nowhere
    mailings.schedule_mailing(uow_for(ANNA), ANNA, mailing["id"], {})

    mailings.fan_out(uow, chunk=3, max_chunks=1)  # started, one chunk done, then the worker "dies"
    row = session.get(Mailing, mailing["id"])
    assert row.status == "sending" and row.cursor is not None and not row.fanned_out
    row.cursor = None  # its last commit "lost": the fan-out starts over
    session.commit()
    for _ in range(10):
        mailings.fan_out(uow, chunk=3, max_chunks=1)
    assert session.get(Mailing, mailing["id"]).fanned_out
    queued = session.scalars(select(Message.address).where(Message.mailing_id == mailing["id"])).all()
    assert sorted(queued) == sorted(expected)

    sending.send_due(uow, smtp, POLICY, sending.OutageBackoff(POLICY))
    assert sorted(letter.to for letter in smtp.letters) == sorted(expected)
    assert all(dict(letter.headers)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for letter in smtp.letters)
    mailings.fan_out(uow)
    done = mailings.get_mailing(session, ANNA, mailing["id"])
    assert done["status"] == "sent" and done["counters"]["sent"] == len(expected) and done["counters"]["queued"] == 0
    with pytest.raises(NotFound):
        mailings.get_mailing(session, BORIS, mailing["id"])
    assert mailings.list_mailings(session, BORIS, {})["items"] == []
    assert [m["id"] for m in mailings.list_mailings(session, HEAD, {})["items"]] == [mailing["id"]]


def test_an_address_that_unsubscribes_after_the_fan_out_gets_nothing_and_a_cancel_stops_the_rest(uow_for, session, smtp, news_template):
    uow = uow_for(SYSTEM)
    for address in ("a@x.example", "b@x.example", "c@x.example"):
        partner(uow, address)
        subscribed(uow, address)
    group = mailings.create_group(
        uow_for(ANNA), ANNA, {"name": "g", "kind": "dynamic", "conditions": [{"field": "source", "op": "eq", "values": ["exhibition"]}]}
    )
    mailing = mailings.create_mailing(
        uow_for(ANNA),
        ANNA,
        {"name": "m", "topic": "news", "template_code": "news", "group_id": group["id"], "scheduled_at": "2026-01-01T00:00:00Z"},
    )
    mailings.fan_out(uow)
    consent.unsubscribe(uow, ADMIN_ACTOR, {"address": "a@x.example", "topic": "news", "source": "phone"})
    session.execute(update(Message).where(Message.address == "c@x.example").values(next_attempt_at=None))  # not due yet
    assert sending.send_due(uow, smtp, POLICY, sending.OutageBackoff(POLICY))["suppressed"] == 1
    cancelled = mailings.cancel_mailing(uow_for(ANNA), ANNA, mailing["id"])
    assert [letter.to for letter in smtp.letters] == ["b@x.example"]
    assert cancelled["status"] == "cancelled"
    assert {k: cancelled["counters"][k] for k in ("sent", "suppressed", "cancelled", "unsubscribed")} == {
        "sent": 1, "suppressed": 1, "cancelled": 1, "unsubscribed": 1}  # fmt: skip
    with pytest.raises(PreconditionFailed):
        mailings.schedule_mailing(uow_for(ANNA), ANNA, mailing["id"], {})


def test_a_mailing_refuses_a_template_with_variables_it_cannot_fill_and_a_group_it_does_not_see(uow_for, session):
    templates.save_template(
        uow_for(ADMIN_ACTOR), ADMIN_ACTOR,
        {"code": "debt_like", "channel": "email", "name": "x", "variables": ["balance"], "subject": "s", "text": "{{ balance }}"},
    )  # fmt: skip
    group = mailings.create_group(
        uow_for(BORIS), BORIS, {"name": "g", "kind": "dynamic", "conditions": [{"field": "region", "op": "eq", "values": ["spb"]}]}
    )
    with pytest.raises(ValidationError) as refused:
        mailings.create_mailing(uow_for(ANNA), ANNA, {"name": "m", "topic": "news", "template_code": "debt_like", "group_id": group["id"]})
    assert list(refused.value.details) == ["group_id"]
    with pytest.raises(ValidationError) as refused:
        mailings.create_mailing(
            uow_for(BORIS), BORIS, {"name": "m", "topic": "news", "template_code": "debt_like", "group_id": group["id"]}
        )
    assert list(refused.value.details) == ["template_code"]
