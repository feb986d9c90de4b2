"""The client card: composed from every service in parallel, cached, invalidated by events.

The partners section (the partner, contacts, relationships, agreements in force, manager) is
one RPC, ``partners.get_card``; it also decides whether the caller may see the client at all.
Every other section is ``<service>.card_section(partner_id)``, fetched at the same time with a
short deadline; a section whose service is slow or down comes back marked unavailable with the
reason, and the service is not asked again for a few seconds (a small circuit breaker), so one
dead service does not make every card wait for its timeout. A section with a typed message on
``ClientCard`` (``TYPED_SECTIONS``: deals, interactions) fills that field; the others travel as
a Struct in their ``CardSection.data``. Every section, typed or not, has its ``CardSection`` with
its state and, when unavailable, the reason.

Sections that answered are cached per service, partner and access: each service applies
row-level access, and a section depends on the caller only through the access rule's parameters
(``crm_kit.access.visibility_filter``: everything, or the caller's own records, regions and
department). Callers with equal access share entries (every admin, two tokens of one manager);
callers whose access differs never do. The cache holds at most ``GATEWAY_CARD_CACHE_MB`` of
entries (their estimated size in memory; least recently used dropped first), for
``GATEWAY_CARD_CACHE_TTL`` seconds at most, and drops them as soon as an event of partners or of any section's service
(``<service>.events``) names the partner in its envelope's ``subject``; an event naming no
partner drops everything. The cache is used only while its event subscription is live; after a
reconnect it starts empty.
Between a commit and its event reaching the gateway (milliseconds) a card may still show the
previous state. Measured effect: README, "Performance".
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sys
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aio_pika
from crm.v1 import card_pb2 as pb
from google.protobuf import json_format, struct_pb2
from google.protobuf.message import Message

from crm_kit.access import visibility_filter
from crm_kit.actor import Actor
from gateway.bridge import DownstreamError, RpcBridge
from gateway.convert import to_message

log = logging.getLogger(__name__)

T = TypeVar("T")

PARTNERS = "partners"
# What an entry costs beyond its key and value: the OrderedDict slot, the entry tuple, the index.
_ENTRY_OVERHEAD = 200
# Sections with a typed field on ClientCard: service -> (field name, message class).
TYPED_SECTIONS: dict[str, tuple[str, type]] = {
    "deals": ("deals", pb.DealsSection),
    "interactions": ("interactions", pb.InteractionsSection),
}


def partner_ids_of(event: dict[str, Any]) -> set[str] | None:
    """The partners an event is about, as its envelope's ``subject`` says (every event's
    contract fills it: crm_kit.contracts); None when it may concern any partner (drop
    everything): an event naming no partner (a standard agreement binds a whole segment, a call
    from an unknown number) or an envelope without a subject."""
    subject = event.get("subject")
    partner_ids = subject.get("partner_ids") if isinstance(subject, dict) else None
    if not isinstance(partner_ids, list):
        return None
    return {str(partner_id) for partner_id in partner_ids if partner_id} or None


DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@functools.lru_cache(maxsize=4096)
def access_key(actor: Actor) -> str:
    """What decides which rows ``actor`` sees, as the cache keys it: the access rule's
    parameters, nothing else of the token (another region is another key; another admin, or the
    same manager with another token, is the same key)."""
    return json.dumps(visibility_filter(actor), sort_keys=True, separators=(",", ":"))


def footprint(value: Any) -> int:
    """Roughly what ``value`` (a section: JSON values; a serialized card: bytes) takes in memory."""
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(footprint(key) + footprint(item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        size += sum(footprint(item) for item in value)
    return size


class CardCache:
    """Card sections by (partner, service, access), bounded in bytes, kept fresh by events."""

    def __init__(self, bridge: RpcBridge, *, ttl: float = 30.0, max_bytes: int = DEFAULT_MAX_BYTES,
                 services: tuple[str, ...] = ()):
        self.bridge = bridge
        # Whose events keep the cache fresh: partners and every section's service.
        self.services = tuple(dict.fromkeys((PARTNERS, *services)))
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.size = 0  # the footprint of every entry held
        # key -> (expires at, value, footprint)
        self._entries: OrderedDict[tuple[str, str, str], tuple[float, Any, int]] = OrderedDict()
        self._by_partner: dict[str, set[tuple[str, str, str]]] = {}
        self._inflight: dict[tuple[str, str, str], asyncio.Future] = {}
        self._live = False
        self._starting: asyncio.Task | None = None
        self._channel = None
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    async def ensure_subscribed(self) -> None:
        """Subscribe to the sections' services' events once (lazily, from the first card request)."""
        if not self.enabled or self._live:
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.create_task(self._subscribe())
        try:
            await asyncio.shield(self._starting)
        except Exception:
            log.warning("card cache: no event subscription; serving uncached", exc_info=True)

    async def _subscribe(self) -> None:
        connection = self.bridge._connection  # the bridge's robust connection
        if connection is None:
            return
        channel = await connection.channel()
        queue = await channel.declare_queue(f"gateway-card-cache-{uuid.uuid4()}", exclusive=True, auto_delete=True)
        for service in self.services:
            exchange = await channel.declare_exchange(f"{service}.events", aio_pika.ExchangeType.TOPIC, durable=True)
            await queue.bind(exchange, routing_key="#")
        await queue.consume(self._on_event, no_ack=True)
        # The robust connection restores the queue and consumer after a reconnect.
        connection.close_callbacks.add(self._on_lost)
        connection.reconnect_callbacks.add(self._on_reopened)
        self._channel = channel
        self._live = True

    def _on_lost(self, *_args) -> None:
        self._live = False
        self.clear()

    def _on_reopened(self, *_args) -> None:
        # Events may have been missed while the channel was down: start from nothing.
        self.clear()
        self._live = True

    async def _on_event(self, message) -> None:
        try:
            event = json.loads(message.body)
        except ValueError:
            self.clear()
            return
        ids = partner_ids_of(event) if isinstance(event, dict) else None
        if ids is None:
            self.clear()
        else:
            for partner_id in ids:
                self.invalidate(partner_id)

    def clear(self) -> None:
        self._entries.clear()
        self._by_partner.clear()
        self.size = 0

    def invalidate(self, partner_id: str) -> None:
        for key in self._by_partner.pop(partner_id, ()):
            self._drop(key)

    def _drop(self, key: tuple[str, str, str]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= entry[2]

    def _store(self, key: tuple[str, str, str], value: Any) -> None:
        weight = footprint(key) + footprint(value) + _ENTRY_OVERHEAD
        if weight > self.max_bytes:
            return  # a section bigger than the whole cache is served, not kept
        self._drop(key)
        self._entries[key] = (time.monotonic() + self.ttl, value, weight)
        self.size += weight
        self._by_partner.setdefault(key[0], set()).add(key)
        while self.size > self.max_bytes:
            old = next(iter(self._entries))
            self._drop(old)
            partner_keys = self._by_partner.get(old[0])
            if partner_keys is not None:
                partner_keys.discard(old)
                if not partner_keys:
                    del self._by_partner[old[0]]

    async def cached(self, service: str, partner_id: str, actor: Actor, fetch: Callable[[], Awaitable[T]]) -> T:
        """``service``'s section of ``partner_id``'s card for this caller: from the cache while
        the event subscription is live and the entry fresh, else fetched (one fetch per key at a
        time; failures are not cached)."""
        if not self.enabled:
            return await fetch()
        await self.ensure_subscribed()
        key = (partner_id, service, access_key(actor))
        if self._live:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > time.monotonic():
                self.hits += 1
                self._entries.move_to_end(key)
                return entry[1]
        self.misses += 1
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await fetch()
            future.set_result(value)
            if self._live:
                self._store(key, value)
            return value
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs "never retrieved"
            raise
        finally:
            self._inflight.pop(key, None)

    async def partners_section(self, partner_id: str, actor: Actor, timeout: float) -> pb.ClientCard:
        """The card's partners part for this caller, from the cache or the partners service."""
        # Kept serialized: its size is known, and every caller gets a message of its own.
        kept = await self.cached(PARTNERS, partner_id, actor, lambda: self._fetch(partner_id, actor, timeout))
        return pb.ClientCard.FromString(kept)

    async def _fetch(self, partner_id: str, actor: Actor, timeout: float) -> bytes:
        data = await self.bridge.call(PARTNERS, "get_card", timeout=timeout, actor=actor, partner_id=partner_id)
        card = to_message(
            {
                "partner": data["partner"],
                "relationships": data["relationships"],
                "agreements": data["agreements"],
                "manager": data["manager"],
                "figures": data["figures"],
            },
            pb.ClientCard,
        )
        card.sections.add(name=PARTNERS, state=pb.SECTION_STATE_AVAILABLE)
        return card.SerializeToString()


