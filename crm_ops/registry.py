"""The services that exist: every folder under ``services/`` with a ``service.py``.

Only the ops package (the runner and the CLI) imports service modules; services never import each other.
"""

from __future__ import annotations

import importlib
import inspect

from crm_kit.config import SERVICES_DIR, service_folders

__all__ = ["SERVICES_DIR", "service_class", "service_names"]


def service_names() -> list[str]:
    """Every folder under ``services/`` with a ``service.py``, in name order."""
    return service_folders()


def service_class(name: str) -> type:
    """The nameko service class of ``services/<name>/service.py`` (its ``name`` is ``name``)."""
    if name not in service_names():
        raise LookupError(f"no service {name!r}; known: {', '.join(service_names()) or 'none'}")
    module = importlib.import_module(f"services.{name}.service")
    for _, value in inspect.getmembers(module, inspect.isclass):
        if getattr(value, "name", None) == name and value.__module__ == module.__name__:
            return value
    raise LookupError(f"services/{name}/service.py defines no class with name = {name!r}")
