"""Idempotency keys on the deals service's creating RPCs, against its own process and
PostgreSQL: a retry with the same request_id answers the first reply and writes nothing again,
also when it races the first call (crm_kit.idempotency)."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import ValidationError
from tests.integration.deals.conftest import ANNA, BORIS
from tests.integration.deals.test_deals import count_rows, open_deal, tag

pytestmark = pytest.mark.integration


def key() -> str:
    return str(uuid.uuid4())


def rows_where(deals_db, table: str, column: str, value: str) -> int:
    from sqlalchemy import text

    with deals_db.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :value"), {"value": value}).scalar_one()


def test_a_retried_invoice_and_payment_write_once(call, deals_db):
    deal = open_deal(call, process_code="manual")
    deals = call(ANNA).deals
    invoice_key, payment_key = key(), key()
    invoice_in = {"number": f"I-{tag()}", "amount": "1000", "due_date": "2030-01-01"}
    invoice = deals.issue_invoice(deal["id"], invoice_in, request_id=invoice_key)
    again = deals.issue_invoice(deal["id"], invoice_in, request_id=invoice_key)
    assert again == {**invoice, "replayed": True}
    assert rows_where(deals_db, "invoices", "deal_id", deal["id"]) == 1

    payment_in = {"amount": "400", "paid_on": "2026-11-01", "external_id": f"bank-{tag()}"}
    paid = deals.record_payment(invoice["id"], payment_in, request_id=payment_key)
    retried = deals.record_payment(invoice["id"], payment_in, request_id=payment_key)
    assert retried["balance"] == paid["balance"] == "600.00" and retried["replayed"] is True
    assert rows_where(deals_db, "payments", "invoice_id", invoice["id"]) == 1
    # The key of that payment for another payment: refused, nothing paid.
    with pytest.raises(ValidationError) as refused:
        deals.record_payment(invoice["id"], {**payment_in, "external_id": f"bank-{tag()}"}, request_id=payment_key)
    assert "request_id" in refused.value.details
    assert rows_where(deals_db, "payments", "invoice_id", invoice["id"]) == 1


def test_a_retry_racing_the_first_call_gets_its_answer(call, deals_db):
    deal = open_deal(call, process_code="manual")
    deals = call(ANNA).deals
    same = key()
    task = {"title": f"Позвонить {tag()}", "due_date": "2030-01-01"}
    pending = [deals.add_task.call_async(deal["id"], task, request_id=same) for _ in range(4)]
    answers = [reply.result() for reply in pending]
    assert len({answer["id"] for answer in answers}) == 1
    assert sum(1 for answer in answers if not answer.get("replayed")) == 1
    assert rows_where(deals_db, "tasks", "deal_id", deal["id"]) == 1


def test_the_same_key_for_another_request_is_refused_and_writes_nothing(call, deals_db):
    deal = open_deal(call, process_code="manual")
    deals = call(ANNA).deals
    same = key()
    deals.add_document(deal["id"], {"kind": "contract", "number": f"C-{tag()}"}, request_id=same)
    before = count_rows(deals_db, "outbox"), rows_where(deals_db, "documents", "deal_id", deal["id"])
    with pytest.raises(ValidationError) as refused:
        deals.add_document(deal["id"], {"kind": "contract", "number": f"D-{tag()}"}, request_id=same)
    assert "request_id" in refused.value.details
    assert (count_rows(deals_db, "outbox"), rows_where(deals_db, "documents", "deal_id", deal["id"])) == before


def test_keys_are_each_callers_own(call, deals_db):
    same = key()
    mine = open_deal(call, process_code="manual")
    theirs = open_deal(call, actor=BORIS, process_code="manual", region="spb")
    task = {"title": "Одно и то же", "due_date": "2030-01-01"}
    first = call(ANNA).deals.add_task(mine["id"], task, request_id=same)
    second = call(BORIS).deals.add_task(theirs["id"], task, request_id=same)
    assert first["id"] != second["id"] and "replayed" not in second
