"""Trust behind the gateway (crm_kit.trust), against a real broker, with the probe service in its
own process: a call runs only with an actor signed with the internal key and before its deadline;
an internal RPC refuses what the gateway signed; an event its producer did not sign is parked,
never applied. Honest calls and events keep working (test_kit.py)."""

from __future__ import annotations

import uuid

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from crm_kit import dead_letters, trust
from crm_kit.actor import Actor, context_for
from crm_kit.errors import DeadlineExceeded, PermissionDenied, Unauthenticated
from tests.integration.kit.test_kit import effect_notes, thing
from tests.support.platform import publish_event, rpc_proxy
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

ADMIN = Actor("admin-1", roles=("admin",))
ANNA = Actor("anna", roles=("manager",), regions=("msk",))


def call_with(amqp_uri: str, context: dict, method: str, *args):
    """``probe.<method>(*args)`` with exactly ``context`` as the call's context data."""
    with ClusterRpcProxy({"AMQP_URI": amqp_uri, "serializer": "json"}, context_data=context, timeout=15) as proxy:
        return getattr(proxy.probe, method)(*args)


def test_an_unsigned_actor_is_refused_and_the_method_never_runs(probe, probe_db, infra):
    _, engine = probe_db
    note = f"unsigned-{uuid.uuid4().hex[:8]}"
    with rpc_proxy(infra.amqp_uri, ADMIN, signed_by=None) as proxy, pytest.raises(Unauthenticated, match="no signed actor"):
        proxy.probe.record(note)
    assert f"recorded:{note}" not in effect_notes(engine)


def test_a_forged_signature_is_refused(probe, probe_db, infra):
    """Signed with another key, or a signed header whose actor was then changed to an admin."""
    _, engine = probe_db
    note = f"forged-{uuid.uuid4().hex[:8]}"
    other_key = context_for(ADMIN)
    trust.stamp(other_key, "partners", 5, "probe.record", key=b"not-the-platform-key-but-32-bytes-long")
    with pytest.raises(Unauthenticated, match="does not match"):
        call_with(infra.amqp_uri, other_key, "record", note)

    tampered = context_for(ANNA)
    trust.stamp(tampered, "gateway", 5, "probe.record")
    tampered["actor"] = ADMIN.to_header()
    with pytest.raises(Unauthenticated, match="does not match"):
        call_with(infra.amqp_uri, tampered, "record", note)
    assert f"recorded:{note}" not in effect_notes(engine)


def test_a_call_signed_for_one_method_is_refused_by_another(probe, probe_db, infra):
    """A signed call copied off the broker cannot be sent to another method: the signature
    covers the method it was made for."""
    _, engine = probe_db
    note = f"moved-{uuid.uuid4().hex[:8]}"
    copied = context_for(ADMIN)
    trust.stamp(copied, "gateway", 5, "probe.whoami")
    assert call_with(infra.amqp_uri, copied, "whoami") == ADMIN.to_dict()
    with pytest.raises(Unauthenticated, match="does not match"):
        call_with(infra.amqp_uri, copied, "record", note)
    assert f"recorded:{note}" not in effect_notes(engine)


def test_a_call_whose_deadline_passed_is_not_started(probe, probe_db, infra):
    _, engine = probe_db
    note = f"late-{uuid.uuid4().hex[:8]}"
    late = context_for(ADMIN)
    trust.stamp(late, "gateway", -1, "probe.record")  # its caller gave up a second ago
    with pytest.raises(DeadlineExceeded):
        call_with(infra.amqp_uri, late, "record", note)
    assert f"recorded:{note}" not in effect_notes(engine)


def test_a_signed_actor_is_the_one_the_method_sees(probe, infra):
    with rpc_proxy(infra.amqp_uri, ANNA, signed_by="gateway") as proxy:
        assert proxy.probe.whoami() == ANNA.to_dict()


def test_an_internal_rpc_refuses_what_the_gateway_signed_and_serves_services(probe, probe_db, infra):
    _, engine = probe_db
    note = f"internal-{uuid.uuid4().hex[:8]}"
    for actor in (ANNA, ADMIN):
        with rpc_proxy(infra.amqp_uri, actor, signed_by="gateway") as proxy, pytest.raises(PermissionDenied, match="services only"):
            proxy.probe.record_internally(note)
    assert f"internal:{note}" not in effect_notes(engine)

    with rpc_proxy(infra.amqp_uri, ANNA, signed_by="deals") as proxy:
        assert proxy.probe.record_internally(note)["actor"] == ANNA.to_dict()  # a service, acting for Anna
    assert f"internal:{note}" in effect_notes(engine)


def test_a_service_calls_out_signed_as_itself_for_its_caller_within_the_caller_s_deadline(probe, probe_db, infra):
    """The gateway's caller reaches an internal RPC only through a service (crm_kit.remote), which
    signs as itself, keeps the caller's actor and never extends the caller's deadline."""
    _, engine = probe_db
    note = f"relayed-{uuid.uuid4().hex[:8]}"
    with rpc_proxy(infra.amqp_uri, ANNA, signed_by="gateway", timeout=3) as proxy:
        seen = proxy.probe.ask_myself(note)
        answered = trust.now_ms()
    assert seen["actor"] == ANNA.to_dict()
    assert seen["signed_by"] == "probe"
    # The caller's 3 s, not the remote call's own 5 s (which would end after answered + 3 s).
    assert int(seen["deadline"]) <= answered + 3000
    assert f"internal:{note}" in effect_notes(engine)


