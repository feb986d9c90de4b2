"""Opening deals (also a lead from a call), reading, changing and listing them, and re-pointing
them when two partners merge."""

from __future__ import annotations

import uuid

import pytest

from contracts.partners import PARTNERS_MERGED
from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationError
from services.deals.models import Deal, StageStay
from services.deals.usecases import details, invoices, listing, merges, opening, stages
from tests.support.usecases import count
from tests.unit.deals_usecases.conftest import ADMIN_ACTOR, ANNA, BORIS, INTERACTIONS, day


def test_a_deal_opens_at_the_first_stage_for_its_manager(uow_for, client, partners):
    uow = uow_for(ANNA)

    view = opening.open_deal(uow, ANNA, {"title": " Поставка ", "partner_id": client["id"], "region": "msk",
                                       "amount": "1200.5"}, partners=partners)

    assert (view["process_code"], view["stage"], view["stage_name"], view["probability"]) == (
        "standard", "lead", "First contact", 10)
    assert (view["status"], view["manager_id"], view["department"], view["title"]) == ("in_progress", "anna", "north", "Поставка")
    assert (view["amount"], view["currency"]) == ("1200.50", "RUB")
    assert [(stay["stage"], stay["entered_by"], stay["left_at"]) for stay in view["stage_history"]] == [("lead", "anna", None)]
    [(kind, data)] = uow.events
    assert kind == "deal_opened"
    assert (data["deal_id"], data["partner_id"], data["manager_id"], data["stage"], data["amount"]) == (
        view["id"], client["id"], "anna", "lead", "1200.50")
    assert "stage_history" not in data["deal"] and data["deal"]["title"] == "Поставка"


def test_a_retried_open_answers_the_first_deal(session, uow_for, client, partners):
    payload = {"title": "Повтор", "partner_id": client["id"], "region": "msk"}
    first_uow, again_uow = uow_for(ANNA), uow_for(ANNA)

    first = opening.open_deal(first_uow, ANNA, payload, {"request_id": "req-1"}, partners=partners)
    again = opening.open_deal(again_uow, ANNA, payload, {"request_id": "req-1"}, partners=partners)

    assert again["id"] == first["id"] and again["replayed"] is True and "replayed" not in first
    assert count(session, Deal) == 1
    assert again_uow.events == []


def test_an_unknown_process_is_refused_and_nothing_is_written(session, uow_for, client):
    uow = uow_for(ANNA)
    with pytest.raises(ValidationError) as refused:
        opening.open_deal(uow, ANNA, {"title": "X", "partner_id": client["id"], "process_code": "nope"})
    assert "process_code" in refused.value.details
    assert count(session, Deal) == 0 and uow.events == []


def test_bad_fields_are_named(uow_for):
    with pytest.raises(ValidationError) as refused:
        opening.open_deal(uow_for(ANNA), ANNA, {"title": "", "partner_id": "not-a-uuid", "amount": "-1"})
    assert {"title", "partner_id", "amount"} <= set(refused.value.details)


def test_a_manager_may_not_open_a_deal_in_another_region_for_someone_else(session, uow_for, partners):
    # Anna's own partner, sitting in Boris's region: she sees it, but may not give its deal to Boris.
    theirs = partners.add_partner("Lyutik", manager_id="anna", region="spb", department="south")
    with pytest.raises(PermissionDenied):
        opening.open_deal(uow_for(ANNA), ANNA, {"title": "Чужая", "partner_id": theirs["id"], "manager_id": "boris"},
                          partners=partners)
    assert count(session, Deal) == 0


def test_a_lead_is_opened_once_per_call(session, uow_for, partners):
    partner_id = partners.add_partner("Caller +74951234567", kinds=("prospect",))["id"]
    call = {"partner_id": partner_id, "call_id": "pbx-77", "phone": "+74951234567", "manager_id": "anna", "region": "msk"}
    first_uow, again_uow = uow_for(INTERACTIONS), uow_for(INTERACTIONS)

    lead = opening.open_lead_from_call(first_uow, INTERACTIONS, call, partners=partners)
    again = opening.open_lead_from_call(again_uow, INTERACTIONS, call, partners=partners)

    assert (lead["source"], lead["source_ref"], lead["stage"], lead["manager_id"]) == ("call", "pbx-77", "lead", "anna")
    assert lead["title"] == "Lead from call +74951234567"
    assert again["id"] == lead["id"] and again["replayed"] is True
    assert count(session, Deal) == 1
    assert [kind for kind, _ in first_uow.events] == ["deal_opened"] and again_uow.events == []


