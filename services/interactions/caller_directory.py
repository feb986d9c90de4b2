"""Who is behind a phone number, as the partners service answers it, cached in this process.

Two ways, the second filling in while the first serves:

- **per number**: caller matching asks ``partners.find_by_phones`` once per batch for the
  numbers the cache does not hold, and keeps each answer (also "nobody") for at most
  INTERACTIONS_CALLER_CACHE_TTL_S seconds (default 300). Partners' events drop what they make
  stale as soon as they arrive (service.py subscribes every running instance to them). An
  answer fetched while such an event arrived is used once but not kept.
- **the whole directory**: every INTERACTIONS_CALLER_DIRECTORY_RELOAD_S seconds (default 600,
  and at start; 0 turns it off) the whole phone directory is read from
  ``partners.phone_directory``; while it is complete, a number missing from it is nobody's
  without asking, so matching never waits on another service (a PBX's unknown callers would
  otherwise each cost a round trip). Partners' events are applied to it as they come: a
  registered or updated partner's numbers (from the view the event carries) replace its old
  ones, a reassigned partner's manager changes, a contact's numbers are replaced or removed.
  Events that arrive during a load are applied after it. Each is read through its contract
  (contracts.partners). An event it cannot apply exactly (two partners merged, an event that
  breaks its contract) makes it incomplete, back to asking per number, until the next load
  (asked for at once).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from nameko.extensions import DependencyProvider

from contracts import partners as partner_events
from crm_kit.config import env_float
from crm_kit.contracts import EventContract
from crm_kit.errors import ValidationError

log = logging.getLogger(__name__)

MAX_ANSWERS = 200_000  # per-number answers kept at most (when the whole directory is not here)


class PhoneCache:
    """E.164 key -> the matches partners gave (a list, empty for nobody), with expiry; or the
    whole directory (``complete``)."""

    def __init__(self, ttl_s: float, clock=time.monotonic):
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[float, list[dict[str, Any]]]] = {}
        self._by_partner: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self.generation = 0  # moves on with every drop; see put()
        self.complete = False  # the whole directory is here: a number missing is nobody's
        self.loading = False
        self.reload_wanted = False
        self._held: list[tuple[Any, Any]] = []  # events that came during a load
        self._partners: dict[str, dict[str, Any]] = {}  # partner id -> {partner_name, manager_id}

    def get_many(self, keys: Iterable[str]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        """(the cached answers, the keys to ask partners for)."""
        if self.complete:
            return {key: entry[1] if (entry := self._entries.get(key)) else [] for key in keys}, []
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
            now = self._clock()
            if len(self._entries) >= MAX_ANSWERS:  # keep memory bounded: expired answers go first
                for key in [k for k, (expires, _) in self._entries.items() if expires <= now]:
                    del self._entries[key]
                if len(self._entries) >= MAX_ANSWERS:
                    self._entries.clear()
                    self._by_partner.clear()
            expires = now + self.ttl_s
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

    # --- the whole directory ----------------------------------------------------------------
    def load(self, pages: Iterable[list[dict[str, Any]]], normalise) -> int:
        """Replace everything with the directory read page by page (``phone_directory`` items),
        then apply the events that came meanwhile; returns how many numbers it holds."""
        self.loading, self._held = True, []
        try:
            entries: dict[str, list[dict[str, Any]]] = {}
            partners: dict[str, dict[str, Any]] = {}
            for page in pages:
                for item in page:
                    match = {k: item.get(k) for k in MATCH_FIELDS}
                    entries.setdefault(item["number"], []).append(match)
                    partners[str(item["partner_id"])] = {"partner_name": item.get("partner_name"),
                                                         "manager_id": item.get("manager_id")}
        except BaseException:
            # The directory held may have missed the events of the load's time: not complete.
            self.loading, self._held = False, []
            if self.complete:
                self._incomplete()
            raise
        with self._lock:
            forever = float("inf")
            self._entries = {key: (forever, matches) for key, matches in entries.items()}
            self._by_partner = {}
            for key, matches in entries.items():
                for match in matches:
                    self._by_partner.setdefault(str(match["partner_id"]), set()).add(key)
            self._partners = partners
            self.generation += 1
            self.complete, self.loading, self.reload_wanted = True, False, False
        held, self._held = self._held, []
        for event, held_normalise in held:
            self.forget_for_event(event, held_normalise)
        return len(self._entries)

    def _incomplete(self) -> None:
        self.complete, self.reload_wanted = False, True
        self.clear()

    def _apply_partner_view(self, view: dict[str, Any], normalise) -> None:
        partner_id = str(view["id"])
        info = {"partner_name": view.get("short_name"), "manager_id": view.get("manager_id")}
        self._partners[partner_id] = info
        keys = set(self._by_partner.pop(partner_id, set()))
        wanted: dict[str, list[dict[str, Any]]] = {}
        if view.get("status") == "active":
            contact_numbers: list[str] = []
            for contact in view.get("contacts") or []:
                for phone in contact.get("phones") or []:
                    key = normalise(phone.get("number"))
                    if key:
                        contact_numbers.append(key)
                        wanted.setdefault(key, []).append({"partner_id": partner_id, "contact_id": str(contact["id"]),
                                                           "contact_name": contact.get("full_name"), **info})
            for phone in view.get("phones") or []:
                key = normalise(phone.get("number"))
                if not key:
                    continue
                if key in contact_numbers:  # the contact's own number, listed with the partner's
                    contact_numbers.remove(key)
                    continue
                wanted.setdefault(key, []).append({"partner_id": partner_id, "contact_id": None, "contact_name": None, **info})
        for key in keys | set(wanted):
            self._replace_all(partner_id, key, wanted.get(key, []))

    def _replace_all(self, partner_id: str, key: str, new: list[dict[str, Any]]) -> None:
        old = self._entries.get(key, (float("inf"), []))[1]
        merged = sorted([m for m in old if str(m["partner_id"]) != partner_id] + new, key=_match_order)
        if merged:
            self._entries[key] = (float("inf"), merged)
        else:
            self._entries.pop(key, None)
        if new:
            self._by_partner.setdefault(partner_id, set()).add(key)

    def _apply_contact(self, partner_id: str, contact_id: str, contact: dict[str, Any] | None, normalise) -> bool:
        info = self._partners.get(partner_id)
        if info is None:
            return False
        keys = {key for key in self._by_partner.get(partner_id, set())
                if any(m.get("contact_id") == contact_id for m in self._entries.get(key, (0, []))[1])}
        wanted: dict[str, list[dict[str, Any]]] = {}
        for phone in (contact or {}).get("phones") or []:
            key = normalise(phone.get("number"))
            if key:
                wanted.setdefault(key, []).append({"partner_id": partner_id, "contact_id": contact_id,
                                                   "contact_name": contact.get("full_name"), **info})
        for key in keys | set(wanted):
            old = self._entries.get(key, (float("inf"), []))[1]
            merged = sorted([m for m in old if m.get("contact_id") != contact_id] + wanted.get(key, []), key=_match_order)
            if merged:
                self._entries[key] = (float("inf"), merged)
                self._by_partner.setdefault(partner_id, set()).add(key)
            else:
                self._entries.pop(key, None)
        return True

    def _apply_event(self, contract: EventContract, data: dict[str, Any], normalise) -> bool:
        """Apply a partners event (read through its contract) to the complete directory; False
        when it cannot exactly."""
        if contract in (partner_events.PARTNER_REGISTERED, partner_events.PARTNER_UPDATED,
                        partner_events.PARTNER_ARCHIVED, partner_events.PARTNER_UNARCHIVED):
            self._apply_partner_view(data["partner"], normalise)
            return True
        if contract is partner_events.PARTNER_REASSIGNED:
            partner_id = data["partner_id"]
            if partner_id in self._partners:
                self._partners[partner_id]["manager_id"] = data["manager_id"]
            for key in self._by_partner.get(partner_id, set()):
                for match in self._entries.get(key, (0, []))[1]:
                    if str(match["partner_id"]) == partner_id:
                        match["manager_id"] = data["manager_id"]
            return True
        if contract in (partner_events.CONTACT_ADDED, partner_events.CONTACT_UPDATED):
            return self._apply_contact(data["partner_id"], data["contact_id"], data["contact"], normalise)
        if contract is partner_events.CONTACT_REMOVED:
            return self._apply_contact(data["partner_id"], data["contact_id"], None, normalise)
        return False  # partners_merged: the merged partner's numbers and contacts moved; reload

    def forget_for_event(self, event: Any, normalise) -> None:
        """What a partners event changes. With the whole directory here, it is applied to it
        (held back during a load); otherwise what it makes stale is dropped: every phone number
        it carries (a number now someone's) and every partner it names (numbers that were
        theirs). An event that breaks its contract, or one this does not hear, drops everything."""
        if self.loading:
            self._held.append((event, normalise))
            return
        read = _read(event)
        if self.complete:
            with self._lock:
                applied = read is not None and self._apply_event(*read, normalise)
                self.generation += 1
            if not applied:
                self._incomplete()
            return
        if read is None:
            self.clear()
            return
        contract, data = read
        numbers = {key for key in (normalise(n) for n in _numbers_in(contract, data)) if key}
        partners = contract.subject_of(data)["partner_ids"]
        if not numbers and not partners:
            self.clear()
            return
        self.forget(numbers, partners)


# The partners events the cache follows (service.py subscribes every instance to each).
HEARD = (
    partner_events.PARTNER_REGISTERED, partner_events.PARTNER_UPDATED, partner_events.PARTNER_REASSIGNED,
    partner_events.PARTNERS_MERGED, partner_events.CONTACT_ADDED, partner_events.CONTACT_UPDATED,
    partner_events.CONTACT_REMOVED,
    # An archived partner leaves caller matching (the partner view it carries says archived),
    # and comes back when taken out of the archive.
    partner_events.PARTNER_ARCHIVED, partner_events.PARTNER_UNARCHIVED,
)
_HEARD_BY_NAME = {contract.name: contract for contract in HEARD}


def _read(event: Any) -> tuple[EventContract, dict[str, Any]] | None:
    """The event's contract and its data read through it; None for an event this does not hear
    or that breaks its contract (logged)."""
    contract = _HEARD_BY_NAME.get(event.get("event_type")) if isinstance(event, dict) else None
    if contract is None:
        return None
    try:
        return contract, contract.read(event)
    except ValidationError as exc:
        log.warning("a partners event broke its contract: %s", exc)
        return None


MATCH_FIELDS = ("partner_id", "partner_name", "contact_id", "contact_name", "manager_id")


def _match_order(match: dict[str, Any]) -> tuple:
    """partners' order: by partner, a contact's number before the partner's own (NULLS LAST)."""
    return (str(match["partner_id"]), match.get("contact_id") is None, str(match.get("contact_id") or ""))


def _numbers_in(contract: EventContract, data: dict[str, Any]) -> Iterable[str]:
    """Every phone number a partners event carries: its partner's and their contacts' (the
    survivor's, for a merge), or its contact's."""
    if contract in (partner_events.PARTNER_REGISTERED, partner_events.PARTNER_UPDATED, partner_events.PARTNERS_MERGED):
        partner = data["partner"]
        yield from (phone["number"] for phone in partner["phones"])
        yield from (phone["number"] for contact in partner["contacts"] for phone in contact["phones"])
    elif contract in (partner_events.CONTACT_ADDED, partner_events.CONTACT_UPDATED):
        yield from (phone["number"] for phone in data["contact"]["phones"])


class CallerDirectory(DependencyProvider):
    """Hands every worker this process's :class:`PhoneCache`."""

    def setup(self) -> None:
        self.cache = PhoneCache(env_float("INTERACTIONS_CALLER_CACHE_TTL_S", 300.0, minimum=0.0))
        self.cache.reload_s = env_float("INTERACTIONS_CALLER_DIRECTORY_RELOAD_S", 600.0, minimum=0.0)
        self.cache.loaded_at = None

    def get_dependency(self, worker_ctx) -> PhoneCache:
        return self.cache
