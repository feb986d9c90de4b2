"""Reading the interactions service's records as the actor may: the row-level guards
(crm_kit.access) of interactions (on their responsible user, region and department), of the
tasks made for people (on their assignee) and of partners' last-interaction dates (on the
manager responsible for the last interaction)."""

from __future__ import annotations

from crm_kit.access import RowAccess
from services.interactions.models import Interaction, PartnerActivity, Task

INTERACTIONS = RowAccess(
    Interaction, "interaction", owner=Interaction.responsible_id, region=Interaction.region, department=Interaction.department
)
TASKS = RowAccess(Task, "task", owner=Task.assignee_id, region=Task.region, department=Task.department)
PARTNER_ACTIVITY = RowAccess(
    PartnerActivity, "partner_activity", owner=PartnerActivity.manager_id, region=PartnerActivity.region,
    department=PartnerActivity.department,
)
