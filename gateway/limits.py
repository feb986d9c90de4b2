"""Each caller's share of the platform: at most so many calls at once and so many a second.

One manager's 20 concurrent searches used to occupy every worker of the partners service and
time out everyone else's calls for about ten seconds. The gateway now admits a caller's call
only while the caller has fewer than ``GATEWAY_CALLER_CONCURRENCY`` calls in flight (default 6,
below a service's 10 workers) and has calls left in a token bucket refilled at
``GATEWAY_CALLER_RATE`` a second (default 100, burst ``GATEWAY_CALLER_BURST`` 200); otherwise
it answers RESOURCE_EXHAUSTED at once, without calling anything. A caller is the token's
subject; service tokens (machines the operator runs: the PBX adapter, BI) are not limited.
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import Iterator

from crm_kit.errors import CrmError


class ResourceExhausted(CrmError):
    """The caller is over its share; retry later (with backoff)."""

    code = "resource_exhausted"


class CallerLimits:
    """Concurrency and rate per caller, in one process (the gateway is one event loop)."""

    def __init__(self, concurrency: int = 6, rate: float = 100.0, burst: int = 200, max_callers: int = 100_000):
        self.concurrency = concurrency
        self.rate = rate
        self.burst = burst
        self.max_callers = max_callers
        self._in_flight: dict[str, int] = {}
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # caller -> (tokens, at)

    def _take_token(self, caller: str) -> bool:
        now = time.monotonic()
        tokens, at = self._buckets.pop(caller, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._buckets[caller] = (tokens, now)
            return False
        self._buckets[caller] = (tokens - 1.0, now)
        while len(self._buckets) > self.max_callers:  # forget the longest-idle callers
            self._buckets.popitem(last=False)
        return True

    @contextlib.contextmanager
    def admit(self, caller: str) -> Iterator[None]:
        """Hold one of ``caller``'s slots for the call; ResourceExhausted when there is none."""
        if self._in_flight.get(caller, 0) >= self.concurrency:
            raise ResourceExhausted(
                f"too many calls at once: at most {self.concurrency} per caller; retry when one has finished",
                {"limit": "concurrency", "max": self.concurrency},
            )
        if not self._take_token(caller):
            raise ResourceExhausted(
                f"too many calls: at most {self.rate:g} a second per caller (bursts of {self.burst}); retry later",
                {"limit": "rate", "per_second": self.rate, "burst": self.burst},
            )
        self._in_flight[caller] = self._in_flight.get(caller, 0) + 1
        try:
            yield
        finally:
            left = self._in_flight[caller] - 1
            if left:
                self._in_flight[caller] = left
            else:
                del self._in_flight[caller]
