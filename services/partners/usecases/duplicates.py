"""Finding possible duplicates of a candidate partner in the database.

The SQL side only narrows 1M partners down to a few dozen rows through indexes (same INN, same
phone, same email, same corporate domain, same or similar canonical name); the ranking and the
reasons are the domain's (``domain/duplicates.py``). On PostgreSQL the similar-name lookup uses
a pg_trgm GIN index on ``name_key``; elsewhere only equal keys are found.

Duplicate control is global on purpose: a manager must hear that another manager's client
already exists, so candidates are found across all partners, whoever sees them; only ids,
names, and the evidence are disclosed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, literal, select, text, union_all
from sqlalchemy.orm import Session

from services.partners.domain import contacts as contact_rules
from services.partners.domain.duplicates import Candidate, DuplicateReport, ExistingPartner, rank_duplicates
from services.partners.domain.names import name_key
from services.partners.models import ACTIVE, Email, Partner, Phone

PER_REASON_LIMIT = 20
# pg_trgm similarity a name must reach to be fetched for ranking (the domain then decides).
TRIGRAM_THRESHOLD = 0.45


def _candidate_ids(session: Session, candidate: Candidate) -> list[str]:
    postgres = session.get_bind().dialect.name == "postgresql"
    queries = []
    active = Partner.status == ACTIVE
    if candidate.inn:
        queries.append(select(Partner.id).where(Partner.inn == candidate.inn, active).limit(PER_REASON_LIMIT))
    if candidate.phones:
        queries.append(select(Phone.partner_id).where(Phone.number.in_(candidate.phones)).limit(PER_REASON_LIMIT))
    if candidate.emails:
        queries.append(select(Email.partner_id).where(Email.address.in_(candidate.emails)).limit(PER_REASON_LIMIT))
        domains = sorted({d for e in candidate.emails if (d := contact_rules.corporate_domain(e))})
        if domains:
            queries.append(select(Email.partner_id).where(Email.domain.in_(domains)).limit(PER_REASON_LIMIT))
    key = name_key(candidate.name) if candidate.name else ""
    if key:
        queries.append(select(Partner.id).where(Partner.name_key == key, active).limit(PER_REASON_LIMIT))
        if postgres and len(key) >= 3:
            similarity = func.similarity(Partner.name_key, literal(key))
            queries.append(
                select(Partner.id)
                .where(Partner.name_key.op("%")(literal(key)), active)
                .order_by(similarity.desc())
                .limit(PER_REASON_LIMIT)
            )
    if not queries:
        return []
    if postgres and key:
        session.execute(text(f"SET LOCAL pg_trgm.similarity_threshold = {TRIGRAM_THRESHOLD}"))
    subqueries = [q.subquery().select() for q in queries]
    rows = session.execute(union_all(*subqueries) if len(subqueries) > 1 else subqueries[0]).scalars()
    return list(dict.fromkeys(str(r) for r in rows))


def _existing(session: Session, ids: list[str]) -> list[ExistingPartner]:
    if not ids:
        return []
    partners = session.execute(
        select(Partner.id, Partner.short_name, Partner.inn, Partner.kpp, Partner.status, Partner.name_key).where(Partner.id.in_(ids))
    ).all()
    phones: dict[str, list[str]] = defaultdict(list)
    for partner_id, number in session.execute(select(Phone.partner_id, Phone.number).where(Phone.partner_id.in_(ids))):
        phones[str(partner_id)].append(number)
    emails: dict[str, list[str]] = defaultdict(list)
    for partner_id, address in session.execute(select(Email.partner_id, Email.address).where(Email.partner_id.in_(ids))):
        emails[str(partner_id)].append(address)
    return [
        ExistingPartner(
            partner_id=str(p.id), name=p.short_name, inn=p.inn, kpp=p.kpp,
            phones=phones[str(p.id)], emails=emails[str(p.id)], status=p.status, name_key=p.name_key,
        )
        for p in partners
    ]


def find(session: Session, candidate: Candidate, *, limit: int = 10) -> DuplicateReport:
    """Ranked possible duplicates of ``candidate`` with their reasons, and same-INN branches."""
    ids = _candidate_ids(session, candidate)
    return rank_duplicates(candidate, _existing(session, ids), limit=limit)


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
