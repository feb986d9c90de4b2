"""The platform as a frontend meets it: the gateway process in front of the real services, on
RabbitMQ and PostgreSQL, reached over gRPC with bearer tokens."""

from __future__ import annotations

import os

import grpc
import pytest
from crm.v1 import card_pb2_grpc, deals_pb2_grpc, interactions_pb2_grpc, partners_pb2_grpc, telephony_pb2_grpc

import gateway.generated  # noqa: F401
from crm_ops.migrations import upgrade
from crm_ops.registry import service_class
from crm_ops.topology import declare
from gateway.auth import mint_token
from tests.support.platform import GatewayProcess, ServiceProcess

SECRET = "e2e-secret-of-at-least-thirty-two-bytes"
# Every e2e database is named <prefix>_e2e_<service>. Two runs on one PostgreSQL at the same time
# (each in its own CRM_TEST_AMQP vhost) give different prefixes, or each drops the other's.
DB_PREFIX = os.environ.get("CRM_TEST_DB_PREFIX") or "crm_test"


def token(user: str, roles: tuple[str, ...], regions: tuple[str, ...] = (), department: str | None = None, **kw) -> str:
    return mint_token(SECRET, user, roles, regions=regions, department=department, **kw)


def auth(bearer: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {bearer}"),)


ANNA = auth(token("anna", ("manager",), ("msk",), "north"))
BORIS = auth(token("boris", ("manager",), ("spb",), "south"))
ADMIN = auth(token("admin-1", ("admin",)))


@pytest.fixture(scope="package")
def platform_env(infra):
    urls = {}
    for service in ("partners", "deals", "interactions"):
        urls[service] = infra.database(f"{DB_PREFIX}_e2e_{service}")
        upgrade(service, urls[service].replace("postgresql://", "postgresql+psycopg2://"))
    declare({"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False}, [service_class(name) for name in urls])
    return {
        "AMQP_URI": infra.amqp_uri,
        **{f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()},
        "OUTBOX_INTERVAL_S": "0.5",
        "LOG_LEVEL": "WARNING",
        "CRM_CHECK_EVENTS": "1",  # every event the services emit keeps its contract, or the call fails
        "DEALS_OFFER_EXPIRY_SCAN_S": "1",  # an offer past valid_until expires within a test's wait
    }


@pytest.fixture(scope="package")
def partners_service(platform_env):
    service = ServiceProcess("partners", platform_env, name="e2e-partners").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def deals_service(platform_env):
    service = ServiceProcess("deals", platform_env, name="e2e-deals").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def interactions_service(platform_env):
    service = ServiceProcess("interactions", platform_env, name="e2e-interactions").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def section_service(platform_env):
    service = ServiceProcess("tests.e2e.section_service:SectionService", platform_env, name="probe_section").start()
    yield service
    service.stop_soon()


@pytest.fixture(scope="package")
def gateway(platform_env, partners_service, deals_service, interactions_service, section_service):
    process = GatewayProcess(SECRET, {
        **platform_env,
        "GATEWAY_CARD_SECTIONS": "probe_section,deals,interactions",
        "GATEWAY_SECTION_TIMEOUT": "0.5",
        "GATEWAY_HEALTH_SERVICES": "partners",
        "GATEWAY_HEALTH_INTERVAL": "0.5",
    })
    process.start()
    yield process
    process.stop_soon()


@pytest.fixture(scope="package")
def channel(gateway):
    with grpc.insecure_channel(f"127.0.0.1:{gateway.port}") as chan:
        yield chan


# One stub per public service, on the package's channel.
@pytest.fixture
def partners(channel):
    return partners_pb2_grpc.PartnersStub(channel)


@pytest.fixture
def deals(channel):
    return deals_pb2_grpc.DealsStub(channel)


@pytest.fixture
def interactions(channel):
    return interactions_pb2_grpc.InteractionsStub(channel)


@pytest.fixture
def telephony(channel):
    return telephony_pb2_grpc.TelephonyStub(channel)


@pytest.fixture
def cards(channel):
    return card_pb2_grpc.ClientCardsStub(channel)
