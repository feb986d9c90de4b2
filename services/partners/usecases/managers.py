"""The responsible manager of a partner: reassigning one partner, handing a manager's whole
client base to another, and the history of who was responsible.

Every change writes a ``manager_assignments`` row (the history) and a ``partner_reassigned``
event in the same transaction as the partner's new manager.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import DateTime, String, insert, literal, select, update
from sqlalchemy.orm import Session

from contracts import partners as events
from crm_kit import access
from crm_kit.actor import Actor
from crm_kit.db import UnitOfWork, utcnow
from crm_kit.errors import PermissionDenied, PreconditionFailed, ValidationError
from crm_kit.validation import load, uuid_arg
from services.partners.models import ACTIVE, ManagerAssignment, Partner
from services.partners.schemas import HandoverIn, ReassignIn
from services.partners.usecases.about import about_partner
from services.partners.usecases.lookup import PARTNERS, partner_for_change
from services.partners.views import assignment_view

# Partners moved per statement in a handover: keeps IN lists well under SQLite's and
# PostgreSQL's parameter limits and each statement short.
HANDOVER_CHUNK = 500


def _reassigned(about: dict[str, Any], previous: str | None, reason: str | None, handover_id: str | None) -> dict[str, Any]:
    """partner_reassigned's data: ``about`` the partner as it is now (its new manager)."""
    return {**about, "previous_manager_id": previous, "reason": reason, "handover_id": handover_id}


def reassign(uow: UnitOfWork, actor: Actor, partner_id: str, payload: Any) -> dict[str, Any]:
    """Give one partner another responsible manager (and department, when given).

    Refuses a bad payload (ValidationError), a partner the actor may not see (NotFound),
    moving it to a department out of the actor's reach (PermissionDenied), and a reassignment
    that changes nothing (PreconditionFailed).
    Answers the history row written.
    """
    partner_id = uuid_arg(partner_id, "partner_id")
    data = load(ReassignIn(), payload, what="assignment")
    session = uow.session
    partner = partner_for_change(session, actor, partner_id)
    department = data["department"] or partner.department
    if data["manager_id"] == partner.manager_id and department == partner.department:
        raise PreconditionFailed(
            f"{data['manager_id']} is already responsible for partner {partner_id}",
            {"manager_id": partner.manager_id, "department": partner.department},
        )
    if department != partner.department and not access.can_see(
        actor, partner.manager_id, partner.region, department
    ):
        raise PermissionDenied(
            "you may not move the partner to a department out of your reach", {"department": department}
        )

    previous = partner.manager_id
    row = ManagerAssignment(
        partner_id=partner.id,
        manager_id=data["manager_id"],
        previous_manager_id=previous,
        department=department,
        reason=data["reason"],
        changed_at=utcnow(),
        changed_by=actor.user_id,
    )
    session.add(row)
    partner.manager_id = data["manager_id"]
    partner.department = department
    session.flush()
    uow.emit(
        events.PARTNER_REASSIGNED,
        _reassigned(about_partner(partner), previous, data["reason"], None),
    )
    return assignment_view(row)


def _handover_scope(actor: Actor, data: dict[str, Any]) -> list:
    """The conditions on partners the actor may hand over: an admin any, a head of sales only
    those of their department (and only into it)."""
    conditions = [Partner.manager_id == data["from_manager_id"], Partner.status == ACTIVE]
    if actor.is_admin:
        return conditions
    access.require_sales_head(actor, "hand over a client base")
    if not actor.department:
        raise PermissionDenied("a head of sales without a department has no client base to hand over",
                               {"department": None})
    if data["department"] and data["department"] != actor.department:
        raise PermissionDenied(
            "a head of sales hands partners over within their own department",
            {"department": data["department"], "allowed": actor.department},
        )
    return conditions + [Partner.department == actor.department]


def handover(uow: UnitOfWork, actor: Actor, payload: Any) -> dict[str, Any]:
    """Move every active partner of ``from_manager_id`` to ``manager_id`` at once.

    Only an administrator, or a head of sales for the partners of their department
    (PermissionDenied otherwise). Writes one history row and one ``partner_reassigned`` per
    partner, all carrying the same ``handover_id``. Answers {handover_id, count, partner_ids}.
    """
    data = load(HandoverIn(), payload, what="handover")
    if data["from_manager_id"] == data["manager_id"]:
        raise ValidationError.for_field("manager_id", "hand the partners over to another manager")
    conditions = _handover_scope(actor, data)
    session = uow.session
    # Lock the rows first (in id order, so two handovers cannot deadlock): the history, the
    # update and the events below are about exactly these partners.
    moving = session.execute(
        select(Partner.id, Partner.manager_id, Partner.region, Partner.department, Partner.segment)
        .where(*conditions).order_by(Partner.id).with_for_update()
    ).all()
    handover_id = str(uuid.uuid4())
    now = utcnow()
    new_manager, new_department, reason = data["manager_id"], data["department"], data["reason"]
    for start in range(0, len(moving), HANDOVER_CHUNK):
        ids = [row.id for row in moving[start:start + HANDOVER_CHUNK]]
        # History first: it reads each partner's manager and department before the update.
        session.execute(
            insert(ManagerAssignment).from_select(
                ["partner_id", "manager_id", "previous_manager_id", "department", "reason", "changed_at",
                 "changed_by"],
                select(
                    Partner.id,
                    literal(new_manager, String(64)),
                    Partner.manager_id,
                    literal(new_department, String(100)) if new_department else Partner.department,
                    literal(reason, String()),
                    literal(now, DateTime(timezone=True)),
                    literal(actor.user_id, String(64)),
                ).where(Partner.id.in_(ids)),
            )
        )
        values: dict[str, Any] = {"manager_id": new_manager, "updated_at": now}
        if new_department:
            values["department"] = new_department
        session.execute(
            update(Partner).where(Partner.id.in_(ids)).values(**values).execution_options(synchronize_session="fetch")
        )
    for row in moving:
        uow.emit(
            events.PARTNER_REASSIGNED,
            _reassigned({**about_partner(row), "manager_id": new_manager, "department": new_department or row.department},
                        data["from_manager_id"], reason, handover_id),
        )
    return {"handover_id": handover_id, "count": len(moving), "partner_ids": [row.id for row in moving]}


def manager_history(session: Session, actor: Actor, partner_id: str) -> list[dict[str, Any]]:
    """Who was responsible for a partner the actor may see, newest first."""
    partner = PARTNERS.for_read(session, actor, uuid_arg(partner_id, "partner_id"))
    rows = session.scalars(
        select(ManagerAssignment)
        .where(ManagerAssignment.partner_id == partner.id)
        .order_by(ManagerAssignment.changed_at.desc(), ManagerAssignment.id.desc())
    ).all()
    return [assignment_view(row) for row in rows]
