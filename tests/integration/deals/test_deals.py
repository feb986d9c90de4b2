"""The deals service through real RabbitMQ and PostgreSQL, in its own process, asking the real
partners service about partners and agreements."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from crm_kit.errors import Conflict, NotFound, PermissionDenied, PreconditionFailed, ValidationError
from services.deals.domain.process import BUILTIN_PROCESSES
from tests.integration.deals.conftest import ADMIN, ANNA, BORIS, HEAD, PBX
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def tag() -> str:
    return uuid.uuid4().hex[:8]


def register_partner(call, actor=ANNA, kinds=("prospect",), name=None, **extra) -> dict:
    payload = {"kinds": list(kinds), "legal_form": "legal_entity", "short_name": name or f"Сделки {tag()}",
               "region": "msk", **extra}
    return call(actor).partners.register(payload, {"duplicate_policy": "skip"})["partner"]


def approved_standard_agreement(call) -> dict:
    agreement = call(HEAD).partners.create_agreement(
        {"kind": "standard", "name": f"Опт {tag()}", "segment": "wholesale", "credit_days": 14}
    )
    return call(HEAD).partners.set_agreement_status(agreement["id"], {"status": "approved"})


def open_deal(call, actor=ANNA, **fields) -> dict:
    """A deal (on a new partner of the actor's unless ``partner_id`` names one: a deal is opened
    only on a partner that exists for its caller)."""
    if "partner_id" not in fields:
        fields["partner_id"] = register_partner(call, actor)["id"]
    deal = {"title": f"Сделка {tag()}", "region": "msk", **fields}
    return call(actor).deals.open_deal(deal)


def refused(exc_type, fn, *args):
    with pytest.raises(exc_type) as caught:
        fn(*args)
    return caught.value


def count_rows(deals_db, table: str) -> int:
    with deals_db.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_builtin_processes_are_the_domain_s(call):
    processes = call(ANNA).deals.list_processes()
    assert [p["code"] for p in processes[:3]] == ["standard", "manual", "none"]
    for process in processes[:3]:
        stored = {key: process[key] for key in ("code", "name", "mode", "stages")}
        assert stored == BUILTIN_PROCESSES[process["code"]].to_dict()


def test_strict_path_from_lead_to_won(call, listener):
    partner = register_partner(call, kinds=("prospect",))
    deal = open_deal(call, partner_id=partner["id"], expected_close_date="2026-12-15")
    assert (deal["stage"], deal["status"], deal["manager_id"], deal["process_code"]) == ("lead", "in_progress", "anna", "standard")
    deals = call(ANNA).deals
    deal_id = deal["id"]

    # A prospect is not yet a client: the partners service says so.
    error = refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "qualification"})
    assert error.details["missing"] == ["partner_is_client"] and "client" in error.message
    error = refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "offer"})
    assert error.details["skipped"] == ["qualification", "terms"]
    call(ANNA).partners.update(partner["id"], {"kinds": ["client"]})
    deal = deals.move_to_stage(deal_id, {"stage": "qualification", "note": "checked"})
    assert deal["stage"] == "qualification" and deal["partner_is_client"] is True and deal["probability"] == 20

    error = refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "terms"})
    assert error.details == {"stage": "terms", "missing": ["terms_chosen"]}
    assert "sales agreement" in error.message
    draft = call(HEAD).partners.create_agreement({"kind": "standard", "name": f"Черновик {tag()}", "segment": "retail"})
    error = refused(PreconditionFailed, deals.choose_terms, deal_id, {"agreement_id": draft["id"]})
    assert error.details["status"] == "draft"
    agreement = approved_standard_agreement(call)
    deal = deals.choose_terms(deal_id, {"agreement_id": agreement["id"]})
    assert deal["agreement_id"] == agreement["id"]
    deal = deals.move_to_stage(deal_id, {"stage": "terms"})

    error = refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "offer"})
    assert error.details["missing"] == ["amount_set"]
    deals.update_deal(deal_id, {"amount": "100000"})
    deal = deals.move_to_stage(deal_id, {"stage": "offer"})

    offer = deals.add_offer(deal_id, {
        "lines": [
            {"product": "Насос", "quantity": 2, "unit": "pcs", "price": "45000.00", "discount_percent": "10"},
            {"product": "Монтаж", "quantity": "1.5", "price": 12000},
        ],
        "valid_until": (date.today() + timedelta(days=30)).isoformat(),
    })
    assert offer["status"] == "draft" and offer["total"] == "99000.00"
    assert [line["amount"] for line in offer["lines"]] == ["81000.00", "18000.00"]
    assert refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "negotiation"}).details["missing"] == ["offer_sent"]
    assert deals.set_offer_status(offer["id"], {"status": "sent"})["sent_at"]
    deal = deals.move_to_stage(deal_id, {"stage": "negotiation"})
    assert refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "invoice"}).details["missing"] == ["offer_accepted"]
    assert deals.set_offer_status(offer["id"], {"status": "accepted"})["status"] == "accepted"
    deal = deals.move_to_stage(deal_id, {"stage": "invoice"})
    assert deal["amount"] == "99000.00"

    assert refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "payment"}).details["missing"] == ["invoice_issued"]
    invoice = deals.issue_invoice(deal_id, {"number": f"INV-{tag()}", "amount": "99000.00",
                                            "due_date": (date.today() + timedelta(days=10)).isoformat()})
    deal = deals.move_to_stage(deal_id, {"stage": "payment"})
    error = refused(PreconditionFailed, deals.set_status, deal_id, {"status": "won"})
    assert error.details["required"] == "shipment"
    deals.record_payment(invoice["id"], {"amount": "50000", "paid_on": date.today().isoformat(), "external_id": f"pay-{tag()}"})
    assert refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "shipment"}).details["missing"] == ["invoice_paid"]
    paid = deals.record_payment(invoice["id"], {"amount": "49000", "paid_on": date.today().isoformat(), "external_id": f"pay-{tag()}"})
    assert (paid["status"], paid["balance"]) == ("paid", "0.00")
    deal = deals.move_to_stage(deal_id, {"stage": "shipment"})
    assert deal["probability"] == 100

    won = deals.set_status(deal_id, {"status": "won"})
    assert won["status"] == "won" and won["closed_at"]
    history = won["stage_history"]
    assert [stay["stage"] for stay in history] == [
        "lead", "qualification", "terms", "offer", "negotiation", "invoice", "payment", "shipment"
    ]
    assert all(stay["left_at"] for stay in history) and history[1]["note"] == "checked"
    assert all(stay["entered_by"] == "anna" for stay in history)
    assert refused(PreconditionFailed, deals.set_status, deal_id, {"status": "in_progress"}).details["status"] == "won"
    assert refused(PreconditionFailed, deals.move_to_stage, deal_id, {"stage": "payment"}).details["status"] == "won"

    eventually(lambda: listener.heard("deal_won", deal_id=deal_id), what="deal_won")
    moves = eventually(lambda: listener.heard_at_least(7, "deal_stage_changed", deal_id=deal_id), what="every move")
    assert len(moves) == 7
    last = [m for m in moves if m["data"]["to_stage"] == "shipment"][0]["data"]
    assert (last["from_stage"], last["probability"], last["partner_id"], last["amount"]) == ("payment", 100, partner["id"], "99000.00")
    accepted = eventually(lambda: listener.heard("offer_accepted", deal_id=deal_id), what="offer_accepted")
    assert accepted[0]["data"]["partner_id"] == partner["id"]


def test_entering_offer_without_terms_names_the_precondition(call):
    code = f"short_{tag()}"
    call(HEAD).deals.define_process({
        "code": code, "name": "Short sale", "mode": "strict",
        "stages": [
            {"code": "lead", "name": "Lead", "probability": 10, "time_limit_days": 3, "preconditions": []},
            {"code": "offer", "name": "Offer", "probability": 50, "time_limit_days": None,
             "preconditions": ["partner_is_client", "terms_chosen", "amount_set"]},
        ],
    })
    partner = register_partner(call, kinds=("client",))
    deal = open_deal(call, partner_id=partner["id"], process_code=code, amount="500")
    error = refused(PreconditionFailed, call(ANNA).deals.move_to_stage, deal["id"], {"stage": "offer"})
    assert error.details == {"stage": "offer", "missing": ["terms_chosen"]}
    assert "cannot enter offer" in error.message and "sales agreement" in error.message
    assert call(ANNA).deals.get_deal(deal["id"])["stage"] == "lead"


def test_terms_must_be_approved_and_for_this_partner(call):
    partner, other = register_partner(call, kinds=("client",)), register_partner(call, kinds=("client",))
    theirs = call(ANNA).partners.create_agreement({"kind": "individual", "name": "Чужое", "partner_id": other["id"]})
    call(ANNA).partners.set_agreement_status(theirs["id"], {"status": "approved"})
    deal = open_deal(call, partner_id=partner["id"])
    error = refused(PreconditionFailed, call(ANNA).deals.choose_terms, deal["id"], {"agreement_id": theirs["id"]})
    assert "another partner" in error.message
    refused(NotFound, call(ANNA).deals.choose_terms, deal["id"], {"agreement_id": str(uuid.uuid4())})
    refused(ValidationError, call(ANNA).deals.choose_terms, deal["id"], {"agreement_id": "nope"})
    assert call(ANNA).deals.get_deal(deal["id"])["agreement_id"] is None


def test_manual_deal_skips_and_revisits_with_every_move_recorded(call):
    deal = open_deal(call, process_code="manual")
    deals = call(ANNA).deals
    for stage in ("shipment", "qualification", "offer", "shipment"):
        deals.move_to_stage(deal["id"], {"stage": stage, "note": f"to {stage}"})
    refused(PreconditionFailed, deals.move_to_stage, deal["id"], {"stage": "shipment"})
    assert "stage" in refused(ValidationError, deals.move_to_stage, deal["id"], {"stage": "nowhere"}).details
    history = deals.get_deal(deal["id"])["stage_history"]
    assert [stay["stage"] for stay in history] == ["lead", "shipment", "qualification", "offer", "shipment"]
    assert [bool(stay["left_at"]) for stay in history] == [True, True, True, True, False]
    assert history[2]["note"] == "to qualification"
    won = deals.set_status(deal["id"], {"status": "won"})
    assert won["status"] == "won"


def test_non_process_deal_refuses_stages_but_tracks_tasks(call, listener):
    deal = open_deal(call, process_code="none", title="Долгий проект")
    assert deal["stage"] is None and deal["stage_history"] == [] and deal["probability"] == 0
    deals = call(ANNA).deals
    error = refused(PreconditionFailed, deals.move_to_stage, deal["id"], {"stage": "lead"})
    assert error.details == {"mode": "none"}
    first = deals.add_task(deal["id"], {"title": "Согласовать ТЗ", "due_date": "2026-12-01"})
    second = deals.add_task(deal["id"], {"title": "Подписать договор", "due_date": "2026-12-20", "responsible_id": "lawyer-1"})
    assert first["responsible_id"] == "anna" and first["kind"] == "work" and not first["done"]
    done = deals.complete_task(first["id"])
    assert done["done"] and done["done_at"]
    assert deals.complete_task(first["id"])["done_at"] == done["done_at"]
    deals.add_document(deal["id"], {"kind": "contract", "number": "Д-17", "date": "2026-11-01", "url": "https://docs.example/17"})
    supplier = register_partner(call, kinds=("supplier",))["id"]
    deals.add_supplier_order(deal["id"], {"supplier_id": supplier, "number": "ЗП-3", "amount": "1500.50"})
    view = deals.get_deal(deal["id"])
    assert [(t["title"], t["done"]) for t in view["tasks"]] == [("Согласовать ТЗ", True), ("Подписать договор", False)]
    assert view["tasks"][1]["responsible_id"] == "lawyer-1" and second["id"] == view["tasks"][1]["id"]
    assert view["documents"][0]["kind"] == "contract" and view["documents"][0]["number"] == "Д-17"
    assert view["supplier_orders"][0]["supplier_id"] == supplier and view["supplier_orders"][0]["amount"] == "1500.50"
    assert deals.set_status(deal["id"], {"status": "postponed"})["status"] == "postponed"
    assert deals.set_status(deal["id"], {"status": "in_progress"})["status"] == "in_progress"
    added = eventually(lambda: listener.heard_at_least(2, "task_added", deal_id=deal["id"]), what="task_added twice")
    assert len(added) == 2


def test_lost_with_reason_stage_and_competitor(call, listener):
    deal = open_deal(call, process_code="manual", amount="70000")
    deals = call(ANNA).deals
    deals.move_to_stage(deal["id"], {"stage": "negotiation"})
    error = refused(ValidationError, deals.set_status, deal["id"], {"status": "lost"})
    assert "loss_reason" in error.details
    assert "loss_reason" in refused(ValidationError, deals.set_status, deal["id"], {"status": "lost", "loss_reason": "bad luck"}).details
    competitor = register_partner(call, kinds=("competitor",))["id"]
    lost = deals.set_status(deal["id"], {"status": "lost", "loss_reason": "competitor", "competitor_id": competitor})
    assert (lost["status"], lost["loss_reason"], lost["lost_at_stage"], lost["competitor_id"]) == (
        "lost", "competitor", "negotiation", competitor)
    assert lost["closed_at"]
    refused(PreconditionFailed, deals.set_status, deal["id"], {"status": "in_progress"})
    refused(PreconditionFailed, deals.update_deal, deal["id"], {"title": "resurrected"})
    refused(PreconditionFailed, deals.issue_invoice, deal["id"], {"number": "X", "amount": "1", "due_date": "2030-01-01"})
    event = eventually(lambda: listener.heard("deal_lost", deal_id=deal["id"]), what="deal_lost")[0]["data"]
    assert (event["loss_reason"], event["lost_at_stage"], event["competitor_id"]) == ("competitor", "negotiation", competitor)


def test_overdue_scan_raises_each_invoice_once(call, listener, outbox):
    deal = open_deal(call, process_code="manual")
    deals = call(ANNA).deals
    past = {"issued_on": "2026-01-01", "due_date": "2026-01-31"}
    late = deals.issue_invoice(deal["id"], {"number": f"L1-{tag()}", "amount": "1000", **past})
    partly = deals.issue_invoice(deal["id"], {"number": f"L2-{tag()}", "amount": "500", **past})
    deals.record_payment(partly["id"], {"amount": "200", "paid_on": "2026-01-20", "external_id": f"p-{tag()}"})
    paid = deals.issue_invoice(deal["id"], {"number": f"P-{tag()}", "amount": "300", **past})
    deals.record_payment(paid["id"], {"amount": "300", "paid_on": "2026-01-20", "external_id": f"p-{tag()}"})
    future = deals.issue_invoice(deal["id"], {"number": f"F-{tag()}", "amount": "700",
                                              "due_date": (date.today() + timedelta(days=5)).isoformat()})

    refused(PermissionDenied, call(ANNA).deals.run_overdue_scan)
    first = call(ADMIN).deals.run_overdue_scan()
    second = call(PBX).deals.run_overdue_scan()
    assert first["raised"] >= 2 and second["raised"] == 0

    ours = {late["id"], partly["id"]}
    events = eventually(lambda: listener.heard_at_least(2, "invoice_overdue", deal_id=deal["id"]), what="both invoice_overdue")
    assert sorted(e["data"]["invoice_id"] for e in events) == sorted(ours)
    written = [data for data in outbox("invoice_overdue") if data["deal_id"] == deal["id"]]
    assert sorted(data["invoice_id"] for data in written) == sorted(ours)
    by_invoice = {e["data"]["invoice_id"]: e["data"] for e in events}
    assert by_invoice[partly["id"]]["balance"] == "300.00" and by_invoice[partly["id"]]["amount"] == "500.00"
    assert by_invoice[late["id"]]["days_overdue"] == (date.today() - date(2026, 1, 31)).days
    assert by_invoice[late["id"]]["manager_id"] == "anna" and by_invoice[late["id"]]["partner_id"] == deal["partner_id"]

    overdue = deals.list_invoices({"deal_id": deal["id"], "overdue_only": True})["items"]
    assert {i["id"] for i in overdue} == ours and all(i["overdue"] and i["overdue_notified_at"] for i in overdue)
    assert len(deals.list_invoices({"deal_id": deal["id"]})["items"]) == 4
    assert future["id"] not in {i["id"] for i in overdue}


def test_stuck_scan_raises_once_per_stay_with_a_reminder(call, listener, outbox):
    code = f"quick_{tag()}"
    call(ADMIN).deals.define_process({
        "code": code, "name": "Quick", "mode": "manual",
        "stages": [
            {"code": "call", "name": "Call back", "probability": 10, "time_limit_days": 1},
            {"code": "meet", "name": "Meeting", "probability": 40, "time_limit_days": 1},
        ],
    })
    deal = open_deal(call, process_code=code)
    now = datetime.now(UTC)
    refused(PermissionDenied, call(ANNA).deals.run_stuck_scan)
    call(ADMIN).deals.run_stuck_scan((now + timedelta(hours=12)).isoformat())  # within the limit
    assert call(ANNA).deals.get_deal(deal["id"])["tasks"] == []
    later = now + timedelta(days=1, hours=2)
    call(ADMIN).deals.run_stuck_scan(later.isoformat())
    call(ADMIN).deals.run_stuck_scan(later.isoformat())
    tasks = call(ANNA).deals.get_deal(deal["id"])["tasks"]
    assert [(t["kind"], t["title"], t["responsible_id"], t["due_date"]) for t in tasks] == [
        ("reminder", "Deal stuck at Call back: next step?", "anna", later.date().isoformat())
    ]
    stuck = eventually(lambda: listener.heard("deal_stuck", deal_id=deal["id"]), what="deal_stuck")
    assert (stuck[0]["data"]["stage"], stuck[0]["data"]["limit_days"], stuck[0]["data"]["manager_id"]) == ("call", 1, "anna")

    # A new stay is a new chance to get stuck, once.
    call(ANNA).deals.move_to_stage(deal["id"], {"stage": "meet"})
    much_later = now + timedelta(days=2)
    call(ADMIN).deals.run_stuck_scan(much_later.isoformat())
    call(ADMIN).deals.run_stuck_scan(much_later.isoformat())
    reminders = [t for t in call(ANNA).deals.get_deal(deal["id"])["tasks"] if t["kind"] == "reminder"]
    assert sorted(t["title"] for t in reminders) == ["Deal stuck at Call back: next step?", "Deal stuck at Meeting: next step?"]
    stuck = eventually(lambda: listener.heard_at_least(2, "deal_stuck", deal_id=deal["id"]), what="second deal_stuck")
    assert [e["data"]["stage"] for e in stuck] == ["call", "meet"]
    assert [d["stage"] for d in outbox("deal_stuck") if d["deal_id"] == deal["id"]] == ["call", "meet"]


def test_payments_are_idempotent_and_overpayment_refused(call, listener, deals_db):
    deal = open_deal(call, process_code="manual")
    deals = call(ANNA).deals
    invoice = deals.issue_invoice(deal["id"], {"number": f"I-{tag()}", "amount": "1000", "due_date": "2030-01-01"})
    other = deals.issue_invoice(deal["id"], {"number": f"J-{tag()}", "amount": "1000", "due_date": "2030-01-01"})
    external = f"bank-{tag()}"
    first = deals.record_payment(invoice["id"], {"amount": "400", "paid_on": "2026-11-01", "external_id": external})
    assert (first["status"], first["paid"], first["balance"]) == ("partially_paid", "400.00", "600.00")
    again = deals.record_payment(invoice["id"], {"amount": "400", "paid_on": "2026-11-01", "external_id": external})
    assert again["replayed"] is True and again["balance"] == "600.00" and len(again["payments"]) == 1
    refused(Conflict, deals.record_payment, other["id"], {"amount": "400", "paid_on": "2026-11-01", "external_id": external})

    payments_before = count_rows(deals_db, "payments")
    error = refused(ValidationError, deals.record_payment, invoice["id"],
                    {"amount": "600.01", "paid_on": "2026-11-02", "external_id": f"bank-{tag()}"})
    assert "amount" in error.details and "600.00" in error.message
    assert "amount" in refused(ValidationError, deals.record_payment, invoice["id"],
                               {"amount": "0", "paid_on": "2026-11-02", "external_id": f"bank-{tag()}"}).details
    assert count_rows(deals_db, "payments") == payments_before

    final = deals.record_payment(invoice["id"], {"amount": "600", "paid_on": "2026-11-03", "external_id": f"bank-{tag()}"})
    assert (final["status"], final["balance"]) == ("paid", "0.00")
    received = eventually(lambda: listener.heard_at_least(2, "payment_received", invoice_id=invoice["id"]),
                          what="two payments")
    assert [(e["data"]["amount"], e["data"]["balance"], e["data"]["paid_in_full"]) for e in received] == [
        ("400.00", "600.00", False), ("600.00", "0.00", True)]


def test_bad_input_is_refused_with_field_names_and_nothing_written(call, deals_db):
    deals_before, outbox_before = count_rows(deals_db, "deals"), count_rows(deals_db, "outbox")
    error = refused(ValidationError, call(ANNA).deals.open_deal, {
        "title": "", "partner_id": "nope", "amount": "-5", "currency": "rub", "expected_close_date": "soon",
        "contact_id": 42,
    })
    for field in ("title", "partner_id", "amount", "currency", "expected_close_date", "contact_id"):
        assert field in error.details, (field, error.details)
    assert "process_code" in refused(ValidationError, call(ANNA).deals.open_deal,
                                     {"title": "X", "partner_id": str(uuid.uuid4()), "process_code": "nope"}).details
    refused(ValidationError, call(ANNA).deals.open_deal, "not an object")
    assert "deal_id" in refused(ValidationError, call(ANNA).deals.get_deal, "not-a-uuid").details
    assert count_rows(deals_db, "deals") == deals_before

    deal = open_deal(call, process_code="manual")
    deals_before, outbox_before = count_rows(deals_db, "deals"), count_rows(deals_db, "outbox")
    offers_before, lines_before = count_rows(deals_db, "offers"), count_rows(deals_db, "offer_lines")
    error = refused(ValidationError, call(ANNA).deals.add_offer, deal["id"], {"lines": [
        {"product": "A", "quantity": 0, "price": "10"},
        {"product": "B", "quantity": 1, "price": "-1", "discount_percent": 150},
        {"quantity": 1, "price": "1"},
    ]})
    for field in ("lines.0.quantity", "lines.1.price", "lines.1.discount_percent"):
        assert field in error.details, (field, error.details)
    error = refused(ValidationError, call(ANNA).deals.add_offer, deal["id"], {"lines": [{"quantity": 1, "price": "1"}]})
    assert "lines.0.product" in error.details
    assert "lines" in refused(ValidationError, call(ANNA).deals.add_offer, deal["id"], {"lines": []}).details
    error = refused(ValidationError, call(ANNA).deals.issue_invoice, deal["id"],
                    {"number": "", "amount": "0", "issued_on": "2026-02-01", "due_date": "2026-01-01"})
    assert {"number", "amount", "due_date"} <= set(error.details)
    error = refused(ValidationError, call(ANNA).deals.update_deal, deal["id"], {"stage": "offer", "manager_id": "boris"})
    assert {"stage", "manager_id"} <= set(error.details)
    error = refused(ValidationError, call(ANNA).deals.add_task, deal["id"], {"due_date": "tomorrow"})
    assert {"title", "due_date"} <= set(error.details)
    assert (count_rows(deals_db, "deals"), count_rows(deals_db, "outbox")) == (deals_before, outbox_before)
    assert (count_rows(deals_db, "offers"), count_rows(deals_db, "offer_lines")) == (offers_before, lines_before)
    assert call(ANNA).deals.get_deal(deal["id"])["invoices"] == []

    error = refused(ValidationError, call(HEAD).deals.define_process, {
        "code": "Bad Code", "name": "", "mode": "strict",
        "stages": [{"code": "a", "name": "A", "probability": 50}, {"code": "a", "name": "B", "probability": 20,
                                                                   "preconditions": ["magic"]}],
    })
    for field in ("code", "name", "stages.1.code", "stages.1.probability", "stages.1.preconditions"):
        assert field in error.details, (field, error.details)
    refused(PermissionDenied, call(ANNA).deals.define_process, {"code": "mine", "name": "Mine", "mode": "none", "stages": []})
    refused(Conflict, call(HEAD).deals.define_process, {"code": "standard", "name": "Again", "mode": "none", "stages": []})


def test_row_level_access(call):
    partner = register_partner(call)
    deal = open_deal(call, partner_id=partner["id"], amount="1000")
    invoice = call(ANNA).deals.issue_invoice(deal["id"], {"number": f"R-{tag()}", "amount": "10", "due_date": "2030-01-01"})
    boris = call(BORIS).deals
    refused(NotFound, boris.get_deal, deal["id"])
    refused(NotFound, boris.update_deal, deal["id"], {"title": "mine now"})
    refused(NotFound, boris.move_to_stage, deal["id"], {"stage": "qualification"})
    refused(NotFound, boris.add_task, deal["id"], {"title": "peek", "due_date": "2026-12-01"})
    refused(NotFound, boris.record_payment, invoice["id"], {"amount": "1", "paid_on": "2026-11-01", "external_id": f"x-{tag()}"})
    assert deal["id"] not in [d["id"] for d in boris.list_deals({"partner_id": partner["id"]})["items"]]
    assert boris.card_section(partner["id"])["open_deals"] == []
    assert boris.list_invoices({"deal_id": deal["id"]})["items"] == []
    assert call(HEAD).deals.get_deal(deal["id"])["id"] == deal["id"]  # same department
    # Boris may not open a deal on a partner he may not see, whatever he names (NotFound, as for no partner).
    refused(NotFound, boris.open_deal, {"title": "Чужая", "partner_id": partner["id"], "manager_id": "anna", "region": "msk"})


def test_partners_merged_repoints_deals(call, listener):
    survivor = register_partner(call, name=f"Слияние {tag()}")
    merged = register_partner(call, name=f"Сливаемый {tag()}")
    deal = open_deal(call, partner_id=merged["id"], process_code="manual")
    invoice = call(ANNA).deals.issue_invoice(deal["id"], {"number": f"M-{tag()}", "amount": "10", "due_date": "2030-01-01"})
    call(ANNA).partners.merge({"survivor_id": survivor["id"], "merged_id": merged["id"]})
    repointed = eventually(lambda: (view := call(ANNA).deals.get_deal(deal["id"]))["partner_id"] == survivor["id"] and view,
                         what="the deal to name the survivor")
    assert repointed["invoices"][0]["id"] == invoice["id"] and repointed["invoices"][0]["partner_id"] == survivor["id"]
    assert [d["id"] for d in call(ANNA).deals.list_deals({"partner_id": survivor["id"]})["items"]] == [deal["id"]]
    assert call(ANNA).deals.list_deals({"partner_id": merged["id"]})["items"] == []


def test_card_section(call):
    partner = register_partner(call)
    deals = call(ANNA).deals
    won = open_deal(call, partner_id=partner["id"], process_code="manual", amount="300")
    deals.set_status(won["id"], {"status": "won"})
    lost = open_deal(call, partner_id=partner["id"], process_code="manual", amount="200")
    deals.set_status(lost["id"], {"status": "lost", "loss_reason": "price"})
    first = open_deal(call, partner_id=partner["id"], amount="1000", expected_close_date="2026-12-31")  # lead, 10%
    second = open_deal(call, partner_id=partner["id"], process_code="manual", amount="2000.50")
    deals.move_to_stage(second["id"], {"stage": "offer"})  # 50%
    parked = open_deal(call, partner_id=partner["id"], process_code="none", amount="5000")
    deals.set_status(parked["id"], {"status": "postponed"})
    late = deals.issue_invoice(second["id"], {"number": f"C1-{tag()}", "amount": "800", "issued_on": "2026-01-01",
                                              "due_date": "2026-01-15"})
    deals.record_payment(late["id"], {"amount": "100", "paid_on": "2026-01-10", "external_id": f"c-{tag()}"})
    deals.issue_invoice(second["id"], {"number": f"C2-{tag()}", "amount": "50", "due_date": "2030-01-01"})
    # (A deal of someone else's on this partner sits in the partner's region, msk: Anna sees it too,
    # so the card's row-level filter is checked in test_row_level_access instead.)

    section = deals.card_section(partner["id"])
    assert [d["id"] for d in section["open_deals"]] == [parked["id"], second["id"], first["id"]]
    shown = section["open_deals"][1]
    assert (shown["stage"], shown["stage_name"], shown["status"], shown["amount"], shown["currency"]) == (
        "offer", "Commercial offer", "in_progress", "2000.50", "RUB")
    assert section["open_deals"][2]["expected_close_date"] == "2026-12-31"
    assert [(d["id"], d["status"]) for d in section["recent_closed"]] == [(lost["id"], "lost"), (won["id"], "won")]
    assert section["recent_closed"][0]["loss_reason"] == "price" and section["recent_closed"][0]["closed_at"]
    assert section["pipeline_total"] == "3000.50"
    assert Decimal(section["pipeline_weighted"]) == Decimal("100.00") + Decimal("1000.25")
    assert section["invoices_owed"] == "750.00" and section["overdue_invoices"] == 1
    # The client's figures: since its first invoice (before the deal won today), one deal won, paid 100.
    assert (section["client_since"], section["deals_won"], section["average_deal"], section["total_paid"]) == (
        "2026-01-01", 1, "300.00", "100.00")
    empty = deals.card_section(str(uuid.uuid4()))
    assert (empty["client_since"], empty["deals_won"], empty["total_paid"]) == (None, 0, "0.00")
    assert empty["open_deals"] == [] and empty["pipeline_total"] == "0.00" and empty["overdue_invoices"] == 0
    assert "partner_id" in refused(ValidationError, deals.card_section, "nope").details


def test_open_lead_from_call_is_idempotent_per_call(call, listener, outbox):
    partner_id, call_id = register_partner(call, kinds=("prospect",))["id"], f"call-{tag()}"
    lead = call(PBX).deals.open_lead_from_call({"partner_id": partner_id, "call_id": call_id, "phone": "+74951234567",
                                                 "manager_id": "anna"})
    assert (lead["source"], lead["source_ref"], lead["stage"], lead["manager_id"]) == ("call", call_id, "lead", "anna")
    assert "+74951234567" in lead["title"]
    again = call(PBX).deals.open_lead_from_call({"partner_id": partner_id, "call_id": call_id, "manager_id": "anna"})
    assert again["id"] == lead["id"] and again["replayed"] is True
    assert call(ANNA).deals.get_deal(lead["id"])["id"] == lead["id"]  # Anna's lead
    other = call(PBX).deals.open_lead_from_call({"partner_id": partner_id, "call_id": f"call-{tag()}", "manager_id": "anna"})
    assert other["id"] != lead["id"]
    assert "call_id" in refused(ValidationError, call(PBX).deals.open_lead_from_call, {"partner_id": partner_id}).details
    opened = eventually(lambda: listener.heard("deal_opened", source_ref=call_id), what="deal_opened")
    assert [e["data"]["deal_id"] for e in opened] == [lead["id"]] and opened[0]["data"]["source"] == "call"
    assert [d["deal_id"] for d in outbox("deal_opened") if d["source_ref"] == call_id] == [lead["id"]]


def test_open_deal_request_id_makes_it_idempotent(call):
    request_id = str(uuid.uuid4())
    deal = {"title": "Повтор", "partner_id": register_partner(call)["id"], "region": "msk"}
    first = call(ANNA).deals.open_deal(deal, {"request_id": request_id})
    again = call(ANNA).deals.open_deal(deal, {"request_id": request_id})
    assert again["id"] == first["id"] and again["replayed"] is True


def test_list_deals_filters_and_keyset_pages(call):
    marker = tag()
    ids = [open_deal(call, title=f"Список {marker} {i}", process_code="manual")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        page = call(ANNA).deals.list_deals({"text": marker, "limit": 2, "cursor": cursor})
        seen += [d["id"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert call(ANNA).deals.list_deals({"text": marker, "process_code": "standard"})["items"] == []
    assert "limit" in refused(ValidationError, call(ANNA).deals.list_deals, {"limit": 501}).details
    assert "cursor" in refused(ValidationError, call(ANNA).deals.list_deals, {"cursor": "garbage"}).details


def test_forecast_weights_by_stage_and_groups_by_period(call):
    manager = f"fc-{tag()}"
    deals = call(ADMIN).deals
    common = {"manager_id": manager, "region": "msk", "partner_id": register_partner(call)["id"]}
    deals.open_deal({"title": "A", "amount": "1000", "expected_close_date": "2026-11-10", **common})
    deals.open_deal({"title": "B", "amount": "3000", "expected_close_date": "2026-12-20", **common})
    c = deals.open_deal({"title": "C", "amount": "2000", "expected_close_date": "2027-01-05",
                         "process_code": "manual", **common})
    deals.move_to_stage(c["id"], {"stage": "invoice"})  # 80%
    lost = deals.open_deal({"title": "D", "amount": "9999", "expected_close_date": "2026-11-10",
                            "process_code": "manual", **common})
    deals.set_status(lost["id"], {"status": "lost", "loss_reason": "timing"})

    quarterly = deals.forecast({"manager_id": manager, "period": "quarter"})
    assert [(r["period"], r["deals"], r["amount"], r["weighted"]) for r in quarterly["rows"]] == [
        ("2026-Q4", 2, "4000.00", "400.00"), ("2027-Q1", 1, "2000.00", "1600.00")]
    assert quarterly["total_weighted"] == "2000.00"
    monthly = deals.forecast({"manager_id": manager, "date_from": "2026-12-01", "date_to": "2026-12-31"})
    assert [(r["manager_id"], r["period"], r["weighted"]) for r in monthly["rows"]] == [(manager, "2026-12", "300.00")]
    assert "period" in refused(ValidationError, deals.forecast, {"period": "week"}).details
    assert "date_to" in refused(ValidationError, deals.forecast, {"date_from": "2026-12-01", "date_to": "2026-11-01"}).details
    assert call(BORIS).deals.forecast({"manager_id": manager})["rows"] == []


def test_deal_writes_name_only_partners_and_contacts_the_caller_may_see(call, deals_db):
    annas = register_partner(call, contacts=[{"full_name": "Пётр Аннин"}])
    contact = annas["contacts"][0]["id"]
    his = register_partner(call, BORIS, region="spb")
    his_deal = open_deal(call, BORIS, partner_id=his["id"], region="spb", process_code="manual")
    boris, nobody = call(BORIS).deals, str(uuid.uuid4())
    tables = ("deals", "supplier_orders", "outbox")
    before = [count_rows(deals_db, table) for table in tables]
    for partner_id in (annas["id"], nobody):  # hidden or absent: the same answer, nothing told
        error = refused(NotFound, boris.open_deal, {"title": "Чужая", "partner_id": partner_id})
        assert error.details == {"partner_id": partner_id} and "Аннин" not in error.message
        assert refused(NotFound, boris.add_supplier_order, his_deal["id"], {"supplier_id": partner_id}).details == {
            "supplier_id": partner_id}
        assert refused(NotFound, boris.set_status, his_deal["id"], {
            "status": "lost", "loss_reason": "competitor", "competitor_id": partner_id}).details == {"competitor_id": partner_id}
    assert refused(NotFound, boris.open_deal, {"title": "X", "partner_id": his["id"], "contact_id": contact}).details == {
        "contact_id": contact}
    assert refused(NotFound, boris.update_deal, his_deal["id"], {"contact_id": contact}).details == {"contact_id": contact}
    assert [count_rows(deals_db, table) for table in tables] == before
    assert boris.get_deal(his_deal["id"])["status"] == "in_progress"
    # Anna's own contact on another of her partners is not the deal's contact person.
    other = register_partner(call)
    assert "contact_id" in refused(ValidationError, call(ANNA).deals.open_deal,
                                   {"title": "X", "partner_id": other["id"], "contact_id": contact}).details
    # Honest callers are not affected.
    deal = open_deal(call, partner_id=annas["id"], contact_id=contact)
    assert (deal["partner_id"], deal["contact_id"], deal["region"]) == (annas["id"], contact, "msk")


def test_a_lead_for_a_call_is_opened_by_the_telephony_path_only(call, deals_db):
    partner, call_id = register_partner(call), f"call-not-yet-{tag()}"
    lead = {"partner_id": partner["id"], "call_id": call_id, "manager_id": "anna"}
    before = count_rows(deals_db, "deals")
    # Nobody may take the lead of a call the PBX has not made yet: not a manager, not an admin...
    for person in (ANNA, ADMIN):
        refused(PermissionDenied, call(person).deals.open_lead_from_call, lead)
    # ...nor by opening a deal with the call's source and id.
    error = refused(ValidationError, call(ANNA).deals.open_deal, {"title": "Моя", "partner_id": partner["id"],
                                                                  "source": "call", "source_ref": call_id})
    assert set(error.details) == {"source"}
    assert count_rows(deals_db, "deals") == before
    # When the call comes, its lead is the telephony path's, fresh.
    made = call(PBX).deals.open_lead_from_call(lead)
    assert (made["source_ref"], made["manager_id"], made.get("replayed")) == (call_id, "anna", None)
