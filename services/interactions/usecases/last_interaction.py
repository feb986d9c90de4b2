"""A partner's last-interaction date (``partner_activity``): what forgotten clients are found by
(agenda.py).

It moves on when an interaction with the partner has happened (in progress or done), never
back: registered or moved by hand one at a time, answered calls from the PBX a batch at a time.
When two partners merge, the survivor keeps the later of the two dates.

Who the partner belongs to, where it sits, whether it is a client and when it was registered
come from partners' events (:func:`follow_partners`), so a client never contacted is there too
and a forgotten client is its responsible manager's, not whoever made the last call. An
interaction with a partner not heard of yet from partners makes its row with the interaction's
responsible, region and department until the partner's events say otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from crm_kit.clock import aware
from crm_kit.db import upsert, utcnow
from services.interactions.domain import status as status_rules
from services.interactions.models import Interaction, PartnerActivity


def where_partners_sit(session: Session, partner_ids: set[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Each known partner's manager, region and department as partners' events said (one
    statement): what a call or task assigned through the partner's manager carries."""
    if not partner_ids:
        return {}
    rows = session.execute(
        select(PartnerActivity.partner_id, PartnerActivity.manager_id, PartnerActivity.region, PartnerActivity.department)
        .where(PartnerActivity.partner_id.in_(sorted(partner_ids)))
    ).all()
    return {str(row.partner_id): (row.manager_id, row.region, row.department) for row in rows}


def touch_partner(session: Session, interaction: Interaction) -> None:
    """Move the partner's last-interaction date on when this interaction happened."""
    if not interaction.partner_id or interaction.status not in status_rules.HAPPENED_STATUSES:
        return
    moment = aware(interaction.occurred_at or interaction.completed_at or interaction.created_at) or utcnow()
    _record(session, [{
        "partner_id": interaction.partner_id, "manager_id": interaction.responsible_id, "region": interaction.region,
        "department": interaction.department, "last_interaction_at": moment, "last_interaction_id": interaction.id,
    }])


def _followed(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"partner_id": str(data["partner_id"]), "manager_id": data.get("manager_id"),
                              "region": data.get("region"), "department": data.get("department")}
    partner = data.get("partner")
    if partner is not None:
        values.update(
            partner_name=partner.get("short_name"), client="client" in (partner.get("kinds") or ()),
            status=partner.get("status"), registered_at=aware(partner.get("created_at")),
        )
    return values


def follow_partners(session: Session, events_data: Iterable[dict[str, Any]]) -> None:
    """What partners events say of their partners (registered, updated, archived, unarchived,
    reassigned): manager, region, department and, where the event carries the partner, its
    name, whether a client, its status. One upsert per kind of event, partners in id order (a
    partner's events in the order given)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for values in sorted((_followed(data) for data in events_data), key=lambda v: v["partner_id"]):
        by_columns.setdefault(tuple(values), []).append(values)
    table = PartnerActivity.__table__
    for columns, rows in by_columns.items():
        statement = upsert(session, table)
        session.execute(statement.on_conflict_do_update(
            index_elements=["partner_id"], set_={key: statement.excluded[key] for key in columns if key != "partner_id"},
        ), rows)


def touch_partners(session: Session, records: Iterable[dict[str, Any]]) -> None:
    """Move each partner's last-interaction date on to its answered call (call records of the
    PBX batch), in one statement (an upsert, so two replicas touching one partner do not
    collide)."""
    _record(session, [
        {"partner_id": rec["partner_id"], "manager_id": rec["responsible_id"], "region": rec["region"],
         "department": rec["department"], "last_interaction_at": aware(rec["ended_at"] or rec["occurred_at"]),
         "last_interaction_id": rec["id"]}
        for rec in sorted(records, key=lambda r: r["partner_id"])
    ])


def _record(session: Session, values: list[dict[str, Any]]) -> None:
    """Insert or move on the last-interaction dates in ``values``, in one upsert: replicas, the
    PBX batch and partners' events (follow_partners) touching one partner do not collide."""
    if not values:
        return
    table = PartnerActivity.__table__
    statement = upsert(session, table)
    newer = statement.excluded.last_interaction_at > table.c.last_interaction_at
    statement = statement.on_conflict_do_update(
        index_elements=["partner_id"],
        # The manager, region and department of a known partner are its own (partners' events),
        # not the last call's: only the date and the interaction move on.
        set_={
            column: case(
                (or_(table.c.last_interaction_at.is_(None), newer), statement.excluded[column]), else_=table.c[column]
            )
            for column in ("last_interaction_at", "last_interaction_id")
        },
    )
    session.execute(statement, values)


def merge_last_interactions(session: Session, merged_id: str, survivor_id: str) -> None:
    """The merged partner's date goes to the survivor when it is later (or the survivor had
    none); the merged partner's row goes."""
    merged = session.get(PartnerActivity, merged_id, with_for_update=True)
    if merged is None:
        return
    survivor = session.get(PartnerActivity, survivor_id, with_for_update=True)
    if survivor is None:
        session.add(PartnerActivity(
            partner_id=survivor_id, manager_id=merged.manager_id, region=merged.region,
            department=merged.department, last_interaction_at=merged.last_interaction_at,
            last_interaction_id=merged.last_interaction_id,
        ))
    elif merged.last_interaction_at is not None and (
        survivor.last_interaction_at is None or aware(merged.last_interaction_at) > aware(survivor.last_interaction_at)
    ):
        survivor.last_interaction_at = merged.last_interaction_at
        survivor.last_interaction_id = merged.last_interaction_id
    session.delete(merged)
