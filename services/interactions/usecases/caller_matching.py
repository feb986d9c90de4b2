"""Who is behind a call's number: matching the other party's number to a partner or contact.

Cached answers first (caller_directory.py: the whole phone directory when it is loaded, else
answers kept per number), then one ``partners.find_by_phones`` per batch for the rest. When
partners does not answer, the call is stored anyway with ``match_state`` pending and matched
later by :func:`retry_pending_matches` (the follow-up timer). A number nobody had, whose
prospect was made already (call_leads.py), is that prospect's. The directory itself is loaded
from ``partners.phone_directory`` by :func:`refresh_directory`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import interactions as events
from crm_kit import phones
from crm_kit.db import UnitOfWork
from services.interactions.caller_directory import PhoneCache
from services.interactions.domain import calls as call_rules
from services.interactions.domain import kinds as kind_rules
from services.interactions.models import CallLead
from services.interactions.usecases.about import about_call
from services.interactions.usecases.call_deals import link_to_only_open_deal
from services.interactions.usecases.call_leads import queue_lead
from services.interactions.usecases.call_records import CallBatch, T, call_of, locked_calls, update_calls
from services.interactions.usecases.last_interaction import touch_partners, where_partners_sit
from services.interactions.usecases.tasks import assign_call_backs_of_matched_call

MATCH_SECONDS = Histogram(
    "interactions_caller_match_seconds",
    "Time to match one call's number to a partner (a cache hit, or its share of one find_by_phones)",
    buckets=(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

FIND_BY_PHONES_MAX = 500  # what partners.find_by_phones takes at once
log = logging.getLogger(__name__)


def match_numbers(cache: PhoneCache, partners, keys: set[str]) -> dict[str, list[dict[str, Any]] | None]:
    """Each E.164 key's matches (empty: nobody has it); None for every key partners did not
    answer about (it is down or slow)."""
    if not keys:
        return {}
    started = time.perf_counter()
    found: dict[str, list[dict[str, Any]] | None] = {}
    cached, missing = cache.get_many(sorted(keys))
    found.update(cached)
    hit_s = time.perf_counter() - started
    for _ in cached:
        MATCH_SECONDS.observe(hit_s)
    if missing:
        generation = cache.generation
        for start in range(0, len(missing), FIND_BY_PHONES_MAX):
            chunk = missing[start:start + FIND_BY_PHONES_MAX]
            try:
                answer = partners.find_by_phones(chunk)
            except Exception as exc:  # noqa: BLE001 - any failure of partners: match these calls later
                log.warning("caller matching left %d numbers pending: %s: %s", len(chunk), type(exc).__name__, exc)
                found.update(dict.fromkeys(chunk))
                continue
            results = answer.get("results", {})
            fetched = {key: results.get(key, {}).get("matches", []) for key in chunk}
            cache.put(fetched, generation)
            found.update(fetched)
            miss_s = time.perf_counter() - started
            for _ in chunk:
                MATCH_SECONDS.observe(miss_s)
    return found


def prospects_made(session: Session, matched: dict[str, list[dict[str, Any]] | None]) -> None:
    """A number nobody had, whose prospect was made already (call_leads.py) but whose
    ``partner_registered`` has not reached this process yet: the call is the prospect's."""
    unknown = [key for key, matches in matched.items() if matches == []]
    if not unknown:
        return
    made = session.execute(
        select(CallLead.number, CallLead.partner_id)
        .where(CallLead.number.in_(unknown), CallLead.state == "done", CallLead.partner_id.is_not(None))
    ).all()
    for number, partner_id in made:
        matched[number] = [{"partner_id": partner_id, "partner_name": None, "contact_id": None, "contact_name": None,
                            "manager_id": None}]


