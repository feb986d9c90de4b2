"""A call from a client with exactly one open deal is about that deal: its subject is the deal
(the deal's interactions list it, ``list_by_subject``), its partner stays the client (the
client card lists it); with several open deals, or none, it is about the partner only.

Which deals of a partner are open is this service's own copy (``followed_deals``), kept from
deals' events (:func:`deal_opened`, :func:`deal_closed` for won and lost) and partners' merges
(merges.py), so matching a batch of calls costs one indexed lookup (:func:`link_to_only_open_deal`),
never a call to the deals service. A deal's events arrive on separate queues, in any order: a
closed deal stays as a closed row, and a late ``deal_opened`` does not open it again. Deals
opened before this service followed their events come from deals' replay of their current state
(crm_kit.replay, ``deal_snapshot``: :func:`deals_replayed`), asked once, when the service first
starts with this table.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from crm_kit.clock import aware
from crm_kit.db import upsert
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import FollowedDeal

OPEN_STATUSES = ("in_progress", "postponed")  # contracts.deals.DEAL_STATUSES that are not final


def deal_opened(session: Session, data: dict[str, Any], occurred_at: Any = None) -> None:
    """A deal was opened (``deal_opened``): open, unless its close was heard first."""
    statement = upsert(session, FollowedDeal.__table__).on_conflict_do_nothing(index_elements=["deal_id"])
    session.execute(statement, [{
        "deal_id": str(data["deal_id"]), "partner_id": str(data["partner_id"]),
        "open": data.get("status", "in_progress") in OPEN_STATUSES, "opened_at": _moment(occurred_at),
    }])


def deal_closed(session: Session, data: dict[str, Any]) -> None:
    """A deal was won or lost: closed for good (a final status never changes)."""
    statement = upsert(session, FollowedDeal.__table__)
    session.execute(statement.on_conflict_do_update(index_elements=["deal_id"], set_={"open": False}), [{
        "deal_id": str(data["deal_id"]), "partner_id": str(data["partner_id"]), "open": False, "opened_at": None,
    }])


def deals_replayed(session: Session, snapshots: list[dict[str, Any]]) -> None:
    """Deals as they are now (``deal_snapshot`` data): each open or not, in one upsert."""
    if not snapshots:
        return
    rows = {str(data["deal_id"]): {
        "deal_id": str(data["deal_id"]), "partner_id": str(data["partner_id"]), "open": data["status"] in OPEN_STATUSES,
        "opened_at": _moment(data["deal"].get("created_at")),
    } for data in snapshots}
    statement = upsert(session, FollowedDeal.__table__)
    session.execute(statement.on_conflict_do_update(
        index_elements=["deal_id"], set_={"partner_id": statement.excluded.partner_id, "open": statement.excluded.open},
    ), [rows[key] for key in sorted(rows)])


def _moment(value: Any) -> datetime | None:
    return aware(datetime.fromisoformat(value)) if isinstance(value, str) else aware(value)


def only_open_deals(session: Session, partner_ids: set[str]) -> dict[str, str]:
    """The deal of each of ``partner_ids`` that has exactly one open deal (one statement)."""
    if not partner_ids:
        return {}
    rows = session.execute(
        select(FollowedDeal.partner_id, func.count(), func.min(cast(FollowedDeal.deal_id, String)))
        .where(FollowedDeal.partner_id.in_(sorted(partner_ids)), FollowedDeal.open)
        .group_by(FollowedDeal.partner_id)
    ).all()
    return {str(partner_id): str(uuid.UUID(deal_id)) for partner_id, count, deal_id in rows if count == 1}


def link_to_only_open_deal(session: Session, records: list[dict[str, Any]]) -> None:
    """Make each call record (call_records.py) just matched to its partner about the partner's
    only open deal, when it has exactly one."""
    about_partner = [rec for rec in records
                     if rec["partner_id"] and rec["subject_kind"] == kind_rules.PARTNER and rec["subject_id"] == rec["partner_id"]]
    deals = only_open_deals(session, {rec["partner_id"] for rec in about_partner})
    for rec in about_partner:
        deal_id = deals.get(rec["partner_id"])
        if deal_id is not None:
            rec.update(subject_kind=kind_rules.DEAL, subject_id=deal_id)