def test_a_deal_without_a_process_has_no_stages(open_deal, move):
    deal = open_deal(process_code="none")
    assert deal["stage"] is None and deal["stage_history"] == []
    with pytest.raises(PreconditionFailed):
        move(deal, "lead")


def test_update_changes_the_given_fields_and_tells_which(uow_for, open_deal):
    deal = open_deal(amount="100")
    uow = uow_for(ANNA)

    view = details.update_deal(uow, ANNA, deal["id"], {"amount": "250", "title": "Больше", "expected_close_date": day(30)})

    assert (view["amount"], view["title"], view["expected_close_date"]) == ("250.00", "Больше", day(30))
    [(kind, data)] = uow.events
    assert kind == "deal_updated" and set(data["changed"]) == {"amount", "title", "expected_close_date"}
    unchanged = uow_for(ANNA)
    details.update_deal(unchanged, ANNA, deal["id"], {"amount": "250"})
    assert unchanged.events == []  # the same value is no change


def test_update_refuses_other_fields_and_closed_deals(uow_for, open_deal):
    deal = open_deal()
    with pytest.raises(ValidationError) as refused:
        details.update_deal(uow_for(ANNA), ANNA, deal["id"], {"stage": "offer", "amount": "1"})
    assert "stage" in refused.value.details
    stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "lost", "loss_reason": "price"})
    with pytest.raises(PreconditionFailed):
        details.update_deal(uow_for(ANNA), ANNA, deal["id"], {"amount": "1"})


def test_deals_are_seen_as_row_level_access_allows(session, open_deal, uow_for):
    annas = open_deal()

    assert details.get_deal(session, ANNA, annas["id"])["id"] == annas["id"]
    assert details.get_deal(session, ADMIN_ACTOR, annas["id"])["id"] == annas["id"]
    with pytest.raises(NotFound):  # not PermissionDenied: Boris does not learn it exists
        details.get_deal(session, BORIS, annas["id"])
    with pytest.raises(NotFound):
        details.update_deal(uow_for(BORIS), BORIS, annas["id"], {"amount": "1"})
    assert [d["id"] for d in listing.list_deals(session, ANNA, {})["items"]] == [annas["id"]]
    assert listing.list_deals(session, BORIS, {})["items"] == []


def test_list_pages_newest_first_with_filters(session, open_deal):
    opened = [open_deal(title=f"Сделка {i}") for i in range(5)]
    other = open_deal(title="Другая")
    seen, cursor = [], None
    while True:
        page = listing.list_deals(session, ANNA, {"limit": 2, "cursor": cursor, "text": "Сделка"})
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [d["id"] for d in reversed(opened)]
    assert other["id"] not in seen
    with pytest.raises(ValidationError):
        listing.list_deals(session, ANNA, {"cursor": "garbage"})


def test_a_partners_merge_repoints_deals_and_invoices(session, uow_for, open_deal, partners):
    deal = open_deal()
    invoice = invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": "С-1", "amount": "100", "due_date": day(10)})
    survivor = partners.add_partner("Survivor")

    counts = merges.partners_merged(uow_for(INTERACTIONS), {"data": {"survivor_id": survivor["id"], "merged_id": deal["partner_id"]}})

    assert counts["deals"] == 1 and counts["invoices"] == 1
    session.expire_all()
    assert details.get_deal(session, ANNA, deal["id"])["partner_id"] == survivor["id"]
    assert details.get_deal(session, ANNA, deal["id"])["invoices"][0]["partner_id"] == survivor["id"]
    assert invoice["partner_id"] == deal["partner_id"]
    with pytest.raises(ValidationError):  # a merge that names no merged partner never reaches the use case
        PARTNERS_MERGED.load({"survivor_id": survivor["id"]})


