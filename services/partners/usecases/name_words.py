"""The dictionary of name-key words (``name_words``) and its postings (``partner_name_words``)
the similar-name duplicate search reads on PostgreSQL (usecases/duplicates.py).

:func:`sync` brings one partner's postings in line with its current name key in one
set-based statement: the words its key no longer holds are deleted, the new ones inserted,
the key length of the others updated, and the dictionary's partner counts moved by the
difference. A tombstone of a merge is synced with an empty key (its words leave). Other
databases (SQLite, the embedded default) get the same rows from a few portable statements, so
the search finds the same duplicates there (usecases/duplicates.py).
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.orm import Session

from crm_kit.db import upsert
from services.partners.models import NameWord, PartnerNameWord

# Every table is touched once, so the data-modifying CTEs never meet the same row twice.
_SYNC = text(
    """
    WITH gone AS (
        DELETE FROM partner_name_words
        WHERE partner_id = :partner_id AND word <> ALL(CAST(:words AS text[]))
        RETURNING word
    ), kept AS (
        UPDATE partner_name_words SET key_length = :key_length
        WHERE partner_id = :partner_id AND word = ANY(CAST(:words AS text[])) AND key_length <> :key_length
        RETURNING word
    ), added AS (
        INSERT INTO partner_name_words (partner_id, word, key_length)
        SELECT :partner_id, w, :key_length FROM unnest(CAST(:words AS text[])) AS w
        ON CONFLICT (partner_id, word) DO NOTHING
        RETURNING word
    ), delta AS (
        SELECT word, sum(d) AS d
        FROM (SELECT word, -1 AS d FROM gone UNION ALL SELECT word, 1 FROM added) AS changes
        GROUP BY word
    )
    INSERT INTO name_words (word, partners)
    SELECT word, d FROM delta WHERE d <> 0
    ORDER BY word  -- every registration locks shared words in one order: no deadlock between two
    ON CONFLICT (word) DO UPDATE SET partners = name_words.partners + excluded.partners
    """
).bindparams(bindparam("partner_id"), bindparam("words"), bindparam("key_length"))


def words_of(key: str) -> list[str]:
    """The distinct words of a name key, sorted."""
    return sorted(set(key.split()))


def sync(session: Session, partner_id: str, key: str) -> None:
    """Make ``partner_id``'s postings those of ``key`` ("" removes them all)."""
    words = words_of(key)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_SYNC, {"partner_id": str(partner_id), "words": words, "key_length": len(key)})
        return
    postings = PartnerNameWord.__table__
    held = set(session.scalars(select(postings.c.word).where(postings.c.partner_id == partner_id)))
    gone, added = held - set(words), set(words) - held
    if gone:
        session.execute(delete(postings).where(postings.c.partner_id == partner_id, postings.c.word.in_(gone)))
    session.execute(
        update(postings).where(postings.c.partner_id == partner_id, postings.c.key_length != len(key)).values(key_length=len(key))
    )
    if added:
        session.execute(postings.insert(), [{"partner_id": partner_id, "word": w, "key_length": len(key)} for w in sorted(added)])
    dictionary = NameWord.__table__
    for word, change in sorted([(w, -1) for w in gone] + [(w, 1) for w in added]):
        statement = upsert(session, dictionary).values(word=word, partners=change)
        session.execute(statement.on_conflict_do_update(
            index_elements=[dictionary.c.word], set_={"partners": dictionary.c.partners + change}
        ))
