"""The sales process in motion: stage moves with their preconditions (the partner's class asked
of the partners service), sales terms, and the status (won, lost, postponed)."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, Unavailable, ValidationError
from services.deals.usecases import details, invoices, offers, stages
from tests.unit.deals_usecases.conftest import ANNA, BORIS, HEAD_NORTH, day

LINE = {"product": "Станок", "quantity": "1", "price": "1000"}


def stages_of(view) -> list[str]:
    return [stay["stage"] for stay in view["stage_history"]]


def test_a_prospect_cannot_be_classified_and_nothing_changes(session, uow_for, partners, open_deal):
    prospect = partners.add_partner("Prospect", kinds=("prospect",), manager_id="anna")
    deal = open_deal(partner_id=prospect["id"])
    partners.asked.clear()  # opening asked where it sits
    uow = uow_for(ANNA)

    with pytest.raises(PreconditionFailed) as refused:
        stages.move_to_stage(uow, ANNA, partners, deal["id"], {"stage": "qualification"})

    assert refused.value.details["missing"] == ["partner_is_client"]
    assert partners.times_asked("get") == 1
    assert uow.events == []
    assert stages_of(details.get_deal(session, ANNA, deal["id"])) == ["lead"]


def test_a_client_is_classified_and_the_stay_is_recorded(uow_for, partners, open_deal):
    deal = open_deal()
    uow = uow_for(ANNA)

    view = stages.move_to_stage(uow, ANNA, partners, deal["id"], {"stage": "qualification", "note": "checked"})

    assert (view["stage"], view["probability"], view["partner_is_client"]) == ("qualification", 20, True)
    lead, qualification = view["stage_history"]
    assert lead["left_at"] and lead["left_by"] == "anna" and qualification["note"] == "checked"
    [(kind, data)] = uow.events
    assert kind == "deal_stage_changed"
    assert (data["from_stage"], data["to_stage"], data["probability"], data["manager_id"]) == ("lead", "qualification", 20, "anna")


def test_the_partner_is_asked_only_when_the_stage_needs_it(uow_for, partners, open_deal):
    deal = open_deal(process_code="manual")
    partners.asked.clear()  # opening asked where it sits
    stages.move_to_stage(uow_for(ANNA), ANNA, partners, deal["id"], {"stage": "offer"})
    assert partners.asked == []  # a manual process checks no preconditions


def test_a_strict_process_refuses_a_skipped_stage(move, open_deal):
    deal = open_deal()
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "terms")
    assert refused.value.details["skipped"] == ["qualification"]


def test_terms_must_be_chosen_before_the_terms_stage(uow_for, partners, move, open_deal):
    deal = open_deal(amount="500")
    move(deal, "qualification")
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "terms")
    assert refused.value.details["missing"] == ["terms_chosen"]

    agreement = partners.add_agreement(kind="standard", status="approved")
    uow = uow_for(ANNA)
    chosen = stages.choose_terms(uow, ANNA, partners, deal["id"], {"agreement_id": agreement["id"]})

    assert chosen["agreement_id"] == agreement["id"]
    assert [(kind, data["agreement_kind"]) for kind, data in uow.events] == [("deal_terms_chosen", "standard")]
    assert move(deal, "terms")["stage"] == "terms"


@pytest.mark.parametrize(("agreement", "problem"), [
    ({"kind": "standard", "status": "draft"}, "not approved"),
    ({"kind": "individual", "status": "approved", "partner_id": str(uuid.uuid4())}, "another partner"),
])
def test_terms_refused_for_an_agreement_that_cannot_apply(uow_for, partners, open_deal, agreement, problem):
    deal = open_deal()
    given = partners.add_agreement(**agreement)
    with pytest.raises(PreconditionFailed) as refused:
        stages.choose_terms(uow_for(ANNA), ANNA, partners, deal["id"], {"agreement_id": given["id"]})
    assert problem in str(refused.value)


def test_terms_of_an_agreement_the_partners_service_does_not_show_are_not_found(uow_for, partners, open_deal):
    deal = open_deal()
    with pytest.raises(NotFound):
        stages.choose_terms(uow_for(ANNA), ANNA, partners, deal["id"], {"agreement_id": str(uuid.uuid4())})


def test_while_partners_is_down_a_move_that_needs_it_fails_and_changes_nothing(session, uow_for, partners, open_deal):
    deal = open_deal()
    partners.down = True
    uow = uow_for(ANNA)
    with pytest.raises(Unavailable):
        stages.move_to_stage(uow, ANNA, partners, deal["id"], {"stage": "qualification"})
    assert uow.events == [] and stages_of(details.get_deal(session, ANNA, deal["id"])) == ["lead"]


def test_a_manual_process_skips_and_revisits_stages(move, open_deal):
    deal = open_deal(process_code="manual")
    assert move(deal, "offer")["stage"] == "offer"
    assert move(deal, "lead")["stage"] == "lead"
    assert stages_of(move(deal, "shipment")) == ["lead", "offer", "lead", "shipment"]
    with pytest.raises(PreconditionFailed):
        move(deal, "shipment")  # its current stage
    with pytest.raises(ValidationError) as refused:
        move(deal, "nowhere")
    assert "stage" in refused.value.details


def test_the_standard_sale_from_lead_to_won(session, uow_for, partners, move, open_deal):
    deal = open_deal()
    move(deal, "qualification")
    stages.choose_terms(uow_for(ANNA), ANNA, partners, deal["id"], {"agreement_id": partners.add_agreement()["id"]})
    move(deal, "terms")
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "offer")
    assert refused.value.details["missing"] == ["amount_set"]
    offer = offers.add_offer(uow_for(ANNA), ANNA, deal["id"], {"lines": [{**LINE, "price": "99000"}]})
    details.update_deal(uow_for(ANNA), ANNA, deal["id"], {"amount": "99000"})
    move(deal, "offer")
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "negotiation")
    assert refused.value.details["missing"] == ["offer_sent"]
    offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "sent"})
    move(deal, "negotiation")
    offers.set_offer_status(uow_for(ANNA), ANNA, offer["id"], {"status": "accepted"})
    move(deal, "invoice")
    invoice = invoices.issue_invoice(uow_for(ANNA), ANNA, deal["id"], {"number": "С-1", "amount": "99000", "due_date": day(10)})
    move(deal, "payment")
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "shipment")
    assert refused.value.details["missing"] == ["invoice_paid"]
    invoices.record_payment(uow_for(ANNA), ANNA, invoice["id"], {"amount": "99000", "paid_on": day(0), "external_id": "bank-1"})
    move(deal, "shipment")
    uow = uow_for(ANNA)

    won = stages.set_status(uow, ANNA, deal["id"], {"status": "won"})

    assert (won["status"], won["probability"], won["amount"]) == ("won", 100, "99000.00") and won["closed_at"]
    assert all(stay["left_at"] for stay in won["stage_history"])
    [(kind, data)] = uow.events
    assert kind == "deal_won" and (data["amount"], data["stage"], data["closed_at"]) == ("99000.00", "shipment", won["closed_at"])
    with pytest.raises(PreconditionFailed):
        stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "in_progress"})
    with pytest.raises(PreconditionFailed):
        move(deal, "payment")


def test_a_strict_deal_is_won_only_at_its_last_stage(uow_for, open_deal):
    deal = open_deal()
    with pytest.raises(PreconditionFailed) as refused:
        stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "won"})
    assert refused.value.details == {"stage": "lead", "required": "shipment"}


def test_a_lost_deal_records_its_reason_stage_and_competitor(uow_for, open_deal, partners, borises):
    deal = open_deal()
    with pytest.raises(ValidationError) as refused:
        stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "lost"})
    assert "loss_reason" in refused.value.details
    for unseen in (borises["id"], str(uuid.uuid4())):  # out of Anna's sight, or no partner at all
        refused_uow = uow_for(ANNA)
        with pytest.raises(NotFound) as not_found:
            stages.set_status(refused_uow, ANNA, deal["id"], {"status": "lost", "loss_reason": "competitor",
                                                             "competitor_id": unseen}, partners=partners)
        assert not_found.value.details == {"competitor_id": unseen} and refused_uow.events == []
    competitor = partners.add_partner("Konkurent", kinds=("competitor",), region="msk")["id"]
    uow = uow_for(ANNA)

    lost = stages.set_status(uow, ANNA, deal["id"], {"status": "lost", "loss_reason": "competitor", "competitor_id": competitor},
                             partners=partners)

    assert (lost["status"], lost["loss_reason"], lost["lost_at_stage"], lost["competitor_id"]) == ("lost", "competitor", "lead", competitor)
    [(kind, data)] = uow.events
    assert kind == "deal_lost" and (data["loss_reason"], data["lost_at_stage"], data["competitor_id"]) == (
        "competitor", "lead", competitor)


def test_a_postponed_deal_stays_put_until_resumed(uow_for, move, open_deal):
    deal = open_deal()
    postponing, resuming = uow_for(ANNA), uow_for(ANNA)
    stages.set_status(postponing, ANNA, deal["id"], {"status": "postponed"})
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "qualification")
    assert refused.value.details == {"status": "postponed", "required": "in_progress"}
    stages.set_status(resuming, ANNA, deal["id"], {"status": "in_progress"})
    assert move(deal, "qualification")["stage"] == "qualification"
    assert [kind for kind, _ in postponing.events + resuming.events] == ["deal_postponed", "deal_resumed"]


def test_only_those_who_may_change_a_deal_move_it(uow_for, partners, move, open_deal):
    deal = open_deal()
    with pytest.raises(NotFound):
        move(deal, "qualification", actor=BORIS)
    assert move(deal, "qualification", actor=HEAD_NORTH)["stage"] == "qualification"


def test_processes_are_defined_by_heads_of_sales(session, uow_for, open_deal, move):
    short = {"code": "short", "name": "Short sale", "mode": "strict", "stages": [
        {"code": "talk", "name": "Talk", "probability": 30},
        {"code": "close", "name": "Close", "probability": 90, "preconditions": ["amount_set"]},
    ]}
    with pytest.raises(PermissionDenied):
        stages.define_process(uow_for(ANNA), ANNA, short)
    defined = stages.define_process(uow_for(HEAD_NORTH), HEAD_NORTH, short)
    assert [s["code"] for s in defined["stages"]] == ["talk", "close"]
    assert [p["code"] for p in stages.list_processes(session)][:4] == ["standard", "manual", "none", "short"]

    deal = open_deal(process_code="short")
    with pytest.raises(PreconditionFailed) as refused:
        move(deal, "close")
    assert refused.value.details["missing"] == ["amount_set"]
