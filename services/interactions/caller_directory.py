"""Who is behind a phone number, as the partners service answers it, cached in this process.

Caller matching asks ``partners.find_by_phones`` once per batch for the numbers the cache does
not hold, and keeps each answer (also "nobody") for at most INTERACTIONS_CALLER_CACHE_TTL_S
seconds (default 300). Partners' events drop what they make stale as soon as they arrive
(service.py subscribes every running instance to them): a number registered, updated or
removed on a partner or contact, a partner's manager changed, two partners merged. An answer
fetched while such an event arrived is used once but not kept, so a stale answer never
outlives the event that made it stale.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from nameko.extensions import DependencyProvider

from crm_kit.config import env_float

PARTNER_KEYS = ("partner_id", "survivor_id", "merged_id")


class PhoneCache:
    """E.164 key -> the matches partners gave (a list, empty for nobody), with expiry."""

    def __init__(self, ttl_s: float, clock=time.monotonic):
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[float, list[dict[str, Any]]]] = {}
        self._by_partner: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self.generation = 0  # moves on with every drop; see put()

    def get_many(self, keys: Iterable[str]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        """(the cached answers, the keys to ask partners for)."""
        now = self._clock()
        found: dict[str, list[dict[str, Any]]] = {}
        missing: list[str] = []
        for key in keys:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                found[key] = entry[1]
            else:
                missing.append(key)
        return found, missing

    def put(self, answers: dict[str, list[dict[str, Any]]], generation: int) -> None:
        """Keep ``answers`` fetched when the cache was at ``generation``; nothing is kept when
        an event dropped something since (the answers may predate it)."""
        with self._lock:
            if generation != self.generation:
                return
            expires = self._clock() + self.ttl_s
            for key, matches in answers.items():
                self._entries[key] = (expires, matches)
                for match in matches:
                    if match.get("partner_id"):
                        self._by_partner.setdefault(str(match["partner_id"]), set()).add(key)

    def forget(self, numbers: Iterable[str] = (), partner_ids: Iterable[str] = ()) -> None:
        with self._lock:
            self.generation += 1
            for key in numbers:
                self._entries.pop(key, None)
            for partner_id in partner_ids:
                for key in self._by_partner.pop(str(partner_id), ()):
                    self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._by_partner.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def forget_for_event(self, event: Any, normalise) -> None:
        """Drop what a partners event makes stale: every phone number it carries (a number now
        someone's) and every partner it names (numbers that were theirs). An event that names
        nothing drops everything."""
        data = event.get("data") if isinstance(event, dict) else None
        if not isinstance(data, dict):
            self.clear()
            return
        numbers = {key for key in (normalise(n) for n in _numbers_in(data)) if key}
        partners = {str(data[k]) for k in PARTNER_KEYS if data.get(k)}
        for view in (data, data.get("partner"), data.get("contact")):
            if isinstance(view, dict) and view.get("partner_id"):
                partners.add(str(view["partner_id"]))
        if isinstance(data.get("partner"), dict) and data["partner"].get("id"):
            partners.add(str(data["partner"]["id"]))
        if data.get("id") and "phones" in data:  # partner_registered: data is the partner view
            partners.add(str(data["id"]))
        if not numbers and not partners:
            self.clear()
            return
        self.forget(numbers, partners)


def _numbers_in(value: Any) -> Iterable[str]:
    """Every ``phones[].number`` anywhere in an event's data (partner and contact views)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "phones" and isinstance(inner, list):
                for phone in inner:
                    if isinstance(phone, dict) and isinstance(phone.get("number"), str):
                        yield phone["number"]
            else:
                yield from _numbers_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _numbers_in(inner)


class CallerDirectory(DependencyProvider):
    """Hands every worker this process's :class:`PhoneCache`."""

    def setup(self) -> None:
        self.cache = PhoneCache(env_float("INTERACTIONS_CALLER_CACHE_TTL_S", 300.0, minimum=0.0))

    def get_dependency(self, worker_ctx) -> PhoneCache:
        return self.cache
