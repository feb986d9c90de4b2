"""Which user answers which PBX extension, set by admins: a call from the PBX goes to the user
at its extension (call_ingest.py), with that extension's region and department."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_kit.access import require_role
from crm_kit.actor import ADMIN, HEAD_OF_SALES, SERVICE, Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import ValidationError
from crm_kit.validation import load
from services.interactions.models import Extension
from services.interactions.schemas import ExtensionIn
from services.interactions.views import extension_view


def set_extension(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    require_role(actor, (ADMIN,), "assign PBX extensions")
    data = load(ExtensionIn(), payload, what="extension")
    row = uow.session.get(Extension, data["extension"], with_for_update=True)
    if row is None:
        row = Extension(extension=data["extension"])
        uow.session.add(row)
    row.user_id, row.region, row.department = data["user_id"], data["region"], data["department"]
    row.updated_by, row.updated_at = actor.user_id, utcnow()
    uow.session.flush()
    return extension_view(row)


def list_extensions(session, actor: Actor) -> dict[str, Any]:
    """Who answers which extension: for administrators, heads of sales and services (the map
    of a sales floor is not every user's to read)."""
    require_role(actor, (ADMIN, HEAD_OF_SALES, SERVICE), "list PBX extensions")
    return {"items": [extension_view(e) for e in session.scalars(select(Extension).order_by(Extension.extension))]}


def remove_extension(uow: UnitOfWork, actor: Actor, extension: Any) -> dict[str, Any]:
    require_role(actor, (ADMIN,), "remove PBX extensions")
    if not isinstance(extension, str) or not 1 <= len(extension) <= 200:
        raise ValidationError.for_field("extension", "an extension (1 to 200 characters)")
    row = uow.session.get(Extension, extension, with_for_update=True)
    if row is not None:
        uow.session.delete(row)
    return {"extension": extension, "removed": row is not None}
