"""What the partners service replays to a consumer that starts late (crm_kit.replay): every
partner, tombstones of merged ones included, in the shape of its events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_kit.replay import SnapshotReader, after_key
from services.partners.models import Partner
from services.partners.schemas import partner_view

PARTNER_SNAPSHOT = "partner_snapshot"


def partner_snapshot(partner: Partner) -> dict[str, Any]:
    return {
        "partner_id": partner.id, "manager_id": partner.manager_id, "region": partner.region,
        "department": partner.department, "partner": partner_view(partner),
    }


def partner_pages(session: Session, page_size: int) -> Iterator[list[dict[str, Any]]]:
    after: str | None = None
    while True:
        partners = session.scalars(after_key(select(Partner), Partner, after).limit(page_size)).all()
        if not partners:
            return
        yield [partner_snapshot(partner) for partner in partners]
        after = partners[-1].id
        session.expunge_all()  # a page at a time in memory, however many partners there are


READERS = (SnapshotReader(PARTNER_SNAPSHOT, partner_pages),)
