"""Each process's own RabbitMQ user (crm_ops.users, ``crm topology --users``) against the real
local broker, in a vhost of its own: what one process's credentials can no longer do, the
broker's topic-permission semantics the limits rely on, and partners serving its RPCs and
publishing its events with nothing but its own user."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from urllib.parse import quote

import pika
import pytest
from kombu import Connection
from nameko.rpc import get_rpc_exchange
from pika.exceptions import ChannelClosedByBroker

from crm_kit.actor import Actor
from crm_ops.registry import service_class
from crm_ops.topology import consumed_queues, declare
from crm_ops.users import UUID, apply, password_variable
from gateway.bridge import RpcBridge
from tests.integration.partners.test_partners import company
from tests.support.listener import recording_listener, start_listener
from tests.support.platform import TEST_NAMESPACE, TEST_VHOST, ServiceProcess, rpc_proxy
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="rabbitmqctl is not installed: users are made with it"),
]

VHOST = f"{TEST_VHOST}-users"
PREFIX = f"crm-test-{TEST_NAMESPACE or 'default'}-"
PROCESSES = ("deals", "interactions", "notifications", "partners", "gateway", "pbx")
ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
LISTENER = recording_listener("users_listener", "partners", ("partner_registered",))


def _ctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, check=True, timeout=60)


def _uri(user: str, password: str) -> str:
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:5672/{quote(VHOST, safe='')}"


def _password(process: str) -> str:
    return f"pw-{process}-{TEST_NAMESPACE}"


@pytest.fixture(scope="module")
def broker():
    """The vhost with the whole topology declared (as guest) and every process's user applied."""
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)
    _ctl("add_vhost", VHOST)
    _ctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
    guest = _uri("guest", "guest")
    config = {"AMQP_URI": guest, "AUTO_DELETE_EVENT_EXCHANGES": False}
    with Connection(guest) as connection:  # what the services declare when they start
        get_rpc_exchange(config)(connection.channel()).declare()
    declare(config, [*(service_class(name) for name in ("deals", "interactions", "notifications", "partners")), LISTENER])
    environ = {password_variable(process): _password(process) for process in PROCESSES}
    applied = apply(config, prefix=PREFIX, environ=environ)
    assert {item.process for item in applied} == set(PROCESSES)
    assert apply(config, prefix=PREFIX, environ=environ)  # idempotent: a second run changes nothing that matters
    yield {process: _uri(PREFIX + process, _password(process)) for process in PROCESSES} | {"guest": guest}
    for process in PROCESSES:
        subprocess.run(["rabbitmqctl", "-q", "delete_user", PREFIX + process], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", VHOST], capture_output=True)


def _channel(uri: str):
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    channel.confirm_delivery()
    return connection, channel


def _refused(uri: str, action) -> bool:
    """Whether the broker refuses ``action(channel)`` with ACCESS_REFUSED (403)."""
    connection, channel = _channel(uri)
    try:
        action(channel)
    except ChannelClosedByBroker as exc:
        assert exc.reply_code == 403, exc
        return True
    finally:
        if connection.is_open:
            connection.close()
    return False


def _publish(exchange: str, key: str):
    return lambda channel: channel.basic_publish(exchange, key, b"{}", mandatory=False)


def _reply_queue(channel, service: str) -> str:
    name = f"rpc.reply-{service}-{uuid.uuid4()}"
    channel.queue_declare(name, exclusive=True, auto_delete=True)
    return name


def test_topic_permissions_check_published_routing_keys(broker):
    """The broker checks a publish's routing key against the user's topic write pattern (the
    semantics every event and RPC limit here relies on): deals publishes its own event types
    on deals.events, and nothing else, even on its own exchange."""
    deals = broker["deals"]
    assert not _refused(deals, _publish("deals.events", "deal_opened"))
    assert _refused(deals, _publish("deals.events", "partners_merged"))
    assert not _refused(deals, _publish("nameko-rpc", "partners.get"))  # deals calls partners
    assert _refused(deals, _publish("nameko-rpc", "notifications.send"))  # and never notifications


def test_topic_permissions_check_binding_keys(broker):
    """...and a binding's key against the topic read pattern (AMQP 0-9-1 queue.bind on a topic
    exchange): deals binds its reply queue with a reply key, never with partners' RPC keys."""
    deals = broker["deals"]

    def bind(key):
        def action(channel):
            channel.queue_bind(_reply_queue(channel, "deals"), "nameko-rpc", routing_key=key)

        return action

    assert not _refused(deals, bind(str(uuid.uuid4())))
    assert _refused(deals, bind("partners.*"))
    assert _refused(deals, bind("partners.get"))
    assert _refused(deals, bind("#"))


def test_the_deals_user_cannot_publish_partners_events(broker):
    for key in ("partners_merged", "partner_reassigned", "partner_registered"):
        assert _refused(broker["deals"], _publish("partners.events", key))
    assert not _refused(broker["partners"], _publish("partners.events", "partners_merged"))


def test_the_deals_user_cannot_read_or_bind_what_is_not_its_own(broker):
    deals = broker["deals"]
    # Another service's RPC queue: neither consumed nor bound to more keys.
    assert _refused(deals, lambda channel: channel.basic_consume("rpc-partners", lambda *a: None))
    assert _refused(deals, lambda channel: channel.queue_bind("rpc-partners", "nameko-rpc", routing_key="partners.*"))
    # Another service's event queue.
    assert _refused(deals, lambda channel: channel.basic_consume("dlq.partners", lambda *a: None))
    # A queue of its own name pattern it could make does not help with partners' keys (above),
    # and a queue named like another's is refused outright.
    assert _refused(deals, lambda channel: channel.queue_declare(f"rpc.reply-gateway-{uuid.uuid4()}", exclusive=True))
    assert _refused(deals, lambda channel: channel.queue_declare("spy", exclusive=True))


def test_the_deals_user_cannot_consume_the_gateways_replies(broker):
    gateway_connection, gateway = _channel(broker["gateway"])
    try:
        reply_queue = _reply_queue(gateway, "gateway")
        gateway.queue_bind(reply_queue, "nameko-rpc", routing_key=reply_queue)
        deals = broker["deals"]
        assert _refused(deals, lambda channel: channel.basic_consume(reply_queue, lambda *a: None))
        # Nor hear them through a queue of its own bound with the gateway's reply key.
        assert _refused(deals, lambda channel: channel.queue_bind(_reply_queue(channel, "deals"), "nameko-rpc", routing_key=reply_queue))
        # The gateway calls only exposed RPCs, never an internal one.
        assert not _refused(broker["gateway"], _publish("nameko-rpc", "partners.register"))
        assert _refused(broker["gateway"], _publish("nameko-rpc", "partners.get_contact"))
        # The PBX adapter publishes call events only.
        assert not _refused(broker["pbx"], _publish("telephony.calls", "call.started"))
        assert _refused(broker["pbx"], _publish("nameko-rpc", "partners.register"))
        assert _refused(broker["pbx"], _publish("partners.events", "partner_registered"))
    finally:
        gateway_connection.close()


def test_the_uuid_pattern_matches_nameko_reply_keys():
    import re

    assert re.fullmatch(UUID, str(uuid.uuid4()))


def test_partners_serves_and_publishes_with_its_own_user(broker, infra):
    """partners runs with only its own credentials: a signed call is served (its RPC queue,
    reply) and its outbox publishes the event, which a listener hears (its exchange, its key);
    the gateway's own RPC client, connected as crm-gateway, reads the partner back."""
    database = infra.service_database("crm_test_users_partners", service="partners")
    service = ServiceProcess("partners", {"AMQP_URI": broker["partners"], "PARTNERS_DATABASE_URL": database}).start()
    listener = start_listener(LISTENER, {"AMQP_URI": broker["guest"]}, infra)
    try:
        name = f"Свой пользователь {uuid.uuid4().hex[:6]}"
        with rpc_proxy(broker["guest"], ANNA, signed_by="gateway") as proxy:
            partner = proxy.partners.register(company(name), {"duplicate_policy": "skip"})["partner"]
            assert proxy.partners.get(partner["id"])["short_name"] == name

        async def through_the_gateways_bridge():  # the gateway's RPC client, as crm-gateway
            bridge = RpcBridge(broker["gateway"])
            await bridge.start()
            try:
                return await bridge.call("partners", "get", timeout=15, actor=ANNA, partner_id=partner["id"])
            finally:
                await bridge.close()

        assert asyncio.run(through_the_gateways_bridge())["short_name"] == name
        assert eventually(lambda: listener.heard("partner_registered", partner_id=partner["id"]))
    finally:
        service.stop_soon()
        listener.stop_soon()


def test_crm_topology_users_prints_new_passwords_once_and_takes_given_ones(broker):
    """The command: a new user's URI is printed once and works; run again, nothing is printed and
    the password is kept; AMQP_PASSWORD_<PROCESS> sets it."""
    from tests.integration.test_cli import crm

    prefix = f"{PREFIX}cli-"
    try:
        # One process (--process): every user's grant is the unit tests' and the other tests' subject;
        # each rabbitmqctl call starts an Erlang VM, so the command is run for the one it checks.
        only = ("--process", "deals")
        first = crm("topology", "--users", "--user-prefix", prefix, *only, AMQP_URI=broker["guest"])
        assert first.returncode == 0, first.stderr
        printed = dict(line.split("=", 1) for line in first.stdout.splitlines() if line.startswith("AMQP_URI_"))
        assert set(printed) == {"AMQP_URI_DEALS"}
        assert printed["AMQP_URI_DEALS"].startswith(f"amqp://{prefix}deals:")
        assert not _refused(printed["AMQP_URI_DEALS"], _publish("deals.events", "deal_opened"))

        again = crm("topology", "--users", "--user-prefix", prefix, *only, AMQP_URI=broker["guest"])
        assert again.returncode == 0, again.stderr
        assert "AMQP_URI_" not in again.stdout
        assert not _refused(printed["AMQP_URI_DEALS"], _publish("deals.events", "deal_opened"))

        given = crm("topology", "--users", "--user-prefix", prefix, *only, AMQP_URI=broker["guest"], AMQP_PASSWORD_DEALS="given-pw")
        assert given.returncode == 0, given.stderr
        assert not _refused(_uri(f"{prefix}deals", "given-pw"), _publish("deals.events", "deal_opened"))
        with pytest.raises(pika.exceptions.ProbableAuthenticationError):
            pika.BlockingConnection(pika.URLParameters(printed["AMQP_URI_DEALS"]))
        unknown = crm("topology", "--users", "--user-prefix", prefix, "--process", "nobody", AMQP_URI=broker["guest"])
        assert unknown.returncode != 0 and "no such process: nobody" in unknown.stdout + unknown.stderr
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_user", f"{prefix}deals"], capture_output=True)


SERVICES = ("deals", "interactions", "notifications", "partners")


def test_every_service_runs_with_its_own_user(broker, infra):
    """Every service starts with only its own user (declaring its queues, its replay requests
    and streams, its timers and outbox), consumes each of its queues, and handles a partners
    event end to end, with no access refused anywhere."""
    processes = []
    try:
        for name in SERVICES:
            database = infra.service_database(f"crm_test_users_all_{name}", service=name)
            env = {"AMQP_URI": broker[name], f"{name.upper()}_DATABASE_URL": database}
            processes.append(ServiceProcess(name, env).start(wait=False))
        for process in processes:
            process.wait_ready()
        with rpc_proxy(broker["guest"], ANNA, signed_by="gateway") as proxy:
            partner = proxy.partners.register(company(f"Все свои {uuid.uuid4().hex[:6]}"), {"duplicate_policy": "skip"})["partner"]
        connection, channel = _channel(broker["guest"])
        try:

            def consumed_and_drained() -> bool:
                for name in SERVICES:
                    for queue in consumed_queues(service_class(name), {"AMQP_URI": broker[name]}):
                        state = channel.queue_declare(queue.name, passive=True).method
                        assert state.consumer_count >= 1, f"{name} does not consume {queue.name}"
                        assert state.message_count == 0, f"{queue.name} still holds {state.message_count}"
                return True

            assert eventually(consumed_and_drained)
        finally:
            connection.close()
        assert partner["id"]
        for process in processes:
            assert "ACCESS_REFUSED" not in process.output(), process.output()[-3000:]
    finally:
        for process in processes:
            process.stop_soon()
