"""The event catalogue for people: ``docs/asyncapi.yaml`` (AsyncAPI 3.0), generated from the
contracts.

``python -m contracts.asyncapi`` writes it; ``--check`` fails when the committed file differs
from what the contracts say (``make test`` runs it, as it checks the gRPC stubs).

One channel per event: its address is the routing key on the service's topic exchange
``<service>.events`` (the AMQP binding names the exchange), one ``send`` operation per event
for the service that publishes it, and one message with the envelope and the event's data as
JSON Schema. The schemas come from the contracts' marshmallow schemas through apispec's
marshmallow plugin (maintained, supports marshmallow 4) with OpenAPI 3.1 output, which is JSON
Schema (2020-12) and so a valid AsyncAPI schema. The PBX's call events (contracts.telephony)
are in it too: the ``telephony.calls`` exchange the interactions service consumes.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

import contracts
from contracts import telephony
from crm_kit.contracts import DecimalText, Envelope, EventContract, Moment, UserId, Uuid

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "asyncapi.yaml"
AMQP_BINDING = "0.3.0"
EXAMPLE_ENVELOPE = {
    "event_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
    "occurred_at": "2026-11-23T10:00:00.123456+00:00",
    "actor": {"user_id": "anna", "roles": ["manager"], "regions": ["msk"], "department": "north", "scopes": []},
}

DESCRIPTION = """\
Every event the CRM services publish, generated from their contracts (`contracts/`) by
`python -m contracts.asyncapi`; `make test` fails when this file is stale.

