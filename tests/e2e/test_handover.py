"""Handover end to end through the gateway: a manager's client base handed to another moves the
work in progress with it (open deals with their open tasks, planned interactions), closed deals
keep who did them, the history says who handed over what; a deal reassigned on its own by a head
of sales; a deal's region and department are its partner's."""

from __future__ import annotations

import uuid

import grpc
import pytest
from crm.v1 import deals_pb2, interactions_pb2, partners_pb2

from tests.e2e.conftest import ADMIN, auth, token
from tests.e2e.test_deals import day, field_violations, refused
from tests.e2e.test_interactions import hours_from_now
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def people():
    """Managers of their own (a handover moves a whole base: no other test's partners with it)."""
    tag = uuid.uuid4().hex[:6]
    mila, oleg = f"mila-{tag}", f"oleg-{tag}"
    return (mila, auth(token(mila, ("manager",), ("kzn",), "east")),
            oleg, auth(token(oleg, ("manager",), ("nsk",), "east")),
            auth(token(f"head-{tag}", ("head_of_sales",), (), "east")))


def register(partners, metadata, region="ekb") -> partners_pb2.Partner:
    return partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(
        partner=partners_pb2.Partner(kinds=["client"], legal_form="legal_entity",
                                     short_name=f"Передача {uuid.uuid4().hex[:6]}", region=region),
        duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP,
    ), metadata=metadata).partner


def open_deal(deals, partner_id: str, metadata, **fields) -> deals_pb2.Deal:
    return deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
        title=f"Сделка {uuid.uuid4().hex[:6]}", partner_id=partner_id, process_code="manual", **fields)),
        metadata=metadata)


def test_a_handed_over_base_takes_its_work_in_progress(partners, deals, interactions):
    mila, as_mila, oleg, as_oleg, _ = people()
    partner = register(partners, as_mila)
    deal = open_deal(deals, partner.id, as_mila)
    task = deals.AddTask(deals_pb2.AddTaskRequest(deal_id=deal.id, task=deals_pb2.Task(title="Позвонить", due_date=day(2))),
                         metadata=as_mila)
    won = open_deal(deals, partner.id, as_mila)
    deals.SetDealStatus(deals_pb2.SetDealStatusRequest(deal_id=won.id, status="won"), metadata=as_mila)
    meeting = interactions.Register(interactions_pb2.RegisterInteractionRequest(interaction=interactions_pb2.Interaction(
        kind="meeting", subject_kind="partner", subject_id=partner.id, planned_at=hours_from_now(24), place="Офис", region="ekb",
    )), metadata=as_mila)
    refused(lambda: deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=as_oleg), grpc.StatusCode.NOT_FOUND)

    handover = partners.HandOverClients(partners_pb2.HandOverClientsRequest(
        from_manager_id=mila, to_manager_id=oleg, reason="увольнение"), metadata=ADMIN)
    assert list(handover.partner_ids) == [partner.id]

    def moved():
        found = deals.ListDeals(deals_pb2.ListDealsRequest(manager_id=oleg), metadata=as_oleg).deals
        return [d.id for d in found] == [deal.id]

    eventually(moved, what="the open deal to be the new manager's")
    now = deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=as_oleg)
    assert now.manager_id == oleg and [(t.id, t.responsible_id) for t in now.tasks] == [(task.id, oleg)]
    [history] = now.assignments
    assert (history.previous_manager_id, history.manager_id, history.handover_id, history.reason, history.changed_by,
            history.tasks_moved) == (mila, oleg, handover.handover_id, "увольнение", "admin-1", 1)
    assert history.changed_at.seconds > 0
    # The old manager no longer sees it (not hers, not in her regions); the won deal stays hers.
    refused(lambda: deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=as_mila), grpc.StatusCode.NOT_FOUND)
    assert deals.GetDeal(deals_pb2.GetDealRequest(deal_id=won.id), metadata=as_mila).manager_id == mila
    # The new one changes it at once.
    deals.UpdateDeal(deals_pb2.UpdateDealRequest(deal_id=deal.id, deal=deals_pb2.Deal(title="Теперь Олега"),
                                                 update_mask={"paths": ["title"]}), metadata=as_oleg)
    got = eventually(lambda: (m := interactions.Get(interactions_pb2.GetInteractionRequest(interaction_id=meeting.id),
                                                    metadata=ADMIN)).responsible_id == oleg and m,
                     what="the planned meeting to be the new manager's")
    assert got.status == "planned"
    assert interactions.Get(interactions_pb2.GetInteractionRequest(interaction_id=meeting.id),
                            metadata=as_oleg).id == meeting.id


def test_a_deal_is_reassigned_on_its_own_by_a_head_of_sales(partners, deals):
    mila, as_mila, oleg, _, as_head = people()
    partner = register(partners, as_mila)
    deal = open_deal(deals, partner.id, as_mila)
    task = deals.AddTask(deals_pb2.AddTaskRequest(deal_id=deal.id, task=deals_pb2.Task(title="КП", due_date=day(1))),
                         metadata=as_mila)

    def reassign(metadata, reason="отпуск", manager_id=oleg):
        return deals.ReassignDeal(deals_pb2.ReassignDealRequest(deal_id=deal.id, manager_id=manager_id, reason=reason),
                                  metadata=metadata)

    refused(lambda: reassign(as_mila), grpc.StatusCode.PERMISSION_DENIED)
    assert "reason" in field_violations(refused(lambda: reassign(as_head, reason=""), grpc.StatusCode.INVALID_ARGUMENT))
    refused(lambda: reassign(as_head, manager_id=mila), grpc.StatusCode.FAILED_PRECONDITION)

    done = reassign(as_head)

    assert done.manager_id == oleg and [(t.id, t.responsible_id) for t in done.tasks] == [(task.id, oleg)]
    assert [(a.previous_manager_id, a.manager_id, a.reason, a.handover_id) for a in done.assignments] == [
        (mila, oleg, "отпуск", "")]
    assert (done.region, done.department) == ("ekb", "east")
    refused(lambda: deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=as_mila), grpc.StatusCode.NOT_FOUND)
    again = deals.ReassignDeal(deals_pb2.ReassignDealRequest(deal_id=deal.id, manager_id=mila, reason="вернулась"),
                               metadata=ADMIN)
    assert [a.manager_id for a in again.assignments] == [oleg, mila]


def test_a_deal_sits_where_its_partner_sits(partners, deals):
    mila, as_mila, oleg, as_oleg, _ = people()
    partner = register(partners, as_mila)
    deal = open_deal(deals, partner.id, as_mila, region="spb", department="south")
    assert (deal.region, deal.department, deal.manager_id) == ("ekb", "east", mila)
    # The partner moves to Oleg's region: its deals follow, so Oleg sees them as he sees the partner.
    partners.UpdatePartner(partners_pb2.UpdatePartnerRequest(
        partner_id=partner.id, partner=partners_pb2.Partner(region="nsk"), update_mask={"paths": ["region"]},
    ), metadata=as_mila)
    followed = eventually(
        lambda: (d := deals.GetDeal(deals_pb2.GetDealRequest(deal_id=deal.id), metadata=as_oleg)).region == "nsk" and d,
        what="the deal to follow its partner's region", ignoring=(grpc.RpcError,))
    assert followed.manager_id == mila and followed.department == "east"
