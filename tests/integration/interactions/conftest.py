"""The interactions service in its own process on a fresh PostgreSQL database, the partners
service it asks about phone numbers and hears merges from (its own process and database too),
and a listener service that records every interactions event it hears (through the real outbox
and broker).

Package-scoped, like the partners and deals packages: the services of one package are stopped
before the next package starts its own on the same vhost."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from crm_kit.actor import Actor
from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.integration.interactions.listener_service import InteractionsListenerService, metadata
from tests.support.platform import ServiceProcess, rpc_proxy, sqlalchemy_url

ADMIN = Actor("admin-1", roles=("admin",))
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
BORIS = Actor("boris", roles=("manager",), regions=("spb",), department="south")


@pytest.fixture(scope="package")
def interactions_env(infra):
    interactions_url = infra.service_database("crm_test_interactions", service="interactions")
    partners_url = infra.service_database("crm_test_interactions_partners", service="partners")
    deals_url = infra.service_database("crm_test_interactions_deals", service="deals")
    listener_url = infra.service_database("crm_test_interactions_listener", metadata=metadata)
    declare(
        {"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False},
        [service_class("partners"), service_class("deals"), service_class("interactions"), InteractionsListenerService],
    )
    return {
        "AMQP_URI": infra.amqp_uri,
        "INTERACTIONS_DATABASE_URL": interactions_url,
        "PARTNERS_DATABASE_URL": partners_url,
        "DEALS_DATABASE_URL": deals_url,
        "INTERACTIONS_LISTENER_DATABASE_URL": listener_url,
        "OUTBOX_INTERVAL_S": "0.5",
        # The reminder scan runs when a test asks (run_reminder_scan), not on its own.
        "INTERACTIONS_REMINDER_SCAN_S": "3600",
        "INTERACTIONS_PARTNERS_TIMEOUT_S": "3",
        "INTERACTIONS_CALL_FOLLOW_UP_S": "1",
        "INTERACTIONS_CALL_BATCH_WAIT_MS": "20",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="package")
def partners_service(interactions_env):
    service = ServiceProcess("partners", interactions_env, name="interactions-partners")
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def deals_service(interactions_env):
    service = ServiceProcess("deals", interactions_env, name="interactions-deals")
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def interactions_service(interactions_env, partners_service):
    service = ServiceProcess("interactions", interactions_env)
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def listener(interactions_env):
    service = ServiceProcess(
        "tests.integration.interactions.listener_service:InteractionsListenerService", interactions_env,
        name="interactions_listener",
    )
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def interactions_db(interactions_env):
    """The interactions database, read directly: to prove that a refused call wrote nothing and
    that an event was written to the outbox once."""
    engine = create_engine(sqlalchemy_url(interactions_env["INTERACTIONS_DATABASE_URL"]))
    yield engine
    engine.dispose()


@pytest.fixture
def call(interactions_service, infra):
    """``call(actor).interactions.<method>(...)`` (or ``.partners``, ``.interactions_listener``):
    an RPC proxy acting as ``actor``."""
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
def outbox(interactions_db):
    """``outbox(event_type)``: the event data the interactions service wrote to its outbox."""

    def read(event_type: str) -> list[dict]:
        with interactions_db.connect() as conn:
            rows = conn.execute(text("SELECT payload FROM outbox WHERE event_type = :t ORDER BY id"), {"t": event_type})
            return [json.loads(row.payload)["data"] for row in rows]

    return read
