"""What partners replays to a late consumer keeps its snapshot contract, tombstones included."""

from __future__ import annotations

from contracts.partners import PARTNER_SNAPSHOT
from crm_kit.contracts import as_travelled
from services.partners.usecases import replay


def test_every_partner_is_replayed_keeping_the_snapshot_contract(session, make_partner):
    made = [make_partner(f"Ромашка {n}", manager_id="anna", region="moscow") for n in range(2)]
    made.append(make_partner("Старая", status="merged"))

    records = [record for page in replay.partner_pages(session, 2) for record in page]

    assert sorted(r["partner_id"] for r in records) == sorted(p.id for p in made)
    for record in records:
        PARTNER_SNAPSHOT.check(as_travelled(record))
    assert sorted(r["partner"]["status"] for r in records) == ["active", "active", "merged"]
