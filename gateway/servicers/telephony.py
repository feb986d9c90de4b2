"""crm.v1.Telephony: call events from a PBX over gRPC, published to the broker (gateway/call_events.py).

Each event is checked against the call-event contract; a bad one is refused in its ack (the
error and a violation per field) and a stream goes on with the next. A good one is acknowledged
once the broker confirmed it. Events of a stream are published in the order sent and
acknowledged in that order, but without waiting for one confirm before publishing the next: up
to ``IN_FLIGHT`` events of a stream await their confirms at once (one confirm round trip per
event held a stream to about 830 events/s). An event is acknowledged only after its own confirm
and after every event before it was acknowledged. A broker that cannot be reached, refuses an
event (nack) or returns it ends the call with UNAVAILABLE naming that event (the interceptor
maps the bridge's errors); the events acknowledged before it are published, and none after it
is acknowledged (they may have reached the broker: sending them again is safe, the consumer
applies each ``event_id`` once).

Who may call: the scope ``pbx`` opens these methods to a service token, and a person's token is
refused before a servicer runs (``SERVICE_ONLY`` in gateway/scopes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from crm.v1 import telephony_pb2 as pb
from crm.v1 import telephony_pb2_grpc

from crm_kit.errors import ValidationError
from gateway.call_events import CallEventPublisher, checked_event
from gateway.errors import field_messages
from gateway.interceptors import downstream_timeout

log = logging.getLogger(__name__)

# Events of one stream read and published ahead of their acks: enough to cover the confirms
# round trip at thousands a second, few enough that the last one's publish timeout (which
# counts its wait behind the others) is not spent queueing.
IN_FLIGHT = 256


def refusal(event_id: str, exc: ValidationError) -> pb.CallEventAck:
    """The ack of an event that breaks the contract: the error and the fields at fault."""
    return pb.CallEventAck(
        event_id=event_id,
        accepted=False,
        error=exc.message,
        field_violations=[
            pb.CallEventAck.FieldViolation(field=field, description=description)
            for field, description in field_messages(exc.details)
        ],
    )


class TelephonyServicer(telephony_pb2_grpc.TelephonyServicer):
    def __init__(self, publisher: CallEventPublisher, default_timeout: float = 5.0):
        self.publisher = publisher
        self.default_timeout = default_timeout

    async def _start(self, message: pb.CallEvent, context) -> asyncio.Future:
        """The event's ack to come: a refusal at once, or the publish under way (its frame is
        sent in the order this is called; the ack follows the broker's confirm)."""
        try:
            event = checked_event(message)
        except ValidationError as exc:
            log.info("call event %r refused: %s", message.event_id, exc.message)
            refused = asyncio.get_running_loop().create_future()
            refused.set_result(refusal(message.event_id, exc))
            return refused
        # Declared and connected before the task starts, so tasks reach the channel in the
        # order they were made (publishes that waited for the channel could be overtaken).
        await self.publisher.ready()
        return asyncio.ensure_future(self._publish(event, downstream_timeout(context, self.default_timeout)))

    async def _publish(self, event: dict, timeout: float) -> pb.CallEventAck:
        await self.publisher.publish(event, timeout=timeout)
        return pb.CallEventAck(event_id=event["event_id"], accepted=True)

    async def PublishCallEvent(self, request, context):
        return await (await self._start(request, context))

    async def StreamCallEvents(self, request_iterator, context) -> AsyncIterator[pb.CallEventAck]:
        # A reader task takes events off the stream and starts their publishes while this
        # generator hands out the acks in order, each once its publish is confirmed.
        acks: asyncio.Queue[asyncio.Future | None] = asyncio.Queue(maxsize=IN_FLIGHT)
        reader = asyncio.create_task(self._read(request_iterator, context, acks))
        try:
            while (ack := await acks.get()) is not None:
                yield await ack
            await reader  # a failure to read the stream is the call's error
        finally:
            reader.cancel()
            while not acks.empty():  # the call ended early: nothing after this is acknowledged
                if (left := acks.get_nowait()) is not None:
                    left.cancel()
                    left.add_done_callback(_forget)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _read(self, request_iterator, context, acks: asyncio.Queue) -> None:
        try:
            async for message in request_iterator:
                ack = await self._start(message, context)
                try:
                    await acks.put(ack)
                except asyncio.CancelledError:  # the call ended while the queue was full
                    ack.cancel()
                    ack.add_done_callback(_forget)
                    raise
        finally:
            with contextlib.suppress(asyncio.CancelledError):
                await acks.put(None)


def _forget(future: asyncio.Future) -> None:
    """An ack nobody will read: its failure (if any) is the call's, already reported."""
    if not future.cancelled():
        future.exception()


def register(server, bridge, default_timeout: float = 5.0) -> None:
    servicer = TelephonyServicer(CallEventPublisher(bridge), default_timeout)
    telephony_pb2_grpc.add_TelephonyServicer_to_server(servicer, server)
