"""What deals replays to a late consumer keeps its snapshot contract, with stage history."""

from __future__ import annotations

from contracts.deals import DEAL_SNAPSHOT
from crm_kit.contracts import as_travelled
from services.deals.usecases import replay


def test_every_deal_is_replayed_with_its_stages_keeping_the_snapshot_contract(session, open_deal):
    made = [open_deal(amount="100.00") for _ in range(3)]

    pages = list(replay.deal_pages(session, 2))

    assert [len(page) for page in pages] == [2, 1]
    records = [record for page in pages for record in page]
    assert sorted(r["deal_id"] for r in records) == sorted(d["id"] for d in made)
    for record in records:
        DEAL_SNAPSHOT.check(as_travelled(record))
        assert [stay["stage"] for stay in record["stages"]] == ["lead"] and record["invoices"] == []
        assert (record["process_code"], record["region"], record["amount"]) == ("standard", "msk", "100.00")
