"""Interactions starting after deals already has open deals: it learns them from deals' replay
(crm_kit.replay, ``deal_snapshot``), so a call from a client whose only open deal was opened
before is linked to that deal, and a deal won before is not counted open."""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy import create_engine, text

from crm_kit.actor import Actor
from crm_kit.errors import NotFound
from crm_ops.registry import service_class
from crm_ops.topology import declare
from telephony.publisher import CallEventPublisher
from tests.support.pbx import PbxCall
from tests.support.platform import ServiceProcess, rpc_proxy, sqlalchemy_url
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
ADMIN = Actor("admin-1", roles=("admin",))


@pytest.fixture(scope="module")
def env(infra):
    urls = {service: infra.service_database(f"crm_test_late_{service}", service=service)
            for service in ("partners", "deals", "interactions")}
    declare({"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False},
            [service_class("partners"), service_class("deals"), service_class("interactions")])
    return {"AMQP_URI": infra.amqp_uri, **{f"{s.upper()}_DATABASE_URL": url for s, url in urls.items()},
            "OUTBOX_INTERVAL_S": "0.5", "INTERACTIONS_REMINDER_SCAN_S": "3600", "INTERACTIONS_CALL_BATCH_WAIT_MS": "20",
            "LOG_LEVEL": "WARNING"}


def test_interactions_started_late_links_calls_to_deals_opened_before(env, infra):
    processes = [ServiceProcess(s, env, name=f"late-{s}") for s in ("partners", "deals")]
    late = ServiceProcess("interactions", env, name="late-interactions")
    try:
        for process in processes:
            process.start()
        number = "+7916" + "".join(random.choice("0123456789") for _ in range(7))
        with rpc_proxy(infra.amqp_uri, ANNA, timeout=30) as rpc:
            partner = rpc.partners.register({
                "kinds": ["client"], "legal_form": "legal_entity", "short_name": f"Давний {uuid.uuid4().hex[:6]}",
                "region": "msk", "phones": [{"number": number}]}, {"duplicate_policy": "skip"})["partner"]
            won = rpc.deals.open_deal({"title": "Выиграна", "partner_id": partner["id"], "process_code": "manual"})
            rpc.deals.set_status(won["id"], {"status": "won"})
            only = rpc.deals.open_deal({"title": "Открыта до", "partner_id": partner["id"]})

        late.start()  # first start on its database: asks deals for a replay
        engine = create_engine(sqlalchemy_url(env["INTERACTIONS_DATABASE_URL"]))
        try:
            def known() -> dict:
                with engine.connect() as conn:
                    rows = conn.execute(text("SELECT deal_id, open FROM followed_deals WHERE partner_id = :p"),
                                        {"p": partner["id"]}).all()
                return {str(deal_id): is_open for deal_id, is_open in rows}

            eventually(lambda: len(known()) == 2, timeout=60, what="the deals replayed to interactions")
            assert known() == {won["id"]: False, only["id"]: True}
        finally:
            engine.dispose()

        call = PbxCall(number, extension="199")
        with CallEventPublisher(infra.amqp_uri) as publisher:
            publisher.publish_many(call.talked())
        with rpc_proxy(infra.amqp_uri, ADMIN, timeout=30) as rpc:
            view = eventually(lambda: (v := rpc.interactions.get_call(call.call_id))["call_state"] == "ended" and v,
                              timeout=30, what="the call", ignoring=(NotFound,))
        assert (view["subject_kind"], view["subject_id"], view["partner_id"]) == ("deal", only["id"], partner["id"])
    finally:
        late.stop()
        for process in reversed(processes):
            process.stop()
