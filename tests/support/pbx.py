"""One phone call as a PBX tells it: call events with their ids, in the contract's shape
(telephony/events.py), for the tests that feed the interactions service calls (through the
broker, or straight into its use cases)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

MSK = timezone(timedelta(hours=3))


class PbxCall:
    """The events of one call with the number ``external``: an incoming call rings our line
    +74951500000 from it; an outgoing one is made from ``extension`` to it."""

    def __init__(self, external: str, direction: str = "incoming", extension: str = "101"):
        self.call_id = f"call-{uuid.uuid4().hex[:10]}"
        self.direction, self.external, self.extension = direction, external, extension
        self.start = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)

    def event(self, kind: str, after_s: int, **extra) -> dict:
        caller, callee = (self.external, "+74951500000") if self.direction == "incoming" else (self.extension, self.external)
        return {
            "call_id": self.call_id, "event_id": f"{self.call_id}:{kind}:{after_s}", "kind": kind,
            "direction": self.direction, "caller": caller, "callee": callee, "extension": self.extension,
            "occurred_at": (self.start + timedelta(seconds=after_s)).isoformat(), **extra,
        }

    def talked(self, seconds: int = 90) -> list[dict]:
        """Rang, answered after 5 s, ended after ``seconds`` of talk, with a recording."""
        return [self.event("ringing", 0), self.event("answered", 5),
                self.event("ended", 5 + seconds, duration_s=seconds, recording_url="https://pbx.example/r/1.mp3")]

    def missed(self) -> list[dict]:
        """Rang for 25 s, nobody answered."""
        return [self.event("ringing", 0), self.event("missed", 25)]
