"""The deals service in its own process on a fresh PostgreSQL database, the partners service it
asks about partners and agreements (its own process and database too), and a listener service
that records every deals event it hears (through the real outbox and broker).

Package-scoped, like the partners and e2e packages: the services of one package are stopped
before the next package starts its own on the same vhost."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from crm_kit.actor import Actor
from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.integration.deals.listener_service import DealsListenerService, metadata
from tests.support.platform import ServiceProcess, rpc_proxy, sqlalchemy_url

ADMIN = Actor("admin-1", roles=("admin",))
HEAD = Actor("head-1", roles=("head_of_sales",), department="north")
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
BORIS = Actor("boris", roles=("manager",), regions=("spb",), department="south")
PBX = Actor("interactions", roles=("service",))


@pytest.fixture(scope="package")
def deals_env(infra):
    deals_url = infra.service_database("crm_test_deals", service="deals")
    partners_url = infra.service_database("crm_test_deals_partners", service="partners")
    listener_url = infra.service_database("crm_test_deals_listener", metadata=metadata)
    declare(
        {"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False},
        [service_class("partners"), service_class("deals"), DealsListenerService],
    )
    return {
        "AMQP_URI": infra.amqp_uri,
        "DEALS_DATABASE_URL": deals_url,
        "PARTNERS_DATABASE_URL": partners_url,
        "DEALS_LISTENER_DATABASE_URL": listener_url,
        "OUTBOX_INTERVAL_S": "0.5",
        # The scans run when a test asks (run_overdue_scan, run_stuck_scan), not on their own.
        "DEALS_OVERDUE_SCAN_S": "3600",
        "DEALS_STUCK_SCAN_S": "3600",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="package")
def partners_service(deals_env):
    service = ServiceProcess("partners", deals_env, name="deals-partners")
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def deals_service(deals_env, partners_service):
    service = ServiceProcess("deals", deals_env)
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def listener(deals_env):
    service = ServiceProcess(
        "tests.integration.deals.listener_service:DealsListenerService", deals_env, name="deals_listener"
    )
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def deals_db(deals_env):
    """The deals database, read directly: to prove that a refused call wrote nothing and that an
    event was written to the outbox once."""
    engine = create_engine(sqlalchemy_url(deals_env["DEALS_DATABASE_URL"]))
    yield engine
    engine.dispose()


@pytest.fixture
def call(deals_service, infra):
    """``call(actor).deals.<method>(...)`` (or ``.partners``, ``.deals_listener``): an RPC proxy
    acting as ``actor``."""
    proxies = []

    def as_actor(actor: Actor):
        manager = rpc_proxy(infra.amqp_uri, actor)
        proxy = manager.__enter__()
        proxies.append(manager)
        return proxy

    yield as_actor
    for manager in proxies:
        manager.__exit__(None, None, None)


@pytest.fixture
def outbox(deals_db):
    """``outbox(event_type)``: the event data the deals service wrote to its outbox."""

    def read(event_type: str) -> list[dict]:
        with deals_db.connect() as conn:
            rows = conn.execute(text("SELECT payload FROM outbox WHERE event_type = :t ORDER BY id"), {"t": event_type})
            return [json.loads(row.payload)["data"] for row in rows]

    return read
