"""The services that exist: every folder under ``services/`` with a ``service.py``.

Only the ops package (the runner and the CLI) imports service modules; services never import each other.
"""

from __future__ import annotations

import importlib
import inspect

from crm_kit.config import ROOT

SERVICES_DIR = ROOT / "services"


def service_names() -> list[str]:
    return sorted(
        path.parent.name
        for path in SERVICES_DIR.glob("*/service.py")
        if not path.parent.name.startswith("_")
    )


def service_class(name: str) -> type:
    """The nameko service class of ``services/<name>/service.py`` (its ``name`` is ``name``)."""
    if name not in service_names():
        raise LookupError(f"no service {name!r}; known: {', '.join(service_names()) or 'none'}")
    module = importlib.import_module(f"services.{name}.service")
    for _, value in inspect.getmembers(module, inspect.isclass):
        if getattr(value, "name", None) == name and value.__module__ == module.__name__:
            return value
    raise LookupError(f"services/{name}/service.py defines no class with name = {name!r}")
