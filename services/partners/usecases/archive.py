"""Archiving a partner a company no longer works with, and taking it out of the archive.

An archived partner keeps everything it holds and its history; it leaves searches (unless asked
for, ``status: archived``), caller matching and the duplicate checks' blocks (a duplicate
check still names it, as archived, and never refuses a registration for it). Whoever may change
the partner may archive it, with a reason; ``partner_archived`` / ``partner_unarchived`` tell
the other services.
"""

from __future__ import annotations

from typing import Any

from contracts import partners as events
from crm_kit.actor import Actor
from crm_kit.clock import utcnow
from crm_kit.db import UnitOfWork
from crm_kit.errors import PreconditionFailed
from crm_kit.validation import load
from services.partners.models import ACTIVE, ARCHIVED, Partner
from services.partners.schemas import ArchiveIn
from services.partners.usecases.about import about_partner
from services.partners.usecases.lookup import PARTNERS
from services.partners.views import partner_view


def _partner_in(uow: UnitOfWork, actor: Actor, partner_id: str, status: str, doing: str) -> Partner:
    partner = PARTNERS.for_change(uow.session, actor, partner_id)
    if partner.status != status:
        raise PreconditionFailed(
            f"partner {partner_id} is {partner.status}: only an {status} partner can be {doing}",
            {"status": partner.status},
        )
    return partner


def archive(uow: UnitOfWork, actor: Actor, partner_id: str, payload: Any) -> dict[str, Any]:
    """Archive an active partner with a reason (ValidationError without one; NotFound when the
    actor may not see it; PreconditionFailed when it is merged or archived already)."""
    data = load(ArchiveIn(), payload, what="archive")
    partner = _partner_in(uow, actor, partner_id, ACTIVE, "archived")
    partner.status = ARCHIVED
    partner.archived_at = utcnow()
    partner.archived_by = actor.user_id
    partner.archive_reason = data["reason"]
    uow.session.flush()
    view = partner_view(partner)
    uow.emit(events.PARTNER_ARCHIVED, {**about_partner(partner), "reason": data["reason"], "partner": view})
    return view


def unarchive(uow: UnitOfWork, actor: Actor, partner_id: str) -> dict[str, Any]:
    """Take an archived partner back (PreconditionFailed when it is not archived)."""
    partner = _partner_in(uow, actor, partner_id, ARCHIVED, "taken out of the archive")
    partner.status = ACTIVE
    partner.archived_at = partner.archived_by = partner.archive_reason = None
    uow.session.flush()
    view = partner_view(partner)
    uow.emit(events.PARTNER_UNARCHIVED, {**about_partner(partner), "reason": None, "partner": view})
    return view
