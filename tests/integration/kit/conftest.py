"""The probe service (a small service built on crm_kit alone) in its own process, on its own
PostgreSQL database: one per test module of the kit's integration tests."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from crm_ops.topology import declare
from tests.integration.kit.probe_service import ProbeService, metadata
from tests.support.platform import ServiceProcess


@pytest.fixture(scope="module")
def probe_db(infra):
    url = infra.database("crm_test_probe")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))
    metadata.create_all(engine)
    yield url, engine
    engine.dispose()


@pytest.fixture(scope="module")
def probe_env(infra, probe_db):
    config = {"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False}
    declare(config, [ProbeService])
    return {
        "AMQP_URI": infra.amqp_uri,
        "PROBE_DATABASE_URL": probe_db[0],
        "RETRY_DELAYS_S": "0.2,0.4",
        "OUTBOX_INTERVAL_S": "0.5",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="module")
def probe(probe_env):
    service = ServiceProcess("tests.integration.kit.probe_service:ProbeService", probe_env, name="probe").start()
    yield service
    service.stop_soon()