def link_match(rec: dict[str, Any], matches: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """Record what matching said in the call's record; the external participant's link when
    there is one (the best match: partners' order)."""
    if rec["external_number"] is None:
        rec["match_state"] = call_rules.NO_NUMBER
        return None
    if matches is None:
        rec["match_state"] = call_rules.PENDING
        return None
    if not matches:
        rec["match_state"] = call_rules.UNKNOWN
        return None
    best = matches[0]
    rec.update(match_state=call_rules.MATCHED, partner_id=best["partner_id"])
    if rec["subject_id"] is None:
        rec.update(subject_kind=kind_rules.PARTNER, subject_id=best["partner_id"])
    return {"partner_id": best["partner_id"], "contact_id": best.get("contact_id"),
            "name": best.get("contact_name") or best.get("partner_name"), "linked_by": "phone"}


def place_with_partner(session: Session, records: list[dict[str, Any]]) -> None:
    """Calls no extension user took are the partner's manager's, in the partner's region and
    department (partners' events, last_interaction.py), so a head of sales of that department
    sees them and their call-back tasks."""
    sits = where_partners_sit(session, {rec["partner_id"] for rec in records})
    for rec in records:
        manager_id, region, department = sits.get(rec["partner_id"], (None, None, None))
        if rec["responsible_id"] is None:
            rec["responsible_id"] = manager_id
        if rec["responsible_id"] == manager_id:
            rec.update(region=region, department=department)


def retry_pending_matches(uow: UnitOfWork, partners, cache: PhoneCache, limit: int = 500) -> dict[str, int]:
    """Match calls stored while partners did not answer; assign their call-back tasks and queue
    their leads as the batch would have."""
    session = uow.session
    records = locked_calls(session, T.c.match_state == call_rules.PENDING, skip_locked=True, limit=limit)
    if not records:
        return {"pending": 0, "matched": 0}
    matched = match_numbers(cache, partners, {rec["external_number"] for rec in records})
    batch, placed = CallBatch(uow), []
    for rec in records:
        matches = matched.get(rec["external_number"])
        if matches is None:
            continue
        cid = rec["call_id"]
        batch.records[cid], batch.calls[cid] = rec, call_of(rec)
        link = link_match(rec, matches)
        if link is not None:
            batch.links[cid] = link
        if matches and matches[0].get("manager_id") and rec["responsible_id"] is None:
            rec["responsible_id"] = matches[0]["manager_id"]
        if rec["partner_id"] and rec["region"] is None and rec["department"] is None:
            placed.append(rec)
    place_with_partner(session, placed)
    link_to_only_open_deal(session, [batch.records[cid] for cid in batch.links])
    for rec in batch.records.values():
        cid = rec["call_id"]
        assign_call_backs_of_matched_call(session, rec)
        if call_rules.makes_lead(batch.calls[cid], rec["match_state"]):
            queue_lead(session, rec)
        uow.emit(events.INTERACTION_UPDATED, {
            **about_call(rec), "changed": ["match_state", "partner_id", "subject_id"], "call_id": cid, "match_state": rec["match_state"],
        })
    update_calls(session, batch, sorted(batch.records))
    touch_partners(session, [rec for rec in batch.records.values()
                             if rec["partner_id"] and rec["answered_at"] and rec["call_state"] in call_rules.FINISHED])
    return {"pending": len(records), "matched": len(batch.records)}


def refresh_directory(cache: PhoneCache, partners, page: int = 5000) -> dict[str, Any]:
    """Load the whole phone directory into ``cache`` when it is due (caller_directory.py)."""
    if cache.reload_s <= 0:
        return {"loaded": False, "reason": "off"}
    due = cache.loaded_at is None or cache.reload_wanted or time.monotonic() - cache.loaded_at >= cache.reload_s
    if not due:
        return {"loaded": False, "reason": "not due"}

    def pages():
        after = None
        while True:
            answer = partners.phone_directory(after, page)
            yield answer["items"]
            after = answer.get("next")
            if not after:
                return

    started = time.perf_counter()
    try:
        numbers = cache.load(pages(), phones.lookup_key)
    except Exception as exc:  # noqa: BLE001 - partners down or failing: per-number matching meanwhile
        log.warning("the phone directory was not loaded: %s: %s", type(exc).__name__, exc)
        return {"loaded": False, "reason": f"{type(exc).__name__}: {exc}"}
    cache.loaded_at = time.monotonic()
    return {"loaded": True, "numbers": numbers, "seconds": round(time.perf_counter() - started, 3)}
