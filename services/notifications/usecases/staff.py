"""Where the platform's own users are reached (reminders, missed calls, stuck deals go to
them): set by administrators, since the identity provider is not asked per message."""

from __future__ import annotations

from typing import Any

from crm_kit.access import require_operator, require_role
from crm_kit.actor import ADMIN, Actor
from crm_kit.db import UnitOfWork
from crm_kit.errors import NotFound, ValidationError
from crm_kit.validation import load
from services.notifications import views
from services.notifications.models import StaffContact
from services.notifications.schemas import StaffContactPayload


def _user_id(user_id: Any) -> str:
    if not isinstance(user_id, str) or not 1 <= len(user_id.strip()) <= 64:
        raise ValidationError("a user id is 1 to 64 characters", {"user_id": ["1 to 64 characters"]})
    return user_id.strip()


def set_staff_contact(uow: UnitOfWork, actor: Actor, user_id: Any, payload: Any) -> dict[str, Any]:
    """Set where user ``user_id`` is reached (``{full_name?, email?, phone?}``; what is not
    given is cleared). Administrators only."""
    require_role(actor, (ADMIN,), "set staff contacts")
    user_id = _user_id(user_id)
    data = load(StaffContactPayload(), payload, what="staff contact")
    row = uow.session.get(StaffContact, user_id, with_for_update=True)
    if row is None:
        row = StaffContact(user_id=user_id)
        uow.session.add(row)
    row.full_name, row.email, row.phone = data["full_name"], data["email"], data["phone"]
    row.updated_by = actor.user_id
    uow.session.flush()
    return views.staff_contact(row)


def get_staff_contact(session, actor: Actor, user_id: Any) -> dict[str, Any]:
    """Where user ``user_id`` is reached: the user themself, administrators and services."""
    user_id = _user_id(user_id)
    if actor.user_id != user_id:
        require_operator(actor, "read another user's contacts")
    row = session.get(StaffContact, user_id)
    if row is None:
        raise NotFound(f"no contacts set for user {user_id!r}", {"user_id": user_id})
    return views.staff_contact(row)
