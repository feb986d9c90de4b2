"""The client card cache: keyed by what decides access, bounded by bytes (issue 12: 300 tokens
differing only in regions added 349 MB, one entry per token)."""

from __future__ import annotations

from typing import Any

import pytest
from crm.v1 import card_pb2

from crm_kit.actor import Actor
from gateway.card import CardCache, access_key, footprint
from gateway.config import load_config

PARTNER = "6f1c2b1e-8a43-4e0e-9d2f-1f0b9a1d2c3e"
ANNA = Actor("anna", ("manager",), ("msk",), "north")


class CountingBridge:
    """Answers ``card_section`` with a section of ``size`` characters, counting the calls."""

    _connection = None

    def __init__(self, size: int = 100):
        self.size = size
        self.calls: list[tuple[str, str, Actor]] = []

    async def call(self, service: str, method: str, *, timeout: float, actor: Actor, **kwargs: Any) -> Any:
        self.calls.append((service, method, actor))
        if method == "get_card":
            return {"partner": {"id": kwargs["partner_id"], "short_name": "Клиент"}, "relationships": [],
                    "agreements": [], "manager": {"manager_id": "anna"}, "figures": {"contacts": 1}}
        return {"note": "x" * self.size, "for": actor.user_id}


def live_cache(bridge, **kwargs) -> CardCache:
    cache = CardCache(bridge, ttl=60, services=("deals",), **kwargs)
    cache._live = True  # as when its event subscription is up (tests/e2e covers the subscription)
    return cache


async def section(cache: CardCache, bridge: CountingBridge, actor: Actor, partner_id: str = PARTNER) -> Any:
    return await cache.cached("deals", partner_id, actor, lambda: bridge.call(
        "deals", "card_section", timeout=1.0, actor=actor, partner_id=partner_id))


@pytest.mark.parametrize("one, other", [
    (Actor("admin-1", ("admin",)), Actor("admin-2", ("admin",), ("msk",), "north")),
    (ANNA, Actor("anna", ("manager",), ("msk",), "north", scopes=("x",))),  # another token, same access
    (Actor("svc", ("service",)), Actor("admin-1", ("admin",))),
])
async def test_callers_with_equal_access_share_entries(one, other):
    bridge = CountingBridge()
    cache = live_cache(bridge)
    await section(cache, bridge, one)
    await section(cache, bridge, other)
    assert len(bridge.calls) == 1 and cache.hits == 1


@pytest.mark.parametrize("other", [
    Actor("anna", ("manager",), ("msk", "spb"), "north"),  # another region
    Actor("boris", ("manager",), ("msk",), "north"),  # another manager: their own records
    Actor("anna", ("head_of_sales",), ("msk",), "north"),  # the department's records too
    Actor("anna", ("admin",)),  # everything
])
async def test_callers_whose_access_differs_never_share(other):
    bridge = CountingBridge()
    cache = live_cache(bridge)
    mine = await section(cache, bridge, ANNA)
    theirs = await section(cache, bridge, other)
    assert len(bridge.calls) == 2 and cache.hits == 0
    assert mine["for"] == "anna" and theirs["for"] == other.user_id
    assert access_key(ANNA) != access_key(other)


async def test_a_manager_in_another_department_shares_when_departments_do_not_count():
    # A manager's department decides nothing (only a head of sales sees the department's).
    assert access_key(ANNA) == access_key(Actor("anna", ("manager",), ("msk",), "south"))


async def test_the_cache_holds_no_more_bytes_than_its_bound():
    bridge = CountingBridge(size=10_000)
    bound = 200_000
    cache = live_cache(bridge, max_bytes=bound)
    # 300 tokens of one user differing only in regions, as in issue 12.
    for number in range(300):
        await section(cache, bridge, Actor("anna", ("manager",), (f"r{number}",)))
        assert cache.size <= bound
    held = len(cache._entries)
    assert 0 < held < 300 and cache.size > bound * 0.8
    assert cache.size == sum(entry[2] for entry in cache._entries.values())
    assert cache.size >= held * footprint({"note": "x" * 10_000})


async def test_the_least_recently_used_entry_goes_first():
    bridge = CountingBridge(size=10_000)
    cache = live_cache(bridge, max_bytes=int(2.5 * footprint({"note": "x" * 10_000, "for": "anna"})))  # room for two
    first, second, third = (Actor("anna", ("manager",), (region,)) for region in ("a", "b", "c"))
    for actor in (first, second, first, third):  # first used again: second is the oldest, and goes
        await section(cache, bridge, actor)
    assert len(bridge.calls) == 3 and len(cache._entries) == 2
    await section(cache, bridge, first)
    await section(cache, bridge, third)
    assert len(bridge.calls) == 3
    await section(cache, bridge, second)
    assert len(bridge.calls) == 4


async def test_a_section_bigger_than_the_cache_is_served_not_kept():
    bridge = CountingBridge(size=50_000)
    cache = live_cache(bridge, max_bytes=10_000)
    assert (await section(cache, bridge, ANNA))["note"] == "x" * 50_000
    assert cache.size == 0 and not cache._entries


async def test_invalidating_a_partner_gives_its_bytes_back():
    bridge = CountingBridge()
    cache = live_cache(bridge)
    await section(cache, bridge, ANNA, PARTNER)
    await section(cache, bridge, ANNA, "other-partner")
    before = cache.size
    cache.invalidate(PARTNER)
    assert 0 < cache.size < before
    cache.clear()
    assert cache.size == 0


async def test_the_partners_part_is_kept_serialized_and_each_caller_gets_its_own_message():
    bridge = CountingBridge()
    cache = live_cache(bridge)
    first = await cache.partners_section(PARTNER, ANNA, 1.0)
    again = await cache.partners_section(PARTNER, ANNA, 1.0)
    assert isinstance(first, card_pb2.ClientCard) and first == again and first is not again
    assert len(bridge.calls) == 1
    assert cache.size >= len(first.SerializeToString())


def test_the_bound_is_configured_in_mib():
    assert load_config({"JWT_SECRET": "s" * 40}).card_cache_bytes == 64 * 1024 * 1024
    assert load_config({"JWT_SECRET": "s" * 40, "GATEWAY_CARD_CACHE_MB": "8"}).card_cache_bytes == 8 * 1024 * 1024
