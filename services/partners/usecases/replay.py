"""What the partners service replays to a consumer that starts late (crm_kit.replay): every
partner, tombstones of merged ones included (contracts.partners.PARTNER_SNAPSHOT)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.partners import PARTNER_SNAPSHOT
from crm_kit.replay import SnapshotReader, pages_by_id
from services.partners.models import Partner
from services.partners.usecases.about import about_partner
from services.partners.views import partner_view


def partner_snapshot(partner: Partner) -> dict[str, Any]:
    return {**about_partner(partner), "kinds": partner.kind_names, "partner": partner_view(partner)}


def partner_pages(session: Session, page_size: int) -> Iterator[list[dict[str, Any]]]:
    return pages_by_id(session, select(Partner), Partner, page_size, partner_snapshot)


READERS = (SnapshotReader(PARTNER_SNAPSHOT, partner_pages),)
