"""The partners service in its own process on a fresh PostgreSQL database, with a listener
service that records every partners event it hears (through the real outbox and broker)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from crm_kit.actor import Actor
from crm_ops.migrations import upgrade
from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.integration.partners.listener_service import ListenerService, metadata
from tests.support.platform import ServiceProcess, rpc_proxy

ADMIN = Actor("admin-1", roles=("admin",))
HEAD = Actor("head-1", roles=("head_of_sales",), department="north")
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
BORIS = Actor("boris", roles=("manager",), regions=("spb",), department="south")


@pytest.fixture(scope="package")
def partners_env(infra):
    url = infra.database("crm_test_partners")
    upgrade("partners", url.replace("postgresql://", "postgresql+psycopg2://"))
    listener_url = infra.database("crm_test_listener")
    engine = create_engine(listener_url.replace("postgresql://", "postgresql+psycopg2://"))
    metadata.create_all(engine)
    engine.dispose()
    declare({"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False}, [service_class("partners"), ListenerService])
    return {
        "AMQP_URI": infra.amqp_uri,
        "PARTNERS_DATABASE_URL": url,
        "LISTENER_DATABASE_URL": listener_url,
        "OUTBOX_INTERVAL_S": "0.5",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="package")
def partners_service(partners_env):
    service = ServiceProcess("partners", partners_env)
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="package")
def listener(partners_env):
    service = ServiceProcess("tests.integration.partners.listener_service:ListenerService", partners_env, name="listener")
    service.start()
    yield service
    service.stop()


@pytest.fixture
def call(partners_service, infra):
    """``call(actor).partners.<method>(...)``: an RPC proxy acting as ``actor``."""
    proxies = []

    def as_actor(actor: Actor):
        manager = rpc_proxy(infra.amqp_uri, actor)
        proxy = manager.__enter__()
        proxies.append(manager)
        return proxy

    yield as_actor
    for manager in proxies:
        manager.__exit__(None, None, None)
