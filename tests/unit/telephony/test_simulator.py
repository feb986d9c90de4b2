"""The simulator's streams: consistent per call, with duplicates, reordering and varied numbers."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

import pytest

from contracts.telephony import validate_call_event
from telephony.simulator import national_digits, send_at_rate, send_chunks_at_rate, simulate

ANSWERED = ["ringing", "answered", "ended"]
TRANSFERRED = ["ringing", "answered", "transferred", "ended"]
MISSED = ["ringing", "missed"]


def by_call(events: list[dict]) -> dict[str, list[dict]]:
    calls = defaultdict(list)
    for event in events:
        calls[event["call_id"]].append(event)
    return calls


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_every_call_has_a_consistent_sequence(seed):
    events = simulate(200, seed)
    for event in events:
        validate_call_event(event)
    calls = by_call(events)
    assert len(calls) == 200
    seen = set()
    for call_events in calls.values():
        unique = {e["event_id"]: e for e in call_events}.values()
        happened = sorted(unique, key=lambda e: datetime.fromisoformat(e["occurred_at"]))
        kinds = [e["kind"] for e in happened]
        assert kinds in (ANSWERED, TRANSFERRED, MISSED), kinds
        assert len({(e["direction"], e["caller"], e["callee"], e["extension"]) for e in happened}) == 1
        if kinds[-1] == "ended":
            answered, ended = happened[1], happened[-1]
            elapsed = datetime.fromisoformat(ended["occurred_at"]) - datetime.fromisoformat(answered["occurred_at"])
            assert ended["duration_s"] == elapsed.total_seconds()
        seen.update(kinds)
    assert seen == {"ringing", "answered", "ended", "missed", "transferred"}
    distinct = {(e["call_id"], e["kind"]) for e in events}
    assert len({e["event_id"] for e in events}) == len(distinct), "one event id per event, across calls too"


def test_same_seed_same_stream_other_seed_other_stream():
    assert simulate(50, 3) == simulate(50, 3)
    assert simulate(50, 3) != simulate(50, 4)
    assert simulate(0, 3) == []


def test_duplicates_share_event_id_and_content():
    events = simulate(300, 11, duplicate_rate=0.2)
    by_id = defaultdict(list)
    for event in events:
        by_id[event["event_id"]].append(event)
    duplicated = [copies for copies in by_id.values() if len(copies) > 1]
    assert len(duplicated) > 50
    assert all(all(copy == copies[0] for copy in copies) for copies in duplicated)
    # Distinct events never share an id, across calls too.
    assert len(by_id) == len({(e["call_id"], e["kind"], e["occurred_at"]) for e in events})
    assert len({e["event_id"] for e in simulate(100, 11, duplicate_rate=0)}) == len(simulate(100, 11, duplicate_rate=0))


def test_reordering_happens_and_can_be_turned_off():
    def out_of_order(events):
        count = 0
        for call_events in by_call(events).values():
            times = [datetime.fromisoformat(e["occurred_at"]) for e in call_events]
            count += any(later < earlier for earlier, later in zip(times, times[1:], strict=False))
        return count

    assert out_of_order(simulate(300, 5, reorder_rate=0.3, duplicate_rate=0)) > 30
    assert out_of_order(simulate(300, 5, reorder_rate=0, duplicate_rate=0)) == 0


def test_number_formats_vary_and_are_russian():
    events = simulate(300, 9)
    externals = {e["caller"] if e["direction"] == "incoming" else e["callee"] for e in events}
    styles = {re.sub(r"\d", "9", number) for number in externals}
    assert len(styles) >= 5
    assert any(n.startswith("+7") for n in externals)
    assert any(n.startswith("8 (") for n in externals)
    assert any(re.fullmatch(r"7\d{10}", n) for n in externals)
    assert all(national_digits(n) is not None for n in externals)


def test_known_numbers_are_used_and_unknown_rate_respected():
    known = ["+7 495 111-22-33", "8 (916) 000-00-01"]
    events = simulate(400, 13, known_numbers=known, unknown_rate=0.2)
    calls = by_call(events)
    knowns = {national_digits(n) for n in known}
    hits = sum(
        national_digits(evs[0]["caller"] if evs[0]["direction"] == "incoming" else evs[0]["callee"]) in knowns
        for evs in calls.values()
    )
    assert 0.7 * len(calls) < hits < 0.9 * len(calls)
    everything_unknown = simulate(100, 13, known_numbers=known, unknown_rate=1.0)
    assert not any(national_digits(e["caller"]) in knowns or national_digits(e["callee"]) in knowns for e in everything_unknown)


def test_missed_rate():
    calls = by_call(simulate(1000, 17, missed_rate=0.3))
    missed = sum(any(e["kind"] == "missed" for e in evs) for evs in calls.values())
    assert 250 < missed < 350
    assert not any(e["kind"] == "missed" for e in simulate(100, 17, missed_rate=0))


def test_send_at_rate_paces_events():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    sent = []
    count = send_at_rate(sent.append, [{"n": i} for i in range(10)], 5.0, clock=lambda: now[0], sleep=sleep)
    assert count == 10 and [e["n"] for e in sent] == list(range(10))
    assert now[0] == pytest.approx(9 / 5.0)
    with pytest.raises(ValueError):
        send_at_rate(sent.append, [], 0)


def test_send_chunks_at_rate_paces_chunks():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    chunks = []
    count = send_chunks_at_rate(chunks.append, [{"n": i} for i in range(250)], 1000.0, tick_s=0.05,
                                clock=lambda: now[0], sleep=sleep)
    assert count == 250 and [len(c) for c in chunks] == [50] * 5
    assert [e["n"] for c in chunks for e in c] == list(range(250))
    assert now[0] == pytest.approx(0.2)  # the fifth chunk goes out 200 ms after the first
    with pytest.raises(ValueError):
        send_chunks_at_rate(chunks.append, [], 0)