def parked_with(infra, marker: str) -> list:
    return [p for p in dead_letters.iter_parked(infra.amqp_uri, "probe", 500) if marker in p.body]


@pytest.mark.parametrize("how", ["unsigned", "signed as another producer", "signed as another event"])
def test_a_forged_event_is_parked_not_applied(probe, probe_db, infra, how):
    _, engine = probe_db
    forged = thing(f"forged-{uuid.uuid4().hex[:8]}")
    if how == "unsigned":
        publish_event(infra.amqp_uri, forged, "thing_happened", "probe_source", signed=False)
    else:
        # A real signature, but for what another producer or another event would publish.
        import json

        from kombu import Connection, Exchange, Producer

        body = json.dumps(forged).encode()
        producer_name, event_type = ("partners", "thing_happened") if how == "signed as another producer" else ("probe_source", "other")
        headers = trust.sign_event({}, producer_name, event_type, body)
        with Connection(infra.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            Producer(conn.channel(), exchange=Exchange("probe_source.events", type="topic", durable=True)).publish(
                body,
                routing_key="thing_happened",
                headers=headers,
                content_type="application/json",
                content_encoding="utf-8",
                mandatory=True,
            )

    found = eventually(lambda: parked_with(infra, forged["event_id"]), what="the forged event to be parked")[0]
    assert found.error_type == "Unauthenticated"
    assert "probe_source" in found.error
    assert found.attempts == 1
    assert forged["data"]["note"] not in effect_notes(engine)


def test_a_forged_event_to_a_batch_handler_is_parked_not_applied(probe, probe_db, infra):
    _, engine = probe_db
    note = f"forged-batch-{uuid.uuid4().hex[:8]}"
    honest_note = f"honest-batch-{uuid.uuid4().hex[:8]}"
    forged = {**thing(note), "event_type": "note_batched", "source": "probe", "version": 1}
    honest = {**thing(honest_note), "event_type": "note_batched", "source": "probe", "version": 1}
    for envelope in (forged, honest):
        envelope["data"] = {"note": envelope["data"]["note"]}
    publish_event(infra.amqp_uri, forged, "note_batched", "probe", signed=False)
    publish_event(infra.amqp_uri, honest, "note_batched", "probe")

    eventually(lambda: f"batched:{honest_note}" in effect_notes(engine), what="the honest event to be applied")
    found = eventually(lambda: parked_with(infra, forged["event_id"]), what="the forged event to be parked")[0]
    assert found.error_type == "Unauthenticated"
    assert f"batched:{note}" not in effect_notes(engine)


def test_an_error_reply_carries_no_sql(probe, infra):
    """A database error's reply names its kind, never the statement or its parameters (anyone
    who can read the reply queue would see them); the service's own log keeps them."""
    secret = f"secret-{uuid.uuid4().hex[:8]}"
    with rpc_proxy(infra.amqp_uri, ADMIN) as proxy, pytest.raises(RemoteError) as caught:
        proxy.probe.read_a_missing_table(secret)
    reply = f"{caught.value.exc_type} {caught.value.value} {caught.value.args}"
    assert "ProgrammingError" in reply
    for leak in ("SELECT", "no_such_table_here", secret):
        assert leak not in reply


def bridge_call(amqp_uri: str, method: str, *, actor: Actor, key: bytes | None = None, **kwargs):
    """``probe.<method>`` through the gateway's RPC bridge (signed as the gateway signs)."""
    import asyncio

    from gateway.bridge import RpcBridge

    async def run():
        bridge = RpcBridge(amqp_uri, name=f"trust-{uuid.uuid4().hex[:6]}", key=key)
        await bridge.start()
        try:
            return await bridge.call("probe", method, timeout=10, actor=actor, **kwargs)
        finally:
            await bridge.close()

    return asyncio.run(run())


def test_the_gateway_s_signed_call_is_served_and_a_gateway_with_another_key_is_refused(probe, probe_db, infra):
    _, engine = probe_db
    assert bridge_call(infra.amqp_uri, "whoami", actor=ANNA) == ANNA.to_dict()
    note = f"other-key-{uuid.uuid4().hex[:8]}"
    with pytest.raises(Unauthenticated):
        bridge_call(infra.amqp_uri, "record", actor=ADMIN, key=b"another-gateway-s-key-of-32-bytes-or-more", note=note)
    with pytest.raises(PermissionDenied):
        bridge_call(infra.amqp_uri, "record_internally", actor=ADMIN, note=note)
    assert not [n for n in effect_notes(engine) if note in n]


def test_a_service_refuses_to_start_without_an_internal_key_outside_development():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("CRM_INTERNAL_KEY", "CRM_ENVIRONMENT")}
    for extra, says in (
        ({}, "CRM_INTERNAL_KEY (at least 32 random bytes"),
        ({"CRM_INTERNAL_KEY": "short"}, "is 5 bytes"),
        ({"CRM_INTERNAL_KEY": trust.DEV_INTERNAL_KEY}, "development key printed in the repository"),
    ):
        started = subprocess.run(
            [sys.executable, "-m", "crm_ops.serve", "tests.integration.kit.probe_service:ProbeService"],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode == 2
        assert says in started.stderr and "Traceback" not in started.stderr
