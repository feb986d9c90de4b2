"""crm.v1.Notifications as a frontend meets it: the gateway in front of the notifications service
(its own process and PostgreSQL database), sending to a real SMTP server on loopback."""

from __future__ import annotations

import grpc
import pytest
from crm.v1 import notifications_pb2_grpc

from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.e2e.conftest import SECRET
from tests.support.platform import GatewayProcess, ServiceProcess
from tests.support.smtp import SmtpServer


@pytest.fixture(scope="package")
def notifications_platform(infra):
    smtp = SmtpServer().start()
    url = infra.service_database("crm_test_e2e_notifications", service="notifications")
    declare({"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False}, [service_class("notifications")])
    env = {
        "AMQP_URI": infra.amqp_uri,
        "NOTIFICATIONS_DATABASE_URL": url,
        "NOTIFICATIONS_SMTP_PORT": str(smtp.port),
        "NOTIFICATIONS_SEND_INTERVAL_S": "0.1",
    }
    service = ServiceProcess("notifications", env, name="e2e-notifications").start()
    gateway = GatewayProcess(SECRET, {**env, "GATEWAY_HEALTH_SERVICES": "notifications", "LOG_LEVEL": "WARNING"})
    gateway.start()
    yield {"smtp": smtp, "service": service, "gateway": gateway, "env": env}
    gateway.stop_soon()
    service.stop_soon()
    smtp.stop()


@pytest.fixture(scope="package")
def notifications_channel(notifications_platform):
    with grpc.insecure_channel(f"127.0.0.1:{notifications_platform['gateway'].port}") as channel:
        yield channel


@pytest.fixture
def notifications(notifications_channel):
    return notifications_pb2_grpc.NotificationsStub(notifications_channel)
