"""Finding possible duplicates of a candidate partner in the database.

The SQL side only narrows 1M partners down to a few dozen rows through indexes (same INN, same
phone, same email, same corporate domain, same or similar canonical name); the ranking and the
reasons are the domain's (``domain/duplicates.py``). The similar-name lookup goes through the
dictionary of name words (``usecases/name_words.py``: typo'd words find their neighbours by
trigrams among the distinct words, then the partners holding the rarest of them). On
PostgreSQL the whole search is one statement (pg_trgm); elsewhere (SQLite, the embedded
default) the same steps run in Python over the same tables with pg_trgm's similarity
(``domain/names.trigram_similarity``), so both find and rank the same duplicates.

Duplicate control is global on purpose: a manager must hear that another manager's client
already exists, so candidates are found across all partners, whoever sees them; only ids,
names, and the evidence are disclosed, and of a partner the caller may not see only that it
exists and who its manager is.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select, text, union_all
from sqlalchemy.orm import Session

from crm_kit import access
from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, SERVICE, Actor
from crm_kit.validation import load
from services.partners.domain import contacts as contact_rules
from services.partners.domain.duplicates import Candidate, DuplicateReport, ExistingPartner, rank_duplicates
from services.partners.domain.names import name_key, trigram_similarity
from services.partners.models import MERGED, Email, NameWord, Partner, PartnerNameWord, Phone
from services.partners.schemas import CandidateIn
from services.partners.usecases import name_words

# Who may look for duplicates: the people who register partners, and the platform.
SALES_ROLES = (ADMIN, SERVICE, HEAD_OF_SALES, MANAGER)
PER_REASON_LIMIT = 20
# The domain calls two names similar from token_sort_ratio 85 (domain/names.py): then neither
# key can be more than 1.353 times (1.15 / 0.85) as long as the other.
LENGTH_RATIO = 1.15 / 0.85
# Similar-name search on PostgreSQL (see _SIMILAR_NAME): dictionary neighbours per query word,
# query words looked up (the rarest), partners ranked by similarity afterwards.
NEIGHBOURS_PER_WORD = 3
PICKED_WORDS = 2
NAME_POOL = 60
# A neighbour of a typo'd word is about as long (the index on (length, trigrams) uses it).
WORD_LENGTH_GAP = 3
# pg_trgm's default similarity threshold (the ``%`` operator), which _SIMILAR_NAME relies on.
TRIGRAM_THRESHOLD = 0.3

# Partners whose name key is like ``:key``, through the word dictionary (usecases/name_words.py):
# each word of the key is its own dictionary entry when it is one (no trigram lookup then),
# else its nearest entries of about its length by trigram similarity (pg_trgm's default
# threshold 0.3, not set per call: words of five letters with one typo are just above it),
# through the GIN index on (length(word), word gin_trgm_ops); the two rarest query words are
# looked up in the postings, inside the length window the domain could still call similar;
# the partners matching most of them, nearest in length, are ranked by similarity to the key.
_SIMILAR_NAME = f"""
exact AS (
    SELECT w.word AS qword, w.word, w.partners FROM name_words w
    WHERE w.word = ANY(CAST(:words AS text[])) AND w.partners > 0
), sim AS MATERIALIZED (
    SELECT qword, word, partners FROM exact
    UNION ALL
    SELECT u.qword, d.word, d.partners
    FROM unnest(CAST(:words AS text[])) AS u(qword)
    CROSS JOIN LATERAL (
        SELECT w.word, w.partners FROM name_words w
        WHERE w.word % u.qword AND w.partners > 0
          AND length(w.word) BETWEEN length(u.qword) - {WORD_LENGTH_GAP} AND length(u.qword) + {WORD_LENGTH_GAP}
        ORDER BY similarity(w.word, u.qword) DESC LIMIT {NEIGHBOURS_PER_WORD}
    ) AS d
    WHERE length(u.qword) >= 3 AND NOT EXISTS (SELECT 1 FROM exact e WHERE e.qword = u.qword)
), pick AS (
    SELECT qword, row_number() OVER (ORDER BY sum(partners), qword) AS r
    FROM sim GROUP BY qword ORDER BY sum(partners), qword LIMIT {PICKED_WORDS}
), hits AS (
    SELECT nw.partner_id,
           max((pick.r = 1)::int) + max((pick.r = 2)::int) AS matched,
           min(abs(nw.key_length - :key_length)) AS length_gap
    FROM sim JOIN pick USING (qword)
    JOIN partner_name_words nw ON nw.word = sim.word AND nw.key_length BETWEEN :shortest AND :longest
    GROUP BY nw.partner_id ORDER BY matched DESC, length_gap, nw.partner_id LIMIT {NAME_POOL}
), similar_name AS (
    SELECT p.id FROM hits JOIN partners p ON p.id = hits.partner_id
    WHERE p.status <> 'merged'
    ORDER BY similarity(p.name_key, :key) DESC, p.id LIMIT {PER_REASON_LIMIT}
)"""
_BRANCHES = {
    "inn": "SELECT id FROM partners WHERE inn = :inn AND status <> 'merged'",
    "phones": "SELECT partner_id FROM phones WHERE number = ANY(CAST(:phones AS text[]))",
    "emails": "SELECT partner_id FROM emails WHERE address = ANY(CAST(:emails AS text[]))",
    "domains": "SELECT partner_id FROM emails WHERE domain = ANY(CAST(:domains AS text[]))",
    "key": "SELECT id FROM partners WHERE name_key = :key AND status <> 'merged'",
}
# The candidates' rows with their phones and emails, in the same statement.
_ROWS = """
SELECT p.id, p.short_name, p.inn, p.kpp, p.status, p.name_key, p.manager_id, p.region, p.department,
       ARRAY(SELECT ph.number FROM phones ph WHERE ph.partner_id = p.id ORDER BY ph.id) AS phones,
       ARRAY(SELECT e.address FROM emails e WHERE e.partner_id = p.id ORDER BY e.id) AS emails
