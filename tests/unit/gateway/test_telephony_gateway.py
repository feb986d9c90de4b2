"""The Telephony API without a broker: call events checked against the contract, refusals as
acks with field violations, acks in order, and who may call it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from crm.v1 import telephony_pb2 as pb

from contracts.telephony import validate_call_event
from crm_kit.actor import Actor
from crm_kit.errors import PermissionDenied
from gateway import scopes
from gateway.bridge import DownstreamUnavailable
from gateway.call_events import event_of
from gateway.servicers.telephony import TelephonyServicer

RINGING = {"call_id": "c-1", "event_id": "c-1:ringing", "kind": "ringing", "direction": "incoming",
           "caller": "+7 495 123-45-67", "callee": "101", "extension": "101", "occurred_at": "2026-11-23T10:00:00+03:00"}


class FakePublisher:
    """Keeps what it was given; raises ``fail_with`` from the ``fail_at``-th event on."""

    def __init__(self, fail_at: int | None = None, fail_with: Exception | None = None):
        self.published: list[dict[str, Any]] = []
        self.fail_at = fail_at
        self.fail_with = fail_with

    async def ready(self) -> None:
        if self.fail_at is not None and len(self.published) + 1 >= self.fail_at:
            raise self.fail_with

    async def publish(self, event: dict[str, Any], *, timeout: float) -> None:
        assert timeout > 0
        if self.fail_at is not None and len(self.published) + 1 >= self.fail_at:
            raise self.fail_with
        self.published.append(event)


class Context:
    def time_remaining(self):
        return None


async def events(*messages: pb.CallEvent):
    for message in messages:
        yield message


def test_a_call_event_message_becomes_the_contracts_object():
    assert event_of(pb.CallEvent(**RINGING)) == RINGING
    ended = pb.CallEvent(**{**RINGING, "event_id": "c-1:ended", "kind": "ended", "extension": ""}, duration_s=0)
    event = event_of(ended)
    assert event["duration_s"] == 0 and "extension" not in event  # 0 is a duration; "" is no extension
    assert validate_call_event(event)["duration_s"] == 0
    assert "duration_s" not in event_of(pb.CallEvent(**RINGING))


async def test_a_good_event_is_published_then_acknowledged():
    publisher = FakePublisher()
    ack = await TelephonyServicer(publisher).PublishCallEvent(pb.CallEvent(**RINGING), Context())
    assert (ack.event_id, ack.accepted, ack.error, list(ack.field_violations)) == ("c-1:ringing", True, "", [])
    assert publisher.published == [RINGING]


async def test_a_bad_event_is_refused_in_its_ack_naming_every_field():
    publisher = FakePublisher()
    bad = pb.CallEvent(**{**RINGING, "kind": "ended", "occurred_at": "2026-11-23T10:00:00", "caller": ""})
    ack = await TelephonyServicer(publisher).PublishCallEvent(bad, Context())
    assert not ack.accepted and ack.event_id == "c-1:ringing" and "bad call event" in ack.error
    violations = {v.field: v.description for v in ack.field_violations}
    assert set(violations) == {"caller", "occurred_at", "duration_s"}
    assert "offset" in violations["occurred_at"] and "required" in violations["duration_s"]
    assert publisher.published == []


async def test_a_stream_acknowledges_in_order_and_goes_on_after_a_bad_event():
    publisher = FakePublisher()
    answered = {**RINGING, "event_id": "c-1:answered", "kind": "answered"}
    ended = {**RINGING, "event_id": "c-1:ended", "kind": "ended"}
    acks = [ack async for ack in TelephonyServicer(publisher).StreamCallEvents(events(
        pb.CallEvent(**RINGING),
        pb.CallEvent(**{**answered, "direction": "sideways"}),
        pb.CallEvent(**answered),
        pb.CallEvent(**ended, duration_s=42),
    ), Context())]
    assert [(a.event_id, a.accepted) for a in acks] == [
        ("c-1:ringing", True), ("c-1:answered", False), ("c-1:answered", True), ("c-1:ended", True)]
    assert [v.field for v in acks[1].field_violations] == ["direction"]
    assert [e["event_id"] for e in publisher.published] == ["c-1:ringing", "c-1:answered", "c-1:ended"]
    assert publisher.published[-1]["duration_s"] == 42


async def test_a_broker_that_cannot_be_reached_ends_the_stream_after_the_acks_before_it():
    publisher = FakePublisher(fail_at=2, fail_with=DownstreamUnavailable("the message broker is not reachable"))
    acks = []
    with pytest.raises(DownstreamUnavailable):  # the interceptor turns it into UNAVAILABLE
        async for ack in TelephonyServicer(publisher).StreamCallEvents(events(
            pb.CallEvent(**RINGING), pb.CallEvent(**{**RINGING, "event_id": "c-1:answered", "kind": "answered"}),
        ), Context()):
            acks.append(ack)
    assert [a.event_id for a in acks] == ["c-1:ringing"]


def test_only_a_service_token_with_scope_pbx_may_send_call_events():
    method = "/crm.v1.Telephony/StreamCallEvents"
    scopes.check(Actor("pbx-adapter", ("service",), scopes=("pbx",)), method)
    for person in (Actor("anna", ("manager",), ("msk",), "north"), Actor("root", ("admin",)),
                   Actor("anna", ("manager",), scopes=("pbx",))):
        with pytest.raises(PermissionDenied):
            scopes.check(person, method)
    with pytest.raises(PermissionDenied):
        scopes.check(Actor("bi-tool", ("service",), scopes=("bi",)), "/crm.v1.Telephony/PublishCallEvent")


def test_bi_reads_interactions_but_does_not_write():
    bi = Actor("bi-tool", ("service",), scopes=("bi",))
    for name in ("Get", "ListBySubject", "ListChain", "Calendar", "ListCalls", "GetCall", "ListTasks"):
        scopes.check(bi, f"/crm.v1.Interactions/{name}")
    for name in ("Register", "Complete", "CompleteTask", "SetExtension"):
        with pytest.raises(PermissionDenied):
            scopes.check(bi, f"/crm.v1.Interactions/{name}")
    scopes.check(Actor("anna", ("manager",)), "/crm.v1.Interactions/Register")  # people: row-level access in the service


class ConfirmingPublisher:
    """Publishes in the order called and confirms later, out of order (``confirm_order``),
    or nacks the ``nack_at``-th event (1-based): as a broker with many confirms in flight."""

    def __init__(self, nack_at: int | None = None):
        self.sent: list[str] = []
        self.confirms: dict[str, asyncio.Future] = {}
        self.nack_at = nack_at

    async def ready(self) -> None:
        pass

    async def publish(self, event: dict[str, Any], *, timeout: float) -> None:
        self.sent.append(event["event_id"])
        confirm = self.confirms[event["event_id"]] = asyncio.get_running_loop().create_future()
        await confirm

    def confirm(self, event_id: str) -> None:
        if self.nack_at is not None and self.sent.index(event_id) + 1 == self.nack_at:
            self.confirms[event_id].set_exception(DownstreamUnavailable(f"the broker refused the call event {event_id}"))
        else:
            self.confirms[event_id].set_result(None)


def kinds_of(call_id: str) -> list[pb.CallEvent]:
    return [pb.CallEvent(**{**RINGING, "call_id": call_id, "event_id": f"{call_id}:{n}"}) for n in range(6)]


async def test_a_stream_publishes_ahead_and_acknowledges_in_order_each_after_its_confirm():
    publisher = ConfirmingPublisher()
    stream = TelephonyServicer(publisher).StreamCallEvents(events(*kinds_of("c-2")), Context())
    first = asyncio.ensure_future(stream.__anext__())
    await eventually_sent(publisher, 6)  # all six on their way before any confirm came back
    assert publisher.sent == [f"c-2:{n}" for n in range(6)]
    for n in (3, 5, 1):  # confirms out of order: nothing acknowledged before event 0's
        publisher.confirm(f"c-2:{n}")
    await asyncio.sleep(0.01)
    assert not first.done()
    publisher.confirm("c-2:0")
    acks = [(await first).event_id]
    acks.append((await stream.__anext__()).event_id)  # c-2:1 was confirmed
    second = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.01)
    assert not second.done()  # c-2:2 not confirmed yet, although 3 and 5 are
    publisher.confirm("c-2:2")
    acks.append((await second).event_id)
    publisher.confirm("c-2:4")
    acks += [ack.event_id async for ack in stream]
    assert acks == [f"c-2:{n}" for n in range(6)]


async def test_a_refused_confirm_ends_the_stream_with_that_events_error_and_nothing_after_it_acknowledged():
    publisher = ConfirmingPublisher(nack_at=3)
    stream = TelephonyServicer(publisher).StreamCallEvents(events(*kinds_of("c-3")), Context())
    first = asyncio.ensure_future(stream.__anext__())
    await eventually_sent(publisher, 6)
    for n in (5, 4, 3, 2, 1, 0):  # the ones after the refused event are confirmed first
        publisher.confirm(f"c-3:{n}")
    acks = [(await first).event_id]
    with pytest.raises(DownstreamUnavailable, match="c-3:2"):
        async for ack in stream:
            acks.append(ack.event_id)
    assert acks == ["c-3:0", "c-3:1"]


async def eventually_sent(publisher: ConfirmingPublisher, count: int) -> None:
    for _ in range(200):
        if len(publisher.sent) >= count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"only {publisher.sent} sent")
