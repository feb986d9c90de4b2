"""The events each service publishes, one contract per event: its name, version, what it is
about and the schema of its data (crm_kit.contracts has the machinery). The producer emits
through the contract (``uow.emit(contracts.partners.PARTNER_REGISTERED, data)``) and every
consumer reads through it (``@handles(contracts.partners.PARTNERS_MERGED)``). ``docs/asyncapi.yaml``
is generated from here (``python -m contracts.asyncapi``).

This package imports crm_kit and marshmallow only: services, the gateway and tests import it.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from crm_kit.contracts import EventContract, catalogue_of
from crm_kit.errors import ValidationError


def _service_modules() -> list[ModuleType]:
    """Every module here that declares a service's events (``SOURCE`` and ``ALL``), in name
    order: a new service's ``contracts/<name>.py`` joins the catalogue without an edit here."""
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
               if not info.name.startswith("_") and info.name != "asyncapi"]
    return [module for module in modules if hasattr(module, "SOURCE") and hasattr(module, "ALL")]


SERVICE_MODULES = _service_modules()
ALL: tuple[EventContract, ...] = tuple(c for module in SERVICE_MODULES for c in module.ALL)
# What a source replays to one late consumer (crm_kit.replay), on the ``replay`` exchange.
SNAPSHOTS: tuple[EventContract, ...] = tuple(c for module in SERVICE_MODULES for c in getattr(module, "SNAPSHOTS", ()))
_CATALOGUE = catalogue_of(*ALL, *SNAPSHOTS)


def find(source: str, name: str, version: int = 1) -> EventContract | None:
    """The contract of ``source``'s event ``name`` at ``version``, or None when there is none."""
    return _CATALOGUE.get((source, name, version))


def check_envelope(envelope: Any) -> None:
    """Refuse (ValidationError naming the fields) an event as it travelled that breaks its
    contract, or that no contract describes: what a test asks of every event a service published."""
    if not isinstance(envelope, dict):
        raise ValidationError("an event is a JSON object", {"event": ["must be an object"]})
    contract = find(envelope.get("source"), envelope.get("event_type"), envelope.get("version"))
    if contract is None:
        raise ValidationError(
            f"no contract for {envelope.get('source')}.{envelope.get('event_type')} v{envelope.get('version')}",
            {"event_type": ["no contract describes it"]},
        )
    contract.check_envelope(envelope)
