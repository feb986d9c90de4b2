"""Archiving a partner: out of searches and duplicate blocks, still named as archived; back again."""

from __future__ import annotations

import pytest

from contracts import partners as events
from crm_kit.errors import NotFound, PreconditionFailed, ValidationError
from services.partners.usecases import archive, duplicates, search
from tests.unit.partners_usecases.conftest import ADMIN_ACTOR, MANAGER_MOSCOW, MANAGER_SPB


@pytest.fixture
def partner(make_partner, session):
    partner = make_partner("ООО «Ромашка»", manager_id="m-moscow", region="moscow", department="north")
    partner.inn = "7707083893"
    session.flush()
    return partner


def test_archive_keeps_the_partner_out_of_searches_and_records_why(session, uow_for, partner):
    uow = uow_for(MANAGER_MOSCOW)
    view = archive.archive(uow, MANAGER_MOSCOW, partner.id, {"reason": "закрылась"})

    assert view["status"] == "archived" and view["archive_reason"] == "закрылась"
    assert view["archived_by"] == "m-moscow" and view["archived_at"]
    (contract, data), = uow.events
    assert contract == events.PARTNER_ARCHIVED and data["reason"] == "закрылась" and data["partner_id"] == partner.id
    assert search.search(session, ADMIN_ACTOR, {"text": "Ромашка"})["items"] == []
    archived = search.search(session, ADMIN_ACTOR, {"text": "Ромашка", "status": "archived"})["items"]
    assert [p["id"] for p in archived] == [partner.id]


def test_an_archived_partner_is_named_but_never_blocks(session, uow_for, partner):
    archive.archive(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, partner.id, {"reason": "дубль старой базы"})
    report = duplicates.find(session, duplicates.Candidate(partner_id=None, name="Ромашка", inn="7707083893"),
                             ADMIN_ACTOR)
    (match,) = report.matches
    assert (match.partner_id, match.status, match.strength) == (partner.id, "archived", "strong")
    assert not report.has_strong  # a registration under "block" goes through


def test_unarchive_brings_it_back(session, uow_for, partner):
    archive.archive(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, partner.id, {"reason": "пауза"})
    uow = uow_for(ADMIN_ACTOR)
    view = archive.unarchive(uow, ADMIN_ACTOR, partner.id)
    assert view["status"] == "active" and view["archived_at"] is None and view["archive_reason"] is None
    assert uow.events[0][0] == events.PARTNER_UNARCHIVED
    assert [p["id"] for p in search.search(session, ADMIN_ACTOR, {"text": "Ромашка"})["items"]] == [partner.id]


def test_refusals(uow_for, partner):
    with pytest.raises(ValidationError) as missing:
        archive.archive(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, partner.id, {})
    assert "reason" in missing.value.details
    with pytest.raises(NotFound):
        archive.archive(uow_for(MANAGER_SPB), MANAGER_SPB, partner.id, {"reason": "не мой"})
    with pytest.raises(PreconditionFailed):
        archive.unarchive(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, partner.id)
    archive.archive(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, partner.id, {"reason": "раз"})
    with pytest.raises(PreconditionFailed) as twice:
        archive.archive(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, partner.id, {"reason": "два"})
    assert twice.value.details == {"status": "archived"}


def test_search_by_source(session, make_partner):
    fair = make_partner("Выставочный", region="moscow")
    fair.source = "exhibition"
    make_partner("Сайтовый", region="moscow").source = "website"
    session.flush()
    found = search.search(session, ADMIN_ACTOR, {"source": "exhibition"})["items"]
    assert [p["id"] for p in found] == [fair.id]