FROM (SELECT DISTINCT id FROM candidate_ids) AS c JOIN partners p ON p.id = c.id"""


def _domains(candidate: Candidate) -> list[str]:
    return sorted({d for e in candidate.emails if (d := contact_rules.corporate_domain(e))})


def _existing_postgres(session: Session, candidate: Candidate) -> list[tuple[ExistingPartner, tuple]]:
    """PostgreSQL: the candidates and their evidence in one statement (one round trip)."""
    key = name_key(candidate.name) if candidate.name else ""
    params: dict = {
        "inn": candidate.inn, "phones": list(candidate.phones), "emails": list(candidate.emails),
        "domains": _domains(candidate), "key": key,
    }
    branches = [f"({sql} LIMIT {PER_REASON_LIMIT})" for name, sql in _BRANCHES.items() if params[name]]
    ctes = []
    if key and len(key) >= 3:
        ctes.append(_SIMILAR_NAME)
        branches.append("(SELECT id FROM similar_name)")
        params.update(
            words=sorted(set(key.split())), key_length=len(key),
            shortest=math.ceil(len(key) / LENGTH_RATIO), longest=math.floor(len(key) * LENGTH_RATIO),
        )
    if not branches:
        return []
    ctes.append("\ncandidate_ids (id) AS MATERIALIZED (\n    " + "\n    UNION ALL ".join(branches) + "\n)")
    rows = session.execute(text("WITH " + ",".join(ctes) + _ROWS), params).all()
    return [
        (ExistingPartner(
            partner_id=str(r.id), name=r.short_name, inn=r.inn, kpp=r.kpp,
            phones=list(r.phones), emails=list(r.emails), status=r.status, name_key=r.name_key,
            manager_id=r.manager_id,
        ), (r.manager_id, r.region, r.department))
        for r in rows
    ]


def _similar_name_ids(session: Session, key: str) -> list[str]:
    """_SIMILAR_NAME's steps, portable: the partners whose name key is like ``key``."""
    words = name_words.words_of(key)
    dictionary = NameWord.__table__
    exact = dict(session.execute(
        select(dictionary.c.word, dictionary.c.partners).where(dictionary.c.word.in_(words), dictionary.c.partners > 0)
    ).all())
    sim = [(word, word, exact[word]) for word in words if word in exact]  # (query word, word, partners)
    for query in words:
        if query in exact or len(query) < 3:
            continue
        pool = session.execute(
            select(dictionary.c.word, dictionary.c.partners).where(
                dictionary.c.partners > 0,
                func.length(dictionary.c.word).between(len(query) - WORD_LENGTH_GAP, len(query) + WORD_LENGTH_GAP),
            )
        ).all()
        scored = [(trigram_similarity(word, query), word, partners) for word, partners in pool]
        nearest = sorted((row for row in scored if row[0] >= TRIGRAM_THRESHOLD), key=lambda r: (-r[0], r[1]))
        sim.extend((query, word, partners) for _, word, partners in nearest[:NEIGHBOURS_PER_WORD])
    totals: dict[str, int] = defaultdict(int)
    for query, _, partners in sim:
        totals[query] += partners
    picked = {query: rank for rank, query in enumerate(sorted(totals, key=lambda q: (totals[q], q))[:PICKED_WORDS], 1)}
    by_word: dict[str, set[int]] = defaultdict(set)
    for query, word, _ in sim:
        if query in picked:
            by_word[word].add(picked[query])
    if not by_word:
        return []
    postings = PartnerNameWord.__table__
    shortest, longest = math.ceil(len(key) / LENGTH_RATIO), math.floor(len(key) * LENGTH_RATIO)
    hits: dict[str, tuple[set[int], int]] = {}
    for partner_id, word, key_length in session.execute(
        select(postings.c.partner_id, postings.c.word, postings.c.key_length)
        .where(postings.c.word.in_(sorted(by_word)), postings.c.key_length.between(shortest, longest))
    ):
        ranks, gap = hits.get(str(partner_id), (set(), len(key) + longest))
        hits[str(partner_id)] = (ranks | by_word[word], min(gap, abs(key_length - len(key))))
    pool_ids = sorted(hits, key=lambda pid: (-len(hits[pid][0]), hits[pid][1], pid))[:NAME_POOL]
    names = session.execute(
        select(Partner.id, Partner.name_key).where(Partner.id.in_(pool_ids), Partner.status != MERGED)
    ).all()
    ranked = sorted(names, key=lambda row: (-trigram_similarity(row.name_key, key), str(row.id)))
    return [str(row.id) for row in ranked[:PER_REASON_LIMIT]]


