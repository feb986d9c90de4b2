"""A phone call told by the PBX as events (ringing, answered, transferred, ended, missed), in
plain Python: what one call is, whatever order its events arrive in and however often each is
repeated.

Every fact is folded in commutatively, so the result does not depend on delivery order:

- the call started at the earliest event; it was answered at the earliest ``answered``; it
  ended at the latest ``ended`` or ``missed``; its duration is the ``ended`` event's;
- direction and numbers are those of the earliest event, the extension that of the earliest
  event naming one (a transfer names the extension that took it over; the latest transfer is
  where the call is now);
- a ``missed`` event makes it missed for good (the PBX's last word on an unanswered call);
- the state is missed, else ended, else answered, else ringing; an ended or missed call is a
  done interaction, a ringing or answered one is in progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

RINGING, ANSWERED, ENDED, MISSED, TRANSFERRED = "ringing", "answered", "ended", "missed", "transferred"
STATES = (RINGING, ANSWERED, ENDED, MISSED)
FINISHED = (ENDED, MISSED)

INCOMING, OUTGOING = "incoming", "outgoing"

# How an external number was matched to a partner (Interaction.match_state).
MATCHED, UNKNOWN, PENDING, NO_NUMBER = "matched", "unknown", "pending", "none"

TASK_CALL_BACK = "call_back"


@dataclass(frozen=True)
class Call:
    """What is known of one call."""

    direction: str
    caller: str
    callee: str
    extension: str | None
    started_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_s: int | None = None
    recording_url: str | None = None
    missed: bool = False
    ended: bool = False
    transfers: tuple[tuple[datetime, str], ...] = field(default=())
    extension_at: datetime | None = None  # when the event the extension came from happened

    @property
    def state(self) -> str:
        if self.missed:
            return MISSED
        if self.ended:
            return ENDED
        return ANSWERED if self.answered_at is not None else RINGING

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def current_extension(self) -> str | None:
        """Where the call is now: the latest transfer's target, else the first extension."""
        return self.transfers[-1][1] if self.transfers else self.extension

    @property
    def external(self) -> str:
        """The other party's number as the PBX wrote it: the caller of an incoming call, the
        callee of an outgoing one."""
        return self.caller if self.direction == INCOMING else self.callee


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    return a if b is None or a <= b else b


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    return a if b is None or a >= b else b


def start(event: dict[str, Any], at: datetime) -> Call:
    """A call known only by this event (already validated: contracts.telephony)."""
    extension = event.get("extension")
    return apply(
        Call(direction=event["direction"], caller=event["caller"], callee=event["callee"],
             extension=extension, started_at=at, extension_at=at if extension else None),
        event, at,
    )


def apply(call: Call, event: dict[str, Any], at: datetime) -> Call:
    """``call`` with ``event`` (which happened ``at``) folded in."""
    changes: dict[str, Any] = {}
    if at < call.started_at:
        changes.update(started_at=at, direction=event["direction"], caller=event["caller"], callee=event["callee"])
    if event.get("extension") and (call.extension_at is None or at < call.extension_at):
        changes.update(extension=event["extension"], extension_at=at)
    kind = event["kind"]
    if kind == ANSWERED:
        changes["answered_at"] = _earlier(call.answered_at, at)
    elif kind == ENDED:
        changes.update(ended=True, ended_at=_later(call.ended_at, at))
        duration = event.get("duration_s")
        if duration is not None:
            changes["duration_s"] = max(call.duration_s or 0, duration)
    elif kind == MISSED:
        changes.update(missed=True, ended_at=_later(call.ended_at, at))
    elif kind == TRANSFERRED:
        changes["transfers"] = tuple(sorted({*call.transfers, (at, event["transferred_to"])}))
    if event.get("recording_url") and not call.recording_url:
        changes["recording_url"] = event["recording_url"]
    return replace(call, **changes) if changes else call


def title(call: Call, display_number: str) -> str:
    if call.state == MISSED:
        return f"Missed call from {display_number}" if call.direction == INCOMING else f"Unanswered call to {display_number}"
    return f"Incoming call from {display_number}" if call.direction == INCOMING else f"Outgoing call to {display_number}"


def needs_call_back(call: Call) -> bool:
    """A missed incoming call: someone has to call back (one task per call)."""
    return call.state == MISSED and call.direction == INCOMING


def makes_lead(call: Call, match_state: str) -> bool:
    """An incoming call from a number nobody has: a prospect and a lead are made for it."""
    return call.direction == INCOMING and match_state == UNKNOWN
