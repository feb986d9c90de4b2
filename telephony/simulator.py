"""Realistic call-event streams for testing the consumer, and a rate-limited sender.

``simulate`` is deterministic for a seed. Each call is ``ringing -> answered [-> transferred]
-> ended`` or ``ringing -> missed``; calls overlap in time, some events are delivered twice
(same ``event_id``) and some arrive before an earlier event of the same call. External numbers
are Russian, written the many ways PBXs write them (+7..., 8 (495) ..., 7495...).
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

MSK = timezone(timedelta(hours=3))
START = datetime(2026, 11, 23, 9, 0, tzinfo=MSK)
EXTENSIONS = tuple(str(n) for n in range(101, 121))
COMPANY_LINE = "+74951500000"
AREA_CODES = ("495", "499", "812", "843", "383", "343", "916", "903", "925", "977", "985", "921", "999")
FORMATS = (
    "+7{a}{b}{c}{d}",         # +74951234567
    "+7 {a} {b}-{c}-{d}",     # +7 495 123-45-67
    "8 ({a}) {b}-{c}-{d}",    # 8 (495) 123-45-67
    "7{a}{b}{c}{d}",          # 74951234567
    "8{a}{b}{c}{d}",          # 84951234567
    "8-{a}-{b}-{c}-{d}",      # 8-495-123-45-67
    "+7 ({a}) {b} {c} {d}",   # +7 (495) 123 45 67
)


def format_number(national: str, rng: random.Random) -> str:
    """A 10-digit Russian national number (``4951234567``) in a random PBX style."""
    a, rest = national[:3], national[3:]
    return rng.choice(FORMATS).format(a=a, b=rest[:3], c=rest[3:5], d=rest[5:7])


def national_digits(number: str) -> str | None:
    """The 10 national digits of a Russian number in any of the formats above, else None."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and digits[0] in "78":
        return digits[1:]
    if len(digits) == 10:
        return digits
    return None


def _random_national(rng: random.Random) -> str:
    return rng.choice(AREA_CODES) + "".join(str(rng.randrange(10)) for _ in range(7))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def simulate(
    calls: int,
    seed: int,
    duplicate_rate: float = 0.05,
    reorder_rate: float = 0.1,
    unknown_rate: float = 0.2,
    missed_rate: float = 0.15,
    known_numbers: list[str] | None = None,
    transfer_rate: float = 0.1,
    recording_rate: float = 0.5,
) -> list[dict]:
    """The events of ``calls`` calls in delivery order (with duplicates and reordering)."""
    if calls < 0:
        raise ValueError("calls must be 0 or more")
    rng = random.Random(seed)
    known = list(known_numbers or [])
    delivered: list[tuple[float, int, dict]] = []
    order = 0
    started = START
    for index in range(calls):
        started += timedelta(seconds=rng.randint(5, 90))
        call_id = f"sim-{seed}-{index:05d}-{uuid.UUID(int=rng.getrandbits(128), version=4).hex[:8]}"
        direction = "incoming" if rng.random() < 0.75 else "outgoing"
        extension = rng.choice(EXTENSIONS)
        if known and rng.random() >= unknown_rate:
            given = rng.choice(known)
            national = national_digits(given)
            external = format_number(national, rng) if national else given
        else:
            external = format_number(_random_national(rng), rng)
        if direction == "incoming":
            caller, callee = external, rng.choice((COMPANY_LINE, extension))
        else:
            caller, callee = extension, external

        common = {"call_id": call_id, "direction": direction, "caller": caller, "callee": callee, "extension": extension}

        def event(kind: str, at: datetime, common: dict = common, **extra) -> dict:
            event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            return {"event_id": event_id, "kind": kind, **common, "occurred_at": _iso(at), **extra}

        moment = started
        events = [event("ringing", moment)]
        if rng.random() < missed_rate:
            moment += timedelta(seconds=rng.randint(15, 45))
            events.append(event("missed", moment))
        else:
            moment += timedelta(seconds=rng.randint(2, 25))
            answered = moment
            events.append(event("answered", moment))
            if rng.random() < transfer_rate:
                moment += timedelta(seconds=rng.randint(5, 120))
                target = rng.choice([e for e in EXTENSIONS if e != extension])
                events.append(event("transferred", moment, transferred_to=target))
            moment += timedelta(seconds=rng.randint(10, 900))
            extra = {"duration_s": int((moment - answered).total_seconds())}
            if rng.random() < recording_rate:
                extra["recording_url"] = f"https://pbx.example/recordings/{call_id}.mp3"
            events.append(event("ended", moment, **extra))

        # Delivery times: when the event happened plus a little network delay.
        times = [(e_["occurred_at"], (datetime.fromisoformat(e_["occurred_at"]) - START).total_seconds()) for e_ in events]
        keys = [offset + rng.uniform(0.0, 0.5) for _, offset in times]
        if len(events) > 1 and rng.random() < reorder_rate:
            late = rng.randrange(1, len(events))
            keys[late] = keys[late - 1] - rng.uniform(0.5, 2.0)  # overtakes the event before it
        for key, item in zip(keys, events, strict=True):
            delivered.append((key, order, item))
            order += 1
            if rng.random() < duplicate_rate:
                delivered.append((key + rng.uniform(0.1, 30.0), order, dict(item)))
                order += 1
    delivered.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _, _, item in delivered]


def send_at_rate(
    send: Callable[[dict], object],
    events: Iterable[dict],
    rate: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Call ``send(event)`` for each event, at most ``rate`` events per second; returns the count."""
    if rate <= 0:
        raise ValueError("rate must be positive")
    interval = 1.0 / rate
    start = clock()
    sent = 0
    for event in events:
        due = start + sent * interval
        delay = due - clock()
        if delay > 0:
            sleep(delay)
        send(event)
        sent += 1
    return sent


def send_chunks_at_rate(
    send_many: Callable[[list[dict]], object],
    events: Iterable[dict],
    rate: float,
    *,
    tick_s: float = 0.05,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Call ``send_many(chunk)`` every ``tick_s`` seconds with that tick's share of ``rate``
    events per second (for a publisher that keeps many confirms in flight); returns the count."""
    if rate <= 0 or tick_s <= 0:
        raise ValueError("rate and tick_s must be positive")
    events = list(events)
    size = max(1, round(rate * tick_s))
    start = clock()
    sent = 0
    for index in range(0, len(events), size):
        due = start + sent / rate
        delay = due - clock()
        if delay > 0:
            sleep(delay)
        chunk = events[index:index + size]
        send_many(chunk)
        sent += len(chunk)
    return sent
