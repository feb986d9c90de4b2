"""The deals service in its own process on a fresh PostgreSQL database, the partners service it
asks about partners and agreements (its own process and database too), and a listener that
records every deals event it hears (through the real outbox and broker).

Package-scoped, like the partners and e2e packages: the services of one package are stopped
before the next package starts its own on the same vhost."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from crm_kit.actor import Actor
from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.support.listener import outbox_reader, recording_listener, start_listener
from tests.support.platform import ServiceProcess, sqlalchemy_url

ADMIN = Actor("admin-1", roles=("admin",))
HEAD = Actor("head-1", roles=("head_of_sales",), department="north")
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
BORIS = Actor("boris", roles=("manager",), regions=("spb",), department="south")
PBX = Actor("interactions", roles=("service",))

LISTENER = recording_listener("deals_listener", "deals", (
    "deal_opened", "deal_stage_changed", "deal_won", "deal_lost", "offer_accepted", "invoice_issued",
    "payment_received", "invoice_overdue", "deal_stuck", "task_added",
))


@pytest.fixture(scope="package")
def deals_env(infra):
    deals_url = infra.service_database("crm_test_deals", service="deals")
    partners_url = infra.service_database("crm_test_deals_partners", service="partners")
    declare(
        {"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False},
        [service_class("partners"), service_class("deals"), LISTENER],
    )
    return {
        "AMQP_URI": infra.amqp_uri,
        "DEALS_DATABASE_URL": deals_url,
        "PARTNERS_DATABASE_URL": partners_url,
        # The scans run when a test asks (run_overdue_scan, run_stuck_scan), not on their own.
        "DEALS_OVERDUE_SCAN_S": "3600",
        "DEALS_STUCK_SCAN_S": "3600",
    }


@pytest.fixture(scope="package")
def partners_service(deals_env):
    service = ServiceProcess("partners", deals_env, name="deals-partners").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def deals_service(deals_env, partners_service):
    service = ServiceProcess("deals", deals_env).start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def listener(infra, deals_env):
    listener = start_listener(LISTENER, deals_env, infra)
    yield listener
    listener.stop_soon()


@pytest.fixture
def called_services(deals_service):
    return deals_service


@pytest.fixture(scope="package")
def deals_db(deals_env):
    """The deals database, read directly: to prove that a refused call wrote nothing and that an
    event was written to the outbox once."""
    engine = create_engine(sqlalchemy_url(deals_env["DEALS_DATABASE_URL"]))
    yield engine
    engine.dispose()


@pytest.fixture
def outbox(deals_db):
    """``outbox(event_type)``: the event data the deals service wrote to its outbox."""

    return outbox_reader(deals_db)
