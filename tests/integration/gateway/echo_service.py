"""A tiny nameko service the gateway's integration tests call through the RPC bridge.

Run by the tests as ``nameko run --config <yaml> tests.integration.gateway.echo_service``;
its name comes from ``ECHO_SERVICE_NAME`` so parallel test runs do not share a queue.
"""

import os

import eventlet
from nameko.contextdata import ContextDataProvider
from nameko.rpc import rpc

from crm_kit.actor import ACTOR_KEY
from crm_kit.errors import Conflict, NotFound, ValidationError


class ActorHeader(ContextDataProvider):
    context_key = ACTOR_KEY


class EchoService:
    name = os.environ.get("ECHO_SERVICE_NAME", "gateway_echo")

    actor_header = ActorHeader()

    @rpc
    def echo(self, value):
        """Return ``value`` unchanged."""
        return value

    @rpc
    def type_names(self, values):
        """The Python type each value arrived as, by key."""
        return {key: type(value).__name__ for key, value in values.items()}

    @rpc
    def slow(self, seconds):
        """Answer after ``seconds``."""
        eventlet.sleep(seconds)
        return seconds

    @rpc
    def fail_validation(self):
        """Always refuse with a field violation on ``name``."""
        raise ValidationError("bad", {"name": ["required"]})

    @rpc
    def fail_not_found(self):
        """Always answer that the record does not exist."""
        raise NotFound("partner 42 not found")

    @rpc
    def fail_conflict(self):
        """Always refuse as a duplicate of two records."""
        raise Conflict("duplicate partner", [{"partner_id": "p1", "reasons": ["inn"]}, {"partner_id": "p2"}])

    @rpc
    def fail_unexpected(self):
        """Always fail with an untyped error, as a bug would."""
        raise KeyError("secret internals")

    @rpc
    def whoami(self):
        """The actor header the call carried (None when it carried none)."""
        return self.actor_header

    @rpc
    def health_ping(self):
        return "pong"
