"""The interactions service in its own process on a fresh PostgreSQL database, the partners
service it asks about phone numbers and hears merges from (its own process and database too),
and a listener that records every interactions event it hears (through the real outbox and
broker).

Package-scoped, like the partners and deals packages: the services of one package are stopped
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
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
BORIS = Actor("boris", roles=("manager",), regions=("spb",), department="south")

LISTENER = recording_listener("interactions_listener", "interactions", (
    "interaction_registered", "interaction_completed", "interaction_updated", "reminder_due", "participants_linked",
    "call_registered", "call_missed", "task_completed",
))


@pytest.fixture(scope="package")
def interactions_env(infra):
    interactions_url = infra.service_database("crm_test_interactions", service="interactions")
    partners_url = infra.service_database("crm_test_interactions_partners", service="partners")
    deals_url = infra.service_database("crm_test_interactions_deals", service="deals")
    declare(
        {"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False},
        [service_class("partners"), service_class("deals"), service_class("interactions"), LISTENER],
    )
    return {
        "AMQP_URI": infra.amqp_uri,
        "INTERACTIONS_DATABASE_URL": interactions_url,
        "PARTNERS_DATABASE_URL": partners_url,
        "DEALS_DATABASE_URL": deals_url,
        # The reminder scan runs when a test asks (run_reminder_scan), not on its own.
        "INTERACTIONS_REMINDER_SCAN_S": "3600",
        "INTERACTIONS_PARTNERS_TIMEOUT_S": "3",
        "INTERACTIONS_CALL_FOLLOW_UP_S": "1",
        "INTERACTIONS_CALL_BATCH_WAIT_MS": "20",
    }


@pytest.fixture(scope="package")
def partners_service(interactions_env):
    service = ServiceProcess("partners", interactions_env, name="interactions-partners").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def deals_service(interactions_env):
    service = ServiceProcess("deals", interactions_env, name="interactions-deals").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def interactions_service(interactions_env, partners_service):
    service = ServiceProcess("interactions", interactions_env).start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def listener(infra, interactions_env):
    listener = start_listener(LISTENER, interactions_env, infra)
    yield listener
    listener.stop_soon()


@pytest.fixture
def called_services(interactions_service):
    return interactions_service


@pytest.fixture(scope="package")
def interactions_db(interactions_env):
    """The interactions database, read directly: to prove that a refused call wrote nothing and
    that an event was written to the outbox once."""
    engine = create_engine(sqlalchemy_url(interactions_env["INTERACTIONS_DATABASE_URL"]))
    yield engine
    engine.dispose()


@pytest.fixture
def outbox(interactions_db):
    """``outbox(event_type)``: the event data the interactions service wrote to its outbox."""
    return outbox_reader(interactions_db)
