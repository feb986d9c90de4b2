"""Each process's broker grant (crm_ops.users) covers what it declares, consumes and publishes,
for every service in the registry: a new handler, batch consumer or call is covered with no edit."""

from __future__ import annotations

import re
import uuid

import pytest

from crm_ops.registry import service_class, service_names
from crm_ops.topology import consumed_queues, declarations, handler_queues
from crm_ops.users import grants, own_event_types, topic_exchanges

CONFIG = {"AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/"}


def _grant(process: str):
    return next(grant for grant in grants(CONFIG) if grant.process == process)


@pytest.mark.parametrize("service", service_names())
def test_a_service_may_declare_and_consume_its_own_topology_and_nothing_of_others(service):
    configure, write, read = _grant(service).permissions()
    cls = service_class(service)
    for entity in declarations(CONFIG, [cls]):
        assert re.fullmatch(configure, entity.name), f"{service} may not declare {entity.name}"
    for queue in consumed_queues(cls, CONFIG):
        assert re.fullmatch(read, queue.name) and re.fullmatch(write, queue.name), queue.name
    for other in set(service_names()) - {service}:
        assert not re.fullmatch(read, f"rpc-{other}")
        assert not re.fullmatch(read, f"dlq.{other}")
        assert not re.fullmatch(write, f"{other}.events")
        for handler in handler_queues(service_class(other), CONFIG):
            assert not re.fullmatch(read, handler.name), handler.name


@pytest.mark.parametrize("service", service_names())
def test_a_service_publishes_its_own_event_types_and_binds_the_ones_it_handles(service):
    grant = _grant(service)
    topics = {name: (write, read) for name, write, read in grant.topics(topic_exchanges(service_names()))}
    own_write, _ = topics[f"{service}.events"]
    for event_type in own_event_types(service):
        assert re.fullmatch(own_write, event_type)
    for handler in handler_queues(service_class(service), CONFIG):
        write, read = topics[f"{handler.source_service}.events"]
        assert re.fullmatch(read, handler.event_type)
        assert not re.fullmatch(write, handler.event_type)  # hearing is not publishing
    _, rpc_read = topics["nameko-rpc"]
    assert re.fullmatch(rpc_read, f"{service}.*")
    for other in set(service_names()) - {service}:
        assert not re.fullmatch(rpc_read, f"{other}.*")
        assert not re.fullmatch(rpc_read, f"rpc.reply-gateway-{uuid.uuid4()}")


def test_the_gateway_calls_only_exposed_rpcs_and_the_pbx_only_publishes_call_events():
    gateway = {name: (write, read) for name, write, read in _grant("gateway").topics(topic_exchanges(service_names()))}
    assert re.fullmatch(gateway["nameko-rpc"][0], "partners.register")
    assert not re.fullmatch(gateway["nameko-rpc"][0], "partners.get_contact")  # internal
    assert not re.fullmatch(gateway["nameko-rpc"][0], "partners.*")
    pbx_configure, pbx_write, pbx_read = _grant("pbx").permissions()
    assert not re.fullmatch(pbx_write, "nameko-rpc") and not re.fullmatch(pbx_read, "telephony.calls.interactions")
    assert re.fullmatch(pbx_write, "telephony.calls")
