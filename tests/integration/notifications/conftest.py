"""The notifications service in its own process on a fresh PostgreSQL database, sending to a
real SMTP server (aiosmtpd) on loopback that the tests stop and start. The events it acts on
are published to the producers' exchanges as their outboxes publish them (envelope and
headers), so that no partners or deals process is needed to raise them."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import create_engine

from crm_kit.actor import SYSTEM, Actor
from crm_kit.contracts import EventContract
from crm_kit.db import event_envelope
from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.support.listener import outbox_reader
from tests.support.platform import ServiceProcess, publish_event, rpc_proxy, sqlalchemy_url
from tests.support.smtp import SmtpServer

ADMIN = Actor("admin-1", roles=("admin",))
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")


@pytest.fixture(scope="package")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def notifications_env(infra, smtp_server):
    url = infra.service_database("crm_test_notifications", service="notifications")
    partners_url = infra.service_database("crm_test_notifications_partners", service="partners")
    declare({"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False}, [service_class("partners"), service_class("notifications")])
    return {
        "AMQP_URI": infra.amqp_uri,
        "NOTIFICATIONS_DATABASE_URL": url,
        "PARTNERS_DATABASE_URL": partners_url,
        "NOTIFICATIONS_SMTP_PORT": str(smtp_server.port),
        "NOTIFICATIONS_SEND_INTERVAL_S": "0.1",
        "NOTIFICATIONS_RETRY_BASE_S": "0.2",
        "NOTIFICATIONS_RETRY_MAX_S": "0.5",
        "NOTIFICATIONS_MAX_ATTEMPTS": "3",
        "NOTIFICATIONS_MAILING_INTERVAL_S": "0.1",
        "NOTIFICATIONS_MAILING_CHUNK": "2",
        "NOTIFICATIONS_MAILING_CHUNKS_PER_TICK": "1",
    }


@pytest.fixture(scope="package")
def partners_service(notifications_env):
    service = ServiceProcess("partners", notifications_env, name="notifications-partners").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def partner_before_notifications(infra, partners_service) -> dict:
    """A client registered at the partners service before notifications ever ran, with an
    accountant: the notifications service learns of it from the partners service's replay."""
    partner = {
        "kinds": ["client"],
        "legal_form": "legal_entity",
        "short_name": f"Давний клиент {uuid.uuid4().hex[:6]}",
        "region": "msk",
        "emails": [{"address": "office@old-client.example", "kind": "work"}],
        "contacts": [
            {"full_name": "Ольга Счетоводова", "roles": ["accountant"], "emails": [{"address": "olga@old-client.example", "kind": "work"}]}
        ],
    }
    with rpc_proxy(infra.amqp_uri, ANNA) as rpc:
        return rpc.partners.register(partner, {"duplicate_policy": "skip"})["partner"]


@pytest.fixture(scope="package")
def notifications_service(notifications_env, partner_before_notifications):
    service = ServiceProcess("notifications", notifications_env).start()
    yield service
    service.stop_soon()


@pytest.fixture
def called_services(notifications_service):
    return notifications_service


@pytest.fixture(scope="package")
def notifications_db(notifications_env):
    engine = create_engine(sqlalchemy_url(notifications_env["NOTIFICATIONS_DATABASE_URL"]))
    yield engine
    engine.dispose()


@pytest.fixture
def outbox(notifications_db):
    """``outbox(event_type)``: the event data the notifications service wrote to its outbox."""
    return outbox_reader(notifications_db)


@pytest.fixture
def publish(infra, notifications_service):
    """``publish(contract, data)`` or ``publish(envelope=...)``: an event on its producer's
    exchange as the producer's outbox relay publishes it; answers the envelope (publish it again
    to play a redelivery)."""

    def publish_(contract: EventContract, data: dict | None = None, *, envelope: dict | None = None, actor: Actor = SYSTEM) -> dict:
        envelope = envelope or json.loads(json.dumps(event_envelope(contract.source, contract, data, actor), default=str))
        # Signed as the producer's outbox signs it (crm_kit.trust): consumers park unsigned events.
        publish_event(infra.amqp_uri, envelope, contract.routing_key, contract.source, actor_header=actor.to_header())
        return envelope

    return publish_
