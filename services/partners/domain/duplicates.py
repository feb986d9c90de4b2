"""Ranking the existing partners that may be the one being registered.

The service fetches the few rows that share an INN, a phone, an email, a corporate domain or a
similar name key (indexed lookups, not a scan of the table) and hands them to
:func:`rank_duplicates`, which weighs the evidence. Nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from crm_kit.errors import ValidationError

from .contacts import corporate_domain
from .names import name_key, name_similarity

STRONG: Final = "strong"
WEAK: Final = "weak"

SAME_INN: Final = "same_inn"
SAME_PHONE: Final = "same_phone"
SAME_EMAIL: Final = "same_email"
SAME_DOMAIN: Final = "same_domain"
SIMILAR_NAME: Final = "similar_name"

MERGED: Final = "merged"
ARCHIVED: Final = "archived"

# A name this alike is the same company unless other evidence says otherwise.
STRONG_NAME_SIMILARITY: Final = 97.0

# Score of each kind of evidence on its own. One identifier shared is near-certain; a shared
# corporate domain or a similar name is a hint worth a look.
_INN_SCORE: Final = 100
_CONTACT_SCORE: Final = 90
_DOMAIN_SCORE: Final = 50
_STRONG_NAME_SCORE: Final = 85
# Weak contacts: shared by partners whose INNs differ (a holding's reception, an outsourced
# accountant), so they suggest a relation, not the same partner.
_CONTRADICTED_SCORE: Final = 60
# Each extra reason adds this much to the best one, up to 100.
_EXTRA_REASON_BONUS: Final = 5


@dataclass
class Candidate:
    """The partner being registered (or edited: then ``partner_id`` is its own id).

    ``phones`` are E.164 and ``emails`` normalised, as :mod:`.contacts` returns them.
    """

    partner_id: str | None
    name: str
    inn: str | None = None
    kpp: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


@dataclass
class ExistingPartner:
    """A stored partner the service fetched as a possible match.

    ``name_key`` is the stored :func:`~.names.name_key` of ``name`` when the service has it
    (saves recomputing it); ``None`` computes it here.
    """

    partner_id: str
    name: str
    inn: str | None = None
    kpp: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    status: str = "active"
    name_key: str | None = None
    manager_id: str | None = None


@dataclass
class DuplicateMatch:
    """An existing partner that may be the candidate, with the evidence.

    ``strength`` is "strong" when any reason is strong (the same partner beyond reasonable
    doubt), "weak" otherwise (worth a look). ``reasons`` are dicts
    ``{"kind", "value", "detail"}``, strongest first. ``status``: the partner's (active or
    archived).
    """

    partner_id: str
    name: str
    score: int
    strength: str
    reasons: list[dict[str, Any]]
    # An archived partner is named, as archived, but never blocks a registration.
    status: str = "active"
    manager_id: str | None = None
    # Whether the asking user may see the partner: a hidden one is reported as existing, with
    # its responsible manager (two managers must not work one client), and nothing else.
    visible: bool = True

    def to_dict(self) -> dict[str, Any]:
        if not self.visible:
            return {"partner_id": None, "name": None, "score": self.score, "strength": self.strength, "reasons": [],
                    "status": self.status, "manager_id": self.manager_id, "hidden": True}
        view = asdict(self)
        del view["visible"]
        return {**view, "hidden": False}


@dataclass
class DuplicateReport:
    """What :func:`rank_duplicates` found.

    ``matches``: possible duplicates, best first. ``branches``: partners with the candidate's
    INN and another KPP (``{"partner_id", "name", "inn", "kpp"}``): the same organisation's
    head office or another branch, not duplicates; the caller may offer to link them.
    """

    matches: list[DuplicateMatch] = field(default_factory=list)
    branches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_strong(self) -> bool:
        """A strong match with an active partner (an archived one never blocks)."""
        return any(match.strength == STRONG and match.status != ARCHIVED for match in self.matches)

    def to_dict(self) -> dict[str, Any]:
        return {
            "matches": [match.to_dict() for match in self.matches],
            "branches": [dict(branch) for branch in self.branches],
        }


class DuplicatePolicy:
    """What registering does when possible duplicates exist: ``block`` refuses on a strong
    match, ``warn`` registers and reports them, ``skip`` does not look."""

    BLOCK: Final = "block"
    WARN: Final = "warn"
    SKIP: Final = "skip"
    ALL: Final = (BLOCK, WARN, SKIP)


def policy_blocks(policy: str, report: DuplicateReport) -> bool:
    """Whether ``policy`` refuses the registration given ``report``: only ``block``, and only
    for a strong match (weak ones are shown, never block).

    Refuses an unknown policy (field ``duplicate_policy``).
    """
    if policy not in DuplicatePolicy.ALL:
        raise ValidationError.for_field(
            "duplicate_policy", f"must be one of: {', '.join(DuplicatePolicy.ALL)}"
        )
    return policy == DuplicatePolicy.BLOCK and report.has_strong


def _reason(kind: str, value: str, detail: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "value": value, "detail": detail}


def _corporate_domains(emails: Iterable[str]) -> set[str]:
    domains = set()
    for email in emails:
        try:
            domain = corporate_domain(email)
        except ValidationError:  # a malformed stored address is no evidence, not an error here
            continue
        if domain:
            domains.add(domain)
    return domains


@dataclass
class _Evidence:
    """The candidate's facts, computed once per ranking rather than once per row."""

    partner_id: str | None
    inn: str | None
    kpp: str | None
    phones: frozenset[str]
    emails: frozenset[str]
    domains: frozenset[str]
    name_key: str

    @classmethod
    def of(cls, candidate: Candidate) -> _Evidence:
        emails = frozenset(email.lower() for email in candidate.emails)
        return cls(
            partner_id=candidate.partner_id,
            inn=candidate.inn or None,
            kpp=candidate.kpp or None,
            phones=frozenset(candidate.phones),
            emails=emails,
            domains=frozenset(_corporate_domains(emails)),
            name_key=name_key(candidate.name),
        )