def _candidate_ids(session: Session, candidate: Candidate) -> list[str]:
    """Other databases (SQLite): the partners sharing an identifier or a similar name."""
    queries = []
    kept = Partner.status != MERGED  # active and archived (named, never blocking)
    if candidate.inn:
        queries.append(select(Partner.id).where(Partner.inn == candidate.inn, kept).limit(PER_REASON_LIMIT))
    if candidate.phones:
        queries.append(select(Phone.partner_id).where(Phone.number.in_(candidate.phones)).limit(PER_REASON_LIMIT))
    if candidate.emails:
        queries.append(select(Email.partner_id).where(Email.address.in_(candidate.emails)).limit(PER_REASON_LIMIT))
        domains = _domains(candidate)
        if domains:
            queries.append(select(Email.partner_id).where(Email.domain.in_(domains)).limit(PER_REASON_LIMIT))
    key = name_key(candidate.name) if candidate.name else ""
    if key:
        queries.append(select(Partner.id).where(Partner.name_key == key, kept).limit(PER_REASON_LIMIT))
    similar = _similar_name_ids(session, key) if len(key) >= 3 else []
    if not queries:
        return similar
    subqueries = [q.subquery().select() for q in queries]
    rows = session.execute(union_all(*subqueries) if len(subqueries) > 1 else subqueries[0]).scalars()
    return list(dict.fromkeys([*(str(r) for r in rows), *similar]))


