"""Each caller's share: concurrency and rate, refused at once as RESOURCE_EXHAUSTED."""

from __future__ import annotations

import contextlib

import pytest

from gateway.limits import CallerLimits, ResourceExhausted


def test_concurrency_is_per_caller():
    limits = CallerLimits(concurrency=2, rate=1000, burst=1000)
    with contextlib.ExitStack() as held:
        held.enter_context(limits.admit("anna"))
        held.enter_context(limits.admit("anna"))
        with pytest.raises(ResourceExhausted) as refused:
            held.enter_context(limits.admit("anna"))
        assert refused.value.details["limit"] == "concurrency"
        held.enter_context(limits.admit("boris"))  # another caller is not held back
    with limits.admit("anna"):  # slots come back when calls end, also on errors
        pass
    with pytest.raises(RuntimeError), limits.admit("anna"):
        raise RuntimeError("the call failed")
    assert limits._in_flight == {}


def test_rate_refills(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("gateway.limits.time.monotonic", lambda: now[0])
    limits = CallerLimits(concurrency=10, rate=2, burst=3)
    for _ in range(3):
        with limits.admit("anna"):
            pass
    with pytest.raises(ResourceExhausted) as refused:
        with limits.admit("anna"):
            pass
    assert refused.value.details["limit"] == "rate"
    now[0] += 0.5  # one token back
    with limits.admit("anna"):
        pass
    with limits.admit("boris"):
        pass