Each service publishes to its own durable topic exchange `<service>.events` with the event's
name as the routing key; a consumer binds a queue of its own per event (nameko's service-pool
queues). Every message is one JSON envelope: `event_id` (unique; consumers apply an event once
by it), `event_type` and `version`, `occurred_at`, `source` (the service), `actor` (who caused
it), `subject` (the ids it is about, and `partner_ids`: every partner it concerns, its own
first) and `data` (the event's own schema, below).

Versioning: a producer is held to its contract exactly; a consumer ignores fields it does not
know. Adding a field keeps the version. A breaking change is a new contract, version 2,
published alongside version 1 under the routing key `<name>.v2` until no one reads version 1.
"""


def _plugin() -> tuple[APISpec, MarshmallowPlugin]:
    plugin = MarshmallowPlugin()
    spec = APISpec("crm events", "1", "3.1.0", plugins=[plugin])
    plugin.map_to_openapi_type(Uuid, "string", "uuid")
    plugin.map_to_openapi_type(DecimalText, "string", "decimal")
    plugin.map_to_openapi_type(Moment, "string", "date-time")
    plugin.map_to_openapi_type(UserId, "string", None)
    return spec, plugin


def _schema_ref(spec: APISpec, schema: type[Schema]) -> dict[str, str]:
    name = schema.__name__
    known = spec.components.schemas.get(name)
    if known is None:
        spec.components.schema(name, schema=schema)
    return {"$ref": f"#/components/schemas/{name}"}


def _channel_id(source: str, routing_key: str) -> str:
    return f"{source}.{routing_key}"


def _amqp_exchange(name: str) -> dict[str, Any]:
    return {"amqp": {"is": "routingKey", "exchange": {"name": name, "type": "topic", "durable": True, "autoDelete": False,
                                                     "vhost": "/"}, "bindingVersion": AMQP_BINDING}}


def _event_message(spec: APISpec, contract: EventContract) -> dict[str, Any]:
    example = {**EXAMPLE_ENVELOPE, "event_type": contract.name, "version": contract.version, "source": contract.source}
    example.update(subject=contract.subject_of(contract.example), data=contract.example)
    return {
        "name": contract.name,
        "title": f"{contract.source}: {contract.name} (version {contract.version})",
        "summary": contract.summary,
        "description": _clean(contract.description),
        "contentType": "application/json",
        "payload": {
            "allOf": [
                _schema_ref(spec, Envelope),
                {"type": "object", "properties": {
                    "event_type": {"const": contract.name},
                    "version": {"const": contract.version},
                    "source": {"const": contract.source},
                    "data": _schema_ref(spec, contract.schema_class),
                }},
            ],
        },
        "examples": [{"name": "example", "payload": example}],
        "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING}},
    }


def _clean(text: str) -> str:
    """A docstring as one paragraph of CommonMark (the catalogue is read, not the source)."""
    return " ".join(text.split()).replace("``", "`")


def _open_to_additions(schema: Any) -> Any:
    """The schemas without ``additionalProperties: false``: a reader ignores fields it does not
    know (adding one keeps the version), though a producer is held to the contract exactly."""
    if isinstance(schema, dict):
        return {key: _open_to_additions(value) for key, value in schema.items()
                if not (key == "additionalProperties" and value is False)}
    if isinstance(schema, list):
        return [_open_to_additions(value) for value in schema]
    return schema


class _Dumper(yaml.SafeDumper):
    """Plain YAML: no anchors for repeated examples, text of several lines as a block."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def document() -> dict[str, Any]:
    """The AsyncAPI document of every contract."""
    spec, _ = _plugin()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in contracts.ALL:
        channel_id = _channel_id(contract.source, contract.routing_key)
        messages[channel_id] = _event_message(spec, contract)
        channels[channel_id] = {
            "address": contract.routing_key,
            "title": f"{contract.exchange} / {contract.routing_key}",
            "summary": contract.summary,
            "messages": {contract.name: {"$ref": f"#/components/messages/{channel_id}"}},
            "bindings": _amqp_exchange(contract.exchange),
        }
        operations[channel_id] = {
            "action": "send",
            "title": f"{contract.source} publishes {contract.name}",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{contract.name}"}],
        }
    # Snapshots a source replays to one late consumer (crm_kit.replay): the direct exchange
    # ``replay``, routing key = the consumer's name, queue ``replay.<consumer>``.
    for contract in contracts.SNAPSHOTS:
        channel_id = f"replay.{contract.source}.{contract.name}"
        messages[channel_id] = _event_message(spec, contract)
        channels[channel_id] = {
            "address": "{consumer}",
            "title": f"replay / {contract.source} {contract.name} to one consumer",
            "summary": contract.summary,
            "parameters": {"consumer": {"description": "The service that asked for the replay (queue replay.<consumer>)."}},
            "messages": {contract.name: {"$ref": f"#/components/messages/{channel_id}"}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {"name": "replay", "type": "direct", "durable": True,
                                                                   "autoDelete": False, "vhost": "/"},
                                  "bindingVersion": AMQP_BINDING}},
        }
        operations[channel_id] = {
            "action": "send",
            "title": f"{contract.source} replays {contract.name} to a late consumer",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{contract.name}"}],
        }
    # The PBX's call events: published by a PBX adapter, consumed by interactions.
    messages["telephony.call_event"] = {
        "name": "call_event",
        "title": "telephony: a PBX call event",
        "summary": "Something happened to a call: ringing, answered, transferred, ended or missed.",
        "description": _clean(telephony.__doc__),
        "contentType": "application/json",
        "payload": _schema_ref(spec, telephony.CallEvent),
        "examples": [{"name": "ringing", "payload": telephony.EXAMPLE}],
        "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING}},
    }
    channels["telephony.calls"] = {
        "address": telephony.BINDING_KEY,
        "title": f"{telephony.EXCHANGE} / call.<kind>",
        "summary": "Call events from the PBX, routing key call.<kind>; the interactions service consumes them in batches.",
        "messages": {"call_event": {"$ref": "#/components/messages/telephony.call_event"}},
        "bindings": _amqp_exchange(telephony.EXCHANGE),
    }
    operations["telephony.calls"] = {
        "action": "send",
        "title": "a PBX publishes call events",
        "channel": {"$ref": "#/channels/telephony.calls"},
        "messages": [{"$ref": "#/channels/telephony.calls/messages/call_event"}],
    }
    schemas = _open_to_additions(spec.to_dict()["components"]["schemas"])
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "CRM platform events", "version": "1.0.0", "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": {"host": "localhost:5672", "protocol": "amqp", "protocolVersion": "0.9.1",
                                 "description": "The platform's RabbitMQ (AMQP_URI)."}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def render() -> str:
    header = "# Generated by `python -m contracts.asyncapi` from contracts/; do not edit by hand.\n"
    return header + yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "committed", "generated", lineterm="", n=1)
            print("docs/asyncapi.yaml is stale; run `python -m contracts.asyncapi`:", file=sys.stderr)
            print("\n".join(list(diff)[:40]), file=sys.stderr)
            return 1
        print("docs/asyncapi.yaml is up to date")
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
