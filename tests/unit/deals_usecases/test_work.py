"""The work inside a deal: its plan of tasks, documents and supplier orders."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import NotFound, ValidationError
from services.deals.models import SupplierOrder
from services.deals.usecases import stages, work
from tests.support.usecases import count
from tests.unit.deals_usecases.conftest import ANNA, BORIS, day


def test_tasks_default_to_the_deals_manager_and_complete_once(uow_for, open_deal):
    deal = open_deal()
    adding = uow_for(ANNA)
    task = work.add_task(adding, ANNA, deal["id"], {"title": " Позвонить ", "due_date": day(2)})
    assert (task["title"], task["responsible_id"], task["done"], task["kind"]) == ("Позвонить", "anna", False, "work")
    assert [kind for kind, _ in adding.events] == ["task_added"]

    first, again = uow_for(ANNA), uow_for(ANNA)
    done = work.complete_task(first, ANNA, task["id"])
    repeated = work.complete_task(again, ANNA, task["id"])

    assert done["done"] and done["done_at"] and repeated["done_at"] == done["done_at"]
    assert [kind for kind, _ in first.events] == ["task_completed"] and again.events == []


def test_a_won_or_lost_deal_still_takes_tasks(uow_for, open_deal):
    deal = open_deal()
    stages.set_status(uow_for(ANNA), ANNA, deal["id"], {"status": "lost", "loss_reason": "price"})
    assert work.add_task(uow_for(ANNA), ANNA, deal["id"], {"title": "Разбор", "due_date": day(1)})["title"] == "Разбор"


def test_a_task_needs_a_title_and_a_day(uow_for, open_deal):
    deal = open_deal()
    with pytest.raises(ValidationError) as refused:
        work.add_task(uow_for(ANNA), ANNA, deal["id"], {"title": ""})
    assert {"title", "due_date"} <= set(refused.value.details)


def test_documents_need_a_number_or_a_link_and_supplier_orders_take_the_deals_currency(uow_for, open_deal, partners):
    deal = open_deal(currency="EUR")
    with pytest.raises(ValidationError) as refused:
        work.add_document(uow_for(ANNA), ANNA, deal["id"], {"kind": "contract"})
    assert "number" in refused.value.details
    document = work.add_document(uow_for(ANNA), ANNA, deal["id"], {"kind": "contract", "number": "Д-17"})
    assert (document["kind"], document["number"]) == ("contract", "Д-17")
    supplier = partners.add_partner("Postavshchik", kinds=("supplier",), region="msk")["id"]
    uow = uow_for(ANNA)
    order = work.add_supplier_order(uow, ANNA, deal["id"], {"supplier_id": supplier, "amount": "1500.5"}, partners=partners)
    assert (order["supplier_id"], order["amount"], order["currency"], order["status"]) == (supplier, "1500.50", "EUR", "placed")
    assert [(kind, data["supplier_id"]) for kind, data in uow.events] == [("supplier_order_added", supplier)]


def test_another_managers_deal_takes_no_work_from_him(uow_for, open_deal):
    deal = open_deal()
    with pytest.raises(NotFound):
        work.add_task(uow_for(BORIS), BORIS, deal["id"], {"title": "Чужое", "due_date": day(1)})


def test_a_supplier_the_caller_may_not_see_or_that_does_not_exist_is_not_found(session, uow_for, open_deal, partners, borises):
    deal = open_deal()
    for unseen in (borises["id"], str(uuid.uuid4())):
        uow = uow_for(ANNA)
        with pytest.raises(NotFound) as refused:
            work.add_supplier_order(uow, ANNA, deal["id"], {"supplier_id": unseen, "amount": "10"}, partners=partners)
        assert refused.value.details == {"supplier_id": unseen} and uow.events == []
    assert count(session, SupplierOrder) == 0
