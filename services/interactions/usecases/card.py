"""The interactions section of the client card: one RPC, one statement, with the partner's latest
interactions, the planned ones and the open call-back tasks, over what the actor may see.

The database builds the section as one JSON document (crm_kit.reads, a prepared statement with
the access rule as parameters): nothing is built per row in Python."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_kit import reads
from crm_kit.access import access_parameters
from crm_kit.actor import Actor
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction, Task
from services.interactions.usecases.lookup import INTERACTIONS, TASKS
from services.interactions.usecases.tasks import OPEN
from services.interactions.views import INTERACTION_SUMMARY, TASK

LAST_SHOWN, UPCOMING_SHOWN, TASKS_SHOWN = 5, 20, 20


def _section() -> reads.Prepared:
    """The section's document for the ``partner_id`` parameter and the actor's access parameters."""
    partner_id = reads.parameter("partner_id", Interaction.partner_id.type)
    of_partner = (Interaction.partner_id == partner_id, INTERACTIONS.visible_to_parameters())
    # OR of equalities rather than IN: an IN list is expanded at execution, a prepared
    # statement cannot be.
    happened = or_(*(Interaction.status == status for status in status_rules.HAPPENED_STATUSES))
    last = reads.rows(
        select(INTERACTION_SUMMARY).where(*of_partner, happened),
        order_by=[Interaction.created_at.desc(), Interaction.id.desc()], limit=LAST_SHOWN,
    )
    upcoming = reads.rows(
        select(INTERACTION_SUMMARY).where(*of_partner, Interaction.status == status_rules.PLANNED),
        order_by=[Interaction.planned_at, Interaction.id], limit=UPCOMING_SHOWN,
    )
    tasks = reads.rows(
        select(TASK).where(Task.partner_id == partner_id, Task.status == OPEN, TASKS.visible_to_parameters()),
        order_by=[Task.due_at, Task.id], limit=TASKS_SHOWN,
    )
    return reads.Prepared(select(reads.record(last_interactions=last, upcoming=upcoming, open_tasks=tasks)))


SECTION = _section()


def card_section(session: Session, actor: Actor, partner_id: str) -> dict[str, Any]:
    """What the client card shows from interactions: ``last_interactions`` (the 5 latest that
    happened, newest first), ``upcoming`` (planned ones, soonest first, at most 20) and
    ``open_tasks`` (call-backs of missed calls, soonest due first, at most 20). Only what the
    actor may see."""
    document = reads.one(session, SECTION, partner_id=partner_id, **access_parameters(actor))
    return {"partner_id": partner_id, **document}