def test_the_first_stay_is_recorded(session, open_deal):
    deal = open_deal()
    assert count(session, StageStay) == 1
    assert deal["stage_entered_at"] == deal["stage_history"][0]["entered_at"]


def test_a_deal_on_a_partner_the_caller_may_not_see_or_that_does_not_exist_is_not_found(session, uow_for, partners, borises):
    for unseen in (borises["id"], str(uuid.uuid4())):  # both answered alike: nothing told of Boris's partner
        uow = uow_for(ANNA)
        with pytest.raises(NotFound) as refused:
            opening.open_deal(uow, ANNA, {"title": "Чужая", "partner_id": unseen}, partners=partners)
        assert refused.value.details == {"partner_id": unseen} and uow.events == []
    assert count(session, Deal) == 0
    # Boris, whose partner it is, opens his deal as before.
    assert opening.open_deal(uow_for(BORIS), BORIS, {"title": "Своя", "partner_id": borises["id"]}, partners=partners)["region"] == "spb"


def test_the_contact_of_a_deal_is_a_visible_contact_of_its_partner(session, uow_for, partners, client):
    mine = partners.add_partner("Vasilek", manager_id="anna", region="msk", contacts=({"name": "Olga"},))
    olga = mine["contacts"][0]["id"]
    with pytest.raises(ValidationError) as refused:  # another partner's contact
        opening.open_deal(uow_for(ANNA), ANNA, {"title": "X", "partner_id": client["id"], "contact_id": olga}, partners=partners)
    assert set(refused.value.details) == {"contact_id"}
    missing = str(uuid.uuid4())
    with pytest.raises(NotFound) as not_found:
        opening.open_deal(uow_for(ANNA), ANNA, {"title": "X", "partner_id": mine["id"], "contact_id": missing}, partners=partners)
    assert not_found.value.details == {"contact_id": missing}
    assert count(session, Deal) == 0
    deal = opening.open_deal(uow_for(ANNA), ANNA, {"title": "X", "partner_id": mine["id"], "contact_id": olga}, partners=partners)
    assert deal["contact_id"] == olga
    with pytest.raises(NotFound):
        details.update_deal(uow_for(ANNA), ANNA, deal["id"], {"contact_id": missing}, partners=partners)
    assert details.get_deal(session, ANNA, deal["id"])["contact_id"] == olga


def test_leads_from_calls_are_the_telephony_path_s_alone(session, uow_for, partners, client):
    call = {"partner_id": client["id"], "call_id": "pbx-not-yet", "manager_id": "anna"}
    for person in (ANNA, ADMIN_ACTOR):  # a call id nobody may claim before the PBX uses it
        with pytest.raises(PermissionDenied):
            opening.open_lead_from_call(uow_for(person), person, call, partners=partners)
    with pytest.raises(ValidationError) as refused:  # nor by opening a deal with the call's source
        opening.open_deal(uow_for(ANNA), ANNA, {"title": "X", "partner_id": client["id"], "source": "call",
                                              "source_ref": "pbx-not-yet"}, partners=partners)
    assert set(refused.value.details) == {"source"}
    assert count(session, Deal) == 0
    lead = opening.open_lead_from_call(uow_for(INTERACTIONS), INTERACTIONS, call, partners=partners)
    assert (lead["source"], lead["source_ref"]) == ("call", "pbx-not-yet") and "replayed" not in lead


def test_a_partner_that_just_moved_into_the_caller_s_sight_is_asked_of_partners(session, uow_for, partners, borises):
    # Deals last heard it was Boris's in spb; partners says it is now in msk, Anna's to see.
    partners.hidden.discard(borises["id"])
    borises.update(region="msk", department="north")

    deal = opening.open_deal(uow_for(ANNA), ANNA, {"title": "Теперь моя", "partner_id": borises["id"]}, partners=partners)

    assert (deal["region"], deal["manager_id"]) == ("msk", "anna") and partners.times_asked("get") == 1
