"""Flood control: while the PBX floods this process's consumer with call events, the follow-ups
of calls (matching left pending, prospects and leads for unknown callers) wait, so that storing
the calls gets the CPU; never for longer than a minute at a time.

The consumer tells :data:`FLOOD` the size of every batch (service.py ``ingest_call_events``);
the follow-up timer asks it before its round (service.py ``follow_up_calls``).
"""

from __future__ import annotations

import time


class Flood:
    """Whether this process's consumer is flooded with call events: its last full batch (as
    many events as a batch holds) was less than ``calm_s`` ago. While it is, the follow-up
    timer leaves prospects and leads for later (they cost three services' CPU that storing the
    calls needs), but never for longer than ``max_defer_s``."""

    def __init__(self, calm_s: float = 5.0, max_defer_s: float = 60.0, clock=time.monotonic):
        self.calm_s, self.max_defer_s, self._clock = calm_s, max_defer_s, clock
        self.full_at = float("-inf")
        self.deferred_since: float | None = None

    def batch(self, size: int, capacity: int) -> None:
        if size >= capacity:
            self.full_at = self._clock()

    def calm(self) -> bool:
        """No full batch for ``calm_s``: the consumer keeps up."""
        return self._clock() - self.full_at >= self.calm_s

    def defer_follow_ups(self) -> bool:
        now = self._clock()
        if now - self.full_at >= self.calm_s:
            self.deferred_since = None
            return False
        if self.deferred_since is None:
            self.deferred_since = now
        if now - self.deferred_since >= self.max_defer_s:
            self.deferred_since = now  # do one round, then defer again while the flood lasts
            return False
        return True


FLOOD = Flood()  # this process's consumer
