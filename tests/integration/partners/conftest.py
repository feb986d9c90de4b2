"""The partners service in its own process on a fresh PostgreSQL database, with a listener
that records every partners event it hears (through the real outbox and broker)."""

from __future__ import annotations

import pytest

from crm_kit.actor import Actor
from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.support.listener import recording_listener, start_listener
from tests.support.platform import ServiceProcess

ADMIN = Actor("admin-1", roles=("admin",))
HEAD = Actor("head-1", roles=("head_of_sales",), department="north")
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
BORIS = Actor("boris", roles=("manager",), regions=("spb",), department="south")

LISTENER = recording_listener(
    "listener", "partners",
    ("partner_registered", "partner_updated", "partners_merged", "partner_reassigned", "agreement_approved"),
)


@pytest.fixture(scope="package")
def partners_env(infra):
    url = infra.service_database("crm_test_partners", service="partners")
    declare({"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False}, [service_class("partners"), LISTENER])
    return {"AMQP_URI": infra.amqp_uri, "PARTNERS_DATABASE_URL": url}


@pytest.fixture(scope="package")
def partners_service(partners_env):
    service = ServiceProcess("partners", partners_env).start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def listener(infra, partners_env):
    listener = start_listener(LISTENER, partners_env, infra)
    yield listener
    listener.stop_soon()


@pytest.fixture
def called_services(partners_service):
    return partners_service
