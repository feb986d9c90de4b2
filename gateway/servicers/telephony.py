"""crm.v1.Telephony: call events from a PBX over gRPC, published to the broker (gateway/call_events.py).

Each event is checked against the call-event contract; a bad one is refused in its ack (the
error and a violation per field) and a stream goes on with the next. A good one is acknowledged
once the broker confirmed it. Events of a stream are published one after the other, in the
order sent, and acknowledged in that order. A broker that cannot be reached ends the call with
UNAVAILABLE (the interceptor maps the bridge's errors); the events acknowledged before it are
published.

Who may call: the scope ``pbx`` opens these methods to a service token, and a person's token is
refused before a servicer runs (``SERVICE_ONLY`` in gateway/scopes.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from crm.v1 import telephony_pb2 as pb
from crm.v1 import telephony_pb2_grpc

from crm_kit.errors import ValidationError
from gateway.call_events import CallEventPublisher, checked_event
from gateway.errors import field_messages
from gateway.interceptors import downstream_timeout

log = logging.getLogger(__name__)


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

    async def _ack(self, message: pb.CallEvent, context) -> pb.CallEventAck:
        try:
            event = checked_event(message)
        except ValidationError as exc:
            log.info("call event %r refused: %s", message.event_id, exc.message)
            return refusal(message.event_id, exc)
        await self.publisher.publish(event, timeout=downstream_timeout(context, self.default_timeout))
        return pb.CallEventAck(event_id=event["event_id"], accepted=True)

    async def PublishCallEvent(self, request, context):
        return await self._ack(request, context)

    async def StreamCallEvents(self, request_iterator, context) -> AsyncIterator[pb.CallEventAck]:
        async for message in request_iterator:
            yield await self._ack(message, context)


def register(server, bridge, default_timeout: float = 5.0) -> None:
    servicer = TelephonyServicer(CallEventPublisher(bridge), default_timeout)
    telephony_pb2_grpc.add_TelephonyServicer_to_server(servicer, server)