class SectionBreaker:
    """Skips a section's service for ``cooldown`` seconds after it failed to answer."""

    def __init__(self, cooldown: float = 3.0):
        self.cooldown = cooldown
        self._open_until: dict[str, tuple[float, str]] = {}

    def blocked(self, service: str) -> str | None:
        until = self._open_until.get(service)
        if until is None or until[0] <= time.monotonic():
            return None
        return f"{until[1]} (not asked again for {until[0] - time.monotonic():.1f} s)"

    def failed(self, service: str, reason: str) -> None:
        self._open_until[service] = (time.monotonic() + self.cooldown, reason)

    def succeeded(self, service: str) -> None:
        self._open_until.pop(service, None)


class CardComposer:
    def __init__(self, bridge: RpcBridge, cache: CardCache, sections: list[str], *, section_timeout: float = 0.5):
        self.bridge = bridge
        self.cache = cache
        self.sections = sections
        self.section_timeout = section_timeout
        self.breaker = SectionBreaker()

    async def _section(
        self, service: str, partner_id: str, actor: Actor, timeout: float
    ) -> tuple[pb.CardSection, Message | None]:
        """The section's state (with the reason when unavailable) and, for a typed section that
        answered, its message."""
        reason = self.breaker.blocked(service)
        if reason is None:
            try:
                data = await self.cache.cached(service, partner_id, actor, lambda: self.bridge.call(
                    service, "card_section", timeout=min(timeout, self.section_timeout), actor=actor, partner_id=partner_id
                ))
            except (TimeoutError, DownstreamError) as exc:
                reason = f"{service} did not answer: {exc}"
                self.breaker.failed(service, reason)
            except Exception as exc:  # the service answered with an error: this section only
                reason = f"{service} failed: {type(exc).__name__}: {exc}"
            else:
                self.breaker.succeeded(service)
                section = pb.CardSection(name=service, state=pb.SECTION_STATE_AVAILABLE)
                typed = TYPED_SECTIONS.get(service)
                if typed is None:
                    section.data.CopyFrom(_struct(data))
                    return section, None
                try:
                    return section, to_message(data, typed[1])
                except (TypeError, ValueError, AttributeError, json_format.ParseError) as exc:
                    log.warning("card: %s answered a section the gateway cannot read: %s", service, exc)
                    reason = f"{service} answered a section the gateway cannot read: {exc}"
        return pb.CardSection(name=service, state=pb.SECTION_STATE_UNAVAILABLE, reason=reason), None

    async def compose(self, partner_id: str, actor: Actor, timeout: float) -> pb.ClientCard:
        """The whole card; partners errors (not found, no access, partners down) are raised."""
        others = [asyncio.create_task(self._section(s, partner_id, actor, timeout)) for s in self.sections]
        try:
            base = await self.cache.partners_section(partner_id, actor, timeout)
        except BaseException:
            for task in others:
                task.cancel()
            raise
        if not others:
            return base
        card = base  # a message of this call's own (partners_section)
        for section, typed in await asyncio.gather(*others):
            card.sections.append(section)
            if typed is not None:
                getattr(card, TYPED_SECTIONS[section.name][0]).CopyFrom(typed)
        if card.HasField("deals"):
            _figures_from_deals(card)
        return card


def _figures_from_deals(card: pb.ClientCard) -> None:
    """The client's figures that deals knows: client since its first won deal or first invoice,
    deals won, the average deal and what it paid."""
    figures, deals = card.figures, card.deals
    figures.client_since = deals.client_since.iso
    figures.deals_won = deals.deals_won
    figures.average_deal.CopyFrom(deals.average_deal)
    figures.total_paid.CopyFrom(deals.total_paid)


def _struct(data: Any) -> struct_pb2.Struct:
    value = struct_pb2.Struct()
    if isinstance(data, dict):
        value.update(json.loads(json.dumps(data, default=str)))
    else:
        value.update({"value": json.loads(json.dumps(data, default=str))})
    return value