def _match(
    evidence: _Evidence, row: ExistingPartner, name_threshold: float
) -> DuplicateMatch | None:
    """The scored match of one row, or ``None`` when nothing links it to the candidate."""
    # Both INNs present and different: two legal entities. Shared contacts or a similar name
    # then hint at a relation (a holding, an agent), never at the same partner.
    different_inn = bool(evidence.inn and row.inn and evidence.inn != row.inn)
    scored: list[tuple[int, str, dict[str, Any]]] = []

    def add(score: int, strength: str, reason: dict[str, Any]) -> None:
        if different_inn and strength == STRONG:
            score, strength = min(score, _CONTRADICTED_SCORE), WEAK
            reason["detail"] = "; ".join(filter(None, (reason["detail"], "the INNs differ")))
        scored.append((score, strength, reason))

    if evidence.inn and evidence.inn == row.inn:
        add(_INN_SCORE, STRONG, _reason(SAME_INN, row.inn))
    row_emails = {email.lower() for email in row.emails}
    for phone in sorted(evidence.phones.intersection(row.phones)):
        add(_CONTACT_SCORE, STRONG, _reason(SAME_PHONE, phone))
    for email in sorted(evidence.emails & row_emails):
        add(_CONTACT_SCORE, STRONG, _reason(SAME_EMAIL, email))
    # A domain already shown through a shared address adds nothing.
    shown = {email.rpartition("@")[2] for email in evidence.emails & row_emails}
    for domain in sorted((evidence.domains & _corporate_domains(row_emails)) - shown):
        add(_DOMAIN_SCORE, WEAK, _reason(SAME_DOMAIN, domain))

    row_key = row.name_key if row.name_key is not None else name_key(row.name)
    similarity = name_similarity(evidence.name_key, row_key)
    if similarity >= name_threshold:
        strong_name = similarity >= STRONG_NAME_SIMILARITY
        add(
            _STRONG_NAME_SCORE if strong_name else round(similarity * 0.7),
            STRONG if strong_name else WEAK,
            _reason(SIMILAR_NAME, row.name, f"{similarity:.0f}% similar"),
        )

    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1] != STRONG))
    best = scored[0][0]
    score = min(100, best + _EXTRA_REASON_BONUS * (len(scored) - 1))
    strength = STRONG if any(strength == STRONG for _, strength, _ in scored) else WEAK
    return DuplicateMatch(
        partner_id=row.partner_id,
        name=row.name,
        score=score,
        strength=strength,
        reasons=[reason for _, _, reason in scored],
        status=row.status,
        manager_id=row.manager_id,
    )


def _is_branch(evidence: _Evidence, row: ExistingPartner) -> bool:
    """Same INN, both KPPs present and different: another subdivision of one organisation."""
    return bool(
        evidence.inn
        and evidence.inn == row.inn
        and evidence.kpp
        and row.kpp
        and evidence.kpp != row.kpp
    )


def rank_duplicates(
    candidate: Candidate,
    existing: Iterable[ExistingPartner],
    *,
    name_threshold: float = 85.0,
    limit: int = 10,
) -> DuplicateReport:
    """The existing partners that may be ``candidate``, best first, at most ``limit``.

    Evidence and its weight:

    - same INN, and same KPP or either KPP missing: strong (100);
    - same INN, both KPPs present and different: a branch of the same organisation, not a
      duplicate; listed in ``branches`` instead (whatever contacts it shares with the
      candidate: branches share the head office's phone and domain);
    - same phone or same email: strong (90);
    - same corporate email domain (not gmail.com, yandex.ru, ...): weak (50);
    - name similarity ≥ ``name_threshold``: weak (70 % of the similarity); ≥ 97: strong (85).

    Both INNs present and different contradict everything else: every reason is then weak
    (at most 60). Several reasons add 5 each to the best, up to 100. The candidate itself
    (same ``partner_id``) and merged partners are skipped. Sorted by score, then name.

    Refuses a ``limit`` below 1 and a ``name_threshold`` outside 0..100.
    """
    if limit < 1:
        raise ValidationError.for_field("limit", "must be at least 1")
    if not 0 <= name_threshold <= 100:
        raise ValidationError.for_field("name_threshold", "must be between 0 and 100")
    evidence = _Evidence.of(candidate)
    report = DuplicateReport()
    for row in existing:
        if row.status == MERGED or (
            evidence.partner_id is not None and row.partner_id == evidence.partner_id
        ):
            continue
        if _is_branch(evidence, row):
            report.branches.append(
                {"partner_id": row.partner_id, "name": row.name, "inn": row.inn, "kpp": row.kpp}
            )
            continue
        match = _match(evidence, row, name_threshold)
        if match is not None:
            report.matches.append(match)
    report.matches.sort(key=lambda match: (-match.score, match.name.casefold(), match.partner_id))
    del report.matches[limit:]
    report.branches.sort(key=lambda branch: (branch["name"].casefold(), branch["partner_id"]))
    return report
