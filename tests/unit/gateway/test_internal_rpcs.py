"""Every service RPC the gateway never calls is marked ``@rpc(internal=True)`` (crm_kit.trust:
the kit then refuses a call the gateway signed), and no RPC the gateway calls is: checked over
every service in the registry, so a new service's unexposed RPC that is not marked fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_kit.entrypoints import Rpc
from crm_ops.registry import service_class, service_names

GATEWAY = Path(__file__).resolve().parents[3] / "gateway"


def gateway_calls() -> set[str]:
    """The RPC names the gateway's code names as strings (servicers, card, health)."""
    names: set[str] = set()
    for path in GATEWAY.rglob("*.py"):
        if "generated" not in path.parts:
            names.update(re.findall(r"\"([a-z_][a-z0-9_]*)\"", path.read_text(encoding="utf-8")))
    return names


def rpcs(service: str) -> dict[str, bool]:
    """Each RPC of ``service`` and whether it is internal."""
    found = {}
    for name, member in vars(service_class(service)).items():
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, Rpc):
                found[name] = entrypoint.internal
    return found


@pytest.mark.parametrize("service", service_names())
def test_what_the_gateway_never_calls_is_internal_and_what_it_calls_is_not(service):
    called = gateway_calls()
    methods = rpcs(service)
    assert methods, f"{service} has no RPCs"
    unmarked = sorted(name for name, internal in methods.items() if not internal and name not in called)
    assert not unmarked, f"{service}: RPCs the gateway never calls, not marked @rpc(internal=True): {unmarked}"
    refused = sorted(name for name, internal in methods.items() if internal and name in called)
    assert not refused, f"{service}: RPCs the gateway calls but marked internal (it would be refused): {refused}"
