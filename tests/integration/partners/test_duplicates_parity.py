"""Duplicate control finds and ranks the same duplicates on the embedded default (SQLite) as on
PostgreSQL: names with Latin look-alike letters inside Cyrillic words, words in another order,
another transliteration, a typo; among a few hundred other partners."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.orm import sessionmaker

from crm_kit.actor import Actor
from crm_kit.db import make_engine
from crm_ops.migrations import upgrade
from services.partners.domain.names import name_key
from services.partners.models import Partner
from services.partners.usecases import name_words
from services.partners.usecases.duplicates import find_duplicates
from tests.support.platform import sqlalchemy_url

ADMIN = Actor("root", roles=("admin",))
KNOWN = ["ООО «Северная звезда»", "АО «Технологии будущего»", "ООО «Ромашка»", "ИП Иванов Сергей Петрович",
         "ООО «Газпром трансгаз Москва»", "ЗАО «Уральские самоцветы»"]
WORDS = ["торговый", "дом", "альфа", "строй", "север", "восток", "логистик", "сервис", "групп", "мед", "агро",
         "профи", "лист", "металл", "инвест", "трейд", "техно", "вектор", "ресурс", "капитал"]
CANDIDATES = [
    "ООО «Cеверная звeзда»",  # Latin C and e inside Cyrillic words
    "ООО «Звезда Северная»",  # the words in another order
    "Severnaja Zvezda",  # another transliteration
    "OOO Severnaya zvezda",
    "ООО «Ромашко»",  # a typo
    "Технологии будущего",
    "ИП Ivanov Sergei Petrovich",
    "Уральские самоцветы плюс",
    "Совсем другое имя",
]


def _store(url: str):
    upgrade("partners", url)
    engine = make_engine(url)
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    rng = random.Random(7)
    names = KNOWN + [f"ООО «{' '.join(rng.sample(WORDS, 2)).title()} {n}»" for n in range(300)]
    with make_session() as session:
        for n, name in enumerate(names):
            # Fixed ids: the two databases must hold the same partners for rankings to compare.
            partner = Partner(id=f"00000000-0000-4000-8000-{n:012d}", legal_form="legal_entity", short_name=name,
                              name_key=name_key(name), status="active")
            session.add(partner)
            session.flush()
            name_words.sync(session, partner.id, partner.name_key)
        session.commit()
    return engine, make_session


@pytest.fixture(scope="module")
def stores(infra, tmp_path_factory):
    """The same partners on SQLite and on PostgreSQL."""
    sqlite_engine, sqlite = _store(f"sqlite:///{tmp_path_factory.mktemp('parity') / 'partners.db'}")
    pg_engine, postgres = _store(sqlalchemy_url(infra.database("crm_test_duplicates_parity")))
    yield {"sqlite": sqlite, "postgresql": postgres}
    sqlite_engine.dispose()
    pg_engine.dispose()


@pytest.mark.parametrize("name", CANDIDATES)
def test_both_stores_find_and_rank_the_same_duplicates(stores, name):
    found = {}
    for store, make_session in stores.items():
        with make_session() as session:
            found[store] = find_duplicates(session, ADMIN, {"name": name})["duplicates"]
    if name != "Совсем другое имя":
        assert found["postgresql"], f"no duplicate of {name!r}"
        assert found["postgresql"][0]["name"] in KNOWN
    assert found["sqlite"] == found["postgresql"]
