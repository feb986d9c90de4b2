"""What interactions replays to a late consumer keeps its snapshot contract, page by page."""

from __future__ import annotations

from contracts.interactions import INTERACTION_SNAPSHOT
from crm_kit.contracts import as_travelled
from services.interactions.usecases import replay


def test_every_interaction_is_replayed_once_in_pages_keeping_the_snapshot_contract(session, register, client):
    made = [register(participants=[{"name": "Директор", "partner_id": client["id"]}]) for _ in range(3)]
    made.append(register(kind="email", planned_at=None, place=None, email_subject="КП", body="Текст письма",
                         email_from="anna@crm.example", email_to=["petr@romashka.ru"]))

    pages = list(replay.interaction_pages(session, 3))

    assert [len(page) for page in pages] == [3, 1]
    records = [record for page in pages for record in page]
    assert sorted(r["interaction_id"] for r in records) == sorted(i["id"] for i in made)
    for record in records:
        INTERACTION_SNAPSHOT.check(as_travelled(record))  # no body, no participants: as the events
        assert record["partner_id"] == client["id"] and record["region"] == "msk"