def _existing(session: Session, ids: list[str]) -> list[tuple[ExistingPartner, tuple]]:
    if not ids:
        return []
    partners = session.execute(
        select(Partner.id, Partner.short_name, Partner.inn, Partner.kpp, Partner.status, Partner.name_key,
               Partner.manager_id, Partner.region, Partner.department).where(Partner.id.in_(ids))
    ).all()
    phones: dict[str, list[str]] = defaultdict(list)
    for partner_id, number in session.execute(select(Phone.partner_id, Phone.number).where(Phone.partner_id.in_(ids))):
        phones[str(partner_id)].append(number)
    emails: dict[str, list[str]] = defaultdict(list)
    for partner_id, address in session.execute(select(Email.partner_id, Email.address).where(Email.partner_id.in_(ids))):
        emails[str(partner_id)].append(address)
    return [
        (ExistingPartner(
            partner_id=str(p.id), name=p.short_name, inn=p.inn, kpp=p.kpp,
            phones=phones[str(p.id)], emails=emails[str(p.id)], status=p.status, name_key=p.name_key,
            manager_id=p.manager_id,
        ), (p.manager_id, p.region, p.department))
        for p in partners
    ]


def find(session: Session, candidate: Candidate, actor: Actor, *, limit: int = 10) -> DuplicateReport:
    """Ranked possible duplicates of ``candidate`` with their reasons, and same-INN branches.

    Found among all partners (a duplicate of another manager's client must block), but what
    ``actor`` may not see is marked hidden (reported without its data: see DuplicateMatch) and
    its branches left out."""
    if session.get_bind().dialect.name == "postgresql":
        found = _existing_postgres(session, candidate)
    else:
        found = _existing(session, _candidate_ids(session, candidate))
    sees = {row.partner_id: access.can_see(actor, *owner) for row, owner in found}
    report = rank_duplicates(candidate, [row for row, _ in found], limit=limit)
    for match in report.matches:
        match.visible = sees.get(match.partner_id, False)
    report.branches = [branch for branch in report.branches if sees.get(branch["partner_id"], False)]
    return report


def lock_identifiers(session: Session, candidate: Candidate) -> None:
    """Serialise concurrent registrations that share an INN, phone or email (PostgreSQL).

    Without it two managers registering the same client at the same moment would both pass the
    duplicate check. Transaction-scoped advisory locks, taken in a fixed order.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({f"inn:{candidate.inn}"} if candidate.inn else set())
    keys += sorted({f"phone:{p}" for p in candidate.phones} | {f"email:{e}" for e in candidate.emails})
    keys.append(f"name:{name_key(candidate.name)}")
    for key in keys:
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def find_duplicates(session: Session, actor: Actor, payload: Any) -> dict[str, Any]:
    """Ranked possible duplicates of a candidate (name, INN/KPP, phones, emails), with reasons;
    those the actor may not see only as existing, with their manager. Sales users only."""
    access.require_role(actor, SALES_ROLES, "look for duplicates")
    data = load(CandidateIn(), payload, what="candidate")
    candidate = Candidate(
        partner_id=str(data["partner_id"]) if data["partner_id"] else None,
        name=data["name"] or "",
        inn=data["inn"],
        kpp=data["kpp"],
        phones=data["phones"],
        emails=data["emails"],
    )
    report = find(session, candidate, actor, limit=data["limit"])
    return {"duplicates": report.to_dict()["matches"], "branches": report.branches}
