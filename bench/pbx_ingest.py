"""PBX ingest: call events published to the broker, stored and matched by the interactions service.

    python -m bench.pbx_ingest [--quick] [--rate R] [--seconds S] [--partners N] [--publishers P]
                               [--unknown-rate U] [--lead-wait S] [--baseline-events N] [--grpc-events N]

On its own vhost (``crm-bench-pbx``, the call-event queue deleted first) and fresh databases,
the partners, deals and interactions services run as the platform runs them, one process each.
``--partners`` partners are registered through RPC, each with a company number and a contact's
mobile (the directory callers are matched against), and 20 PBX extensions are given to 20
managers. ``telephony.simulator`` then makes the calls of about ``--seconds`` of traffic at
``--rate`` call events a second (duplicates 5 %, reordered 10 %, missed 15 %, numbers in the
many ways PBXs write them, ``--unknown-rate`` of them from numbers nobody has), and
``--publishers`` processes publish them with the product's publisher
(``CallEventPublisher.publish_many``: persistent messages, every one confirmed by the broker,
many confirms in flight) at that rate together, in chunks of 50 ms of traffic, each call's
events through one publisher.

Measured while the interactions service consumes (its database polled every 0.25 s):

- ``events_per_s``: distinct events stored (``call_events``) over the time from the first
  publish to the last event stored: the sustained end-to-end rate; with the publish rate, the
  largest backlog (published, not yet stored) and how long the backlog took to clear after
  the last publish;
- ``lost``: calls missing, or stored with fewer events than were published for them;
  ``duplicated``: calls stored more than once and events counted more than once; ``wrong``:
  calls whose state, times or duration differ from the same events folded in order
  (services/interactions/domain/calls.py);
- ``match_p99_ms``: the p99 of the service's ``interactions_caller_match_seconds`` histogram
  (as Prometheus' histogram_quantile interpolates it: a cache hit, or its share of one
  ``partners.find_by_phones`` for the batch's misses); matched calls from known numbers, and
  the calls from unknown numbers left unknown;
- ``leads_pending``: prospects and leads for unknown callers the follow-up timer had not made
  ``--lead-wait`` seconds (default 120) after the last publish (0: all made), and how long after
  the last publish they were all made.

Then, with the services stopped, two figures on the same messages:

- ``baseline_consume_per_s``: the first ``--baseline-events`` (default 50,000) of the same
  events published into the call-event queue, then taken by a bare consumer as the service's
  batch consumer takes them (kombu, prefetch twice the batch, one ack frame per batch, each
  body decoded) with nothing stored: what the broker and the AMQP client do on this machine,
  so that ``events_per_s`` can be judged on a slower or busier one;
- ``grpc_stream_events_per_s``: the first ``--grpc-events`` (default 30,000) events sent
  through ONE ``Telephony/StreamCallEvents`` stream of a gateway process (a PBX adapter
  speaking gRPC), from the first sent to the last ack; each ack comes after the broker's
  confirm, and every ack is checked (accepted, in the order sent).

The last line is one JSON object with ``events_per_s``, ``lost``, ``duplicated`` and
``match_p99_ms`` first, then ``leads_pending``, ``baseline_consume_per_s`` and
``grpc_stream_events_per_s``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import datetime

import psycopg2

import gateway.generated  # noqa: F401  (puts the generated crm.v1 stubs on the path)
from bench._common import (
    bench_vhost,
    database_url,
    declare_topology,
    finish,
    progress,
    recreate_database,
    report_machine,
    running,
    terminate_on_sigterm,
)

DATABASES = {"partners": "crm_bench_pbx_partners", "deals": "crm_bench_pbx_deals",
             "interactions": "crm_bench_pbx_interactions"}
MANAGERS = 20
EVENTS_PER_CALL = 3.1  # what the simulator's mix averages, duplicates included


# --- seeding --------------------------------------------------------------------------------
def _partner(i: int) -> dict:
    manager = i % MANAGERS
    return {
        "kinds": ["client"], "legal_form": "legal_entity", "short_name": f"ООО «Абонент-{i:05d}»",
        "region": f"r{manager}", "manager_id": f"m{manager}", "department": "sales",
        "phones": [{"number": f"+7495{3000000 + i:07d}"}],
        "contacts": [{"full_name": f"Менеджер закупок {i}", "roles": ["buyer"],
                      "phones": [{"number": f"+7916{4000000 + i:07d}"}]}],
    }


def seed_partners(amqp_uri: str, count: int, threads: int = 8) -> list[str]:
    """Register ``count`` partners through RPC from ``threads`` threads; their numbers."""
    from crm_kit.actor import Actor
    from tests.support.platform import rpc_proxy

    admin = Actor("bench", roles=("admin",))
    numbers: list[str] = []
    lock = threading.Lock()

    def work(part: range) -> None:
        with rpc_proxy(amqp_uri, admin, timeout=60) as proxy:
            for i in part:
                partner = proxy.partners.register(_partner(i), {"duplicate_policy": "skip"})["partner"]
                found = [p["number"] for p in partner["phones"]]
                found += [p["number"] for c in partner["contacts"] for p in c.get("phones", [])]
                with lock:
                    numbers.extend(n for n in found if n not in numbers)

    workers = [threading.Thread(target=work, args=(range(t, count, threads),)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return numbers


def set_extensions(amqp_uri: str) -> None:
    from crm_kit.actor import Actor
    from telephony.simulator import EXTENSIONS
    from tests.support.platform import rpc_proxy

    with rpc_proxy(amqp_uri, Actor("bench", roles=("admin",)), timeout=30) as proxy:
        for n, extension in enumerate(EXTENSIONS):
            manager = n % MANAGERS
            proxy.interactions.set_extension(extension, f"m{manager}", f"r{manager}", "sales")


# --- publishing -----------------------------------------------------------------------------
def _publisher(amqp_uri: str, events: list[dict], rate: float, published, start_at: float) -> None:
    from telephony.publisher import CallEventPublisher
    from telephony.simulator import send_chunks_at_rate

    with CallEventPublisher(amqp_uri, declare=False) as publisher:
        def send(chunk: list[dict]) -> None:
            publisher.publish_many(chunk)
            with published.get_lock():
                published.value += len(chunk)

        delay = start_at - time.time()
        if delay > 0:
            time.sleep(delay)
        send_chunks_at_rate(send, events, rate)


def split_by_call(events: list[dict], parts: int) -> list[list[dict]]:
    slices: list[list[dict]] = [[] for _ in range(parts)]
    index: dict[str, int] = {}
    for event in events:
        slot = index.setdefault(event["call_id"], len(index) % parts)
        slices[slot].append(event)
    return slices


# --- the same messages without the service: a bare consumer, and the gRPC path --------------------
def bare_consume_rate(amqp_uri: str, events: list[dict], batch: int) -> dict:
    """Events per second a bare consumer takes the call events at: ``events`` published into the
    call-event queue (nobody consuming it: the services are stopped), then consumed as the
    service's batch consumer takes them (kombu, prefetch twice the batch, one ack frame per
    batch, each body decoded from JSON) but with nothing stored: the broker and the AMQP client
    on this machine, the floor under ``events_per_s``."""
    import json

    from kombu import Connection, Consumer, Queue

    from contracts.telephony import QUEUE
    from telephony.publisher import CallEventPublisher

    with Connection(amqp_uri) as conn:
        conn.channel().queue_purge(QUEUE)
    with CallEventPublisher(amqp_uri, declare=False) as publisher:
        publisher.publish_many(events)
    taken: list = []
    counted = {"n": 0, "first": None, "last": None}

    def on_message(message) -> None:
        if counted["first"] is None:
            counted["first"] = time.perf_counter()
        json.loads(message.body)
        taken.append(message)
        counted["n"] += 1
        if len(taken) >= batch or counted["n"] == len(events):
            taken[-1].ack(multiple=True)
            taken.clear()
            counted["last"] = time.perf_counter()

    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        consumer = Consumer(channel, queues=[Queue(QUEUE, no_declare=True)], on_message=on_message, no_ack=False)
        consumer.qos(prefetch_count=batch * 2)
        consumer.consume()
        deadline = time.time() + 120
        while counted["n"] < len(events) and time.time() < deadline:
            try:
                conn.drain_events(timeout=1.0)
            except TimeoutError:
                pass
        consumer.cancel()
    seconds = (counted["last"] or time.perf_counter()) - (counted["first"] or time.perf_counter())
    return {"events": counted["n"], "per_s": round(counted["n"] / max(seconds, 1e-9), 1)}


GRPC_SECRET = "bench-pbx-secret-of-at-least-thirty-two-bytes"


def grpc_stream_rate(env: dict, events: list[dict]) -> dict:
    """Events per second through ONE ``Telephony/StreamCallEvents`` stream of a gateway process
    into the broker (each acknowledged after its confirm), from the first event sent to the last
    ack; every ack checked: accepted, in the order sent."""
    import grpc
    from crm.v1 import telephony_pb2 as pb
    from crm.v1 import telephony_pb2_grpc

    from gateway.auth import mint_token
    from gateway.call_events import TEXT_FIELDS
    from tests.support.platform import GatewayProcess

    messages = [pb.CallEvent(**{f: e[f] for f in TEXT_FIELDS if e.get(f)},
                             **({"duration_s": e["duration_s"]} if e.get("duration_s") is not None else {}))
                for e in events]
    metadata = (("authorization", f"Bearer {mint_token(GRPC_SECRET, 'pbx-adapter', ('service',), scopes=('pbx',))}"),)
    gateway = GatewayProcess(GRPC_SECRET, {**env, "GATEWAY_HEALTH_SERVICES": "interactions"})
    gateway.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{gateway.port}") as channel:
            stub = telephony_pb2_grpc.TelephonyStub(channel)
            list(stub.StreamCallEvents(iter(messages[:50]), metadata=metadata, timeout=30))  # warm: channel, declarations
            started = time.perf_counter()
            acks = list(stub.StreamCallEvents(iter(messages), metadata=metadata, timeout=300))
            seconds = time.perf_counter() - started
    finally:
        gateway.stop()
    in_order = [a.event_id for a in acks] == [m.event_id for m in messages]
    accepted = sum(a.accepted for a in acks)
    return {"events": len(messages), "acked": accepted, "in_order": in_order,
            "per_s": round(len(acks) / max(seconds, 1e-9), 1)}


# --- reading the outcome ----------------------------------------------------------------------
def histogram_quantile(metrics: list[str], name: str, q: float) -> float | None:
    """The q-quantile of a Prometheus histogram summed over processes (linear within the
    bucket, as PromQL's histogram_quantile does)."""
    counts: dict[float, float] = defaultdict(float)
    for text in metrics:
        for match in re.finditer(rf'^{name}_bucket\{{le="([^"]+)"\}} (\S+)$', text, re.M):
            counts[float("inf") if match.group(1) == "+Inf" else float(match.group(1))] += float(match.group(2))
    buckets = list(counts.items())
    if not buckets or buckets[-1][1] == 0:
        return None
    buckets.sort()
    rank = q * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if bound == float("inf"):
                return lower_bound
            return lower_bound + (bound - lower_bound) * ((rank - lower_count) / max(count - lower_count, 1e-9))
        lower_bound, lower_count = bound, count
    return buckets[-1][0]


def histogram_count(metrics: list[str], name: str) -> int:
    total = 0
    for text in metrics:
        match = re.search(rf"^{name}_count (\S+)$", text, re.M)
        total += int(float(match.group(1))) if match else 0
    return total


def expected_calls(events: list[dict]):
    """Each call as its distinct events fold (the order does not matter: domain/calls.py)."""
    from services.interactions.domain import calls as call_rules

    distinct: dict[str, dict] = {}
    for event in events:
        distinct.setdefault(event["event_id"], event)
    by_call: dict[str, list[dict]] = defaultdict(list)
    for event in distinct.values():
        by_call[event["call_id"]].append(event)
    folded = {}
    for call_id, told in by_call.items():
        call = None
        for event in sorted(told, key=lambda e: e["occurred_at"]):
            at = datetime.fromisoformat(event["occurred_at"])
            call = call_rules.start(event, at) if call is None else call_rules.apply(call, event, at)
        folded[call_id] = (call, len(told))
    return folded, len(distinct)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 s of traffic over 500 partners")
    parser.add_argument("--rate", type=float, default=3500.0, help="call events per second published (default 3500)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds of traffic (default 60, quick 10)")
    parser.add_argument("--partners", type=int, default=None, help="partners in the directory (default 5000, quick 500)")
    parser.add_argument("--publishers", type=int, default=2, help="publishing processes (default 2)")
    parser.add_argument("--replicas", type=int, default=1, help="interactions processes consuming (default 1)")
    parser.add_argument("--batch", type=int, default=None, help="INTERACTIONS_CALL_BATCH (default: the service's)")
    parser.add_argument("--unknown-rate", type=float, default=0.05, help="share of calls from unknown numbers")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baseline-events", type=int, default=50_000, help="events the bare consumer takes (default 50000)")
    parser.add_argument("--grpc-events", type=int, default=30_000, help="events sent through one gRPC stream (default 30000)")
    parser.add_argument("--lead-wait", type=float, default=120.0, help="seconds to wait for leads after (default 120)")
    args = parser.parse_args(argv)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    partners_count = args.partners or (500 if args.quick else 5000)
    terminate_on_sigterm()

    from crm_ops.migrations import upgrade
    from crm_ops.registry import service_class
    from telephony.simulator import simulate
    from tests.support.platform import ServiceProcess

    machine = report_machine("before")
    amqp_uri = bench_vhost("crm-bench-pbx")
    _reset_queues(amqp_uri)
    for service, name in DATABASES.items():
        recreate_database(name)
        upgrade(service, database_url(name))
    declare_topology(amqp_uri, [service_class(s) for s in DATABASES])
    env = {"AMQP_URI": amqp_uri, "LOG_LEVEL": "WARNING",
           **{f"{s.upper()}_DATABASE_URL": database_url(n).replace("+psycopg2", "") for s, n in DATABASES.items()}}
    partners = ServiceProcess("partners", env, name="partners", test_settings=False)
    deals = ServiceProcess("deals", env, name="deals", test_settings=False)
    if args.batch:
        env["INTERACTIONS_CALL_BATCH"] = str(args.batch)
    replicas = [ServiceProcess("interactions", env, name=f"interactions-{n + 1}", test_settings=False) for n in range(args.replicas)]
    with running(partners, deals, *replicas):
        progress(f"registering {partners_count} partners (2 numbers each)")
        started = time.perf_counter()
        numbers = seed_partners(amqp_uri, partners_count)
        progress(f"directory of {len(numbers)} numbers in {time.perf_counter() - started:.1f} s")
        set_extensions(amqp_uri)
        calls = max(1, int(args.rate * seconds / EVENTS_PER_CALL))
        events = simulate(calls, seed=args.seed, known_numbers=numbers, unknown_rate=args.unknown_rate)
        folded, distinct_events = expected_calls(events)
        progress(f"{calls} calls: {len(events)} events ({distinct_events} distinct) to publish at {args.rate:.0f}/s "
                 f"from {args.publishers} publishers")
        outcome = _publish_and_watch(amqp_uri, env, events, distinct_events, args)
        metrics = [urllib.request.urlopen(f"http://127.0.0.1:{replica.metrics_port}/metrics", timeout=5).read().decode()
                   for replica in replicas]
        check = _check(env, folded, set(numbers))
        leads = _wait_for_leads(env, outcome["published_until"], args.lead_wait)
    # The services are stopped: the same messages through the broker alone, and one gRPC stream.
    progress(f"bare consumer of {min(len(events), args.baseline_events)} of the same events")
    baseline = bare_consume_rate(amqp_uri, events[:args.baseline_events], args.batch or 1000)
    progress(f"bare consumer: {baseline['per_s']} events/s; one gRPC stream of {min(len(events), args.grpc_events)} events")
    stream = grpc_stream_rate(env, events[:args.grpc_events])
    progress(f"gRPC stream: {stream['per_s']} events/s, {stream['acked']} acked, in order: {stream['in_order']}")
    match_p99 = histogram_quantile(metrics, "interactions_caller_match_seconds", 0.99)
    match_p50 = histogram_quantile(metrics, "interactions_caller_match_seconds", 0.50)
    figures = {
        "events_per_s": outcome["events_per_s"],
        "lost": check["lost"],
        "duplicated": check["duplicated"],
        "match_p99_ms": round(match_p99 * 1000, 2) if match_p99 is not None else None,
        "leads_pending": leads["pending"],
        "baseline_consume_per_s": baseline["per_s"],
        "grpc_stream_events_per_s": stream["per_s"],
        "match_p50_ms": round(match_p50 * 1000, 2) if match_p50 is not None else None,
        "matches_measured": histogram_count(metrics, "interactions_caller_match_seconds"),
        "wrong": check["wrong"],
        "publish_rate_per_s": outcome["publish_rate"],
        "max_backlog_events": outcome["max_backlog"],
        "drain_after_publish_s": outcome["drain_s"],
        "events_published": len(events),
        "events_distinct": distinct_events,
        "events_stored": outcome["stored"],
        "calls": len(folded),
        "calls_stored": check["stored"],
        "known_calls_matched": check["known_matched"],
        "known_calls": check["known"],
        "unknown_calls_left_unknown_or_leads": check["unknown_ok"],
        "unknown_calls": check["unknown"],
        "call_back_tasks": check["tasks"],
        "missed_counted_on_tasks": check["missed_counted"],
        "missed_incoming": check["missed_incoming"],
        "leads_made": leads["done"],
        "leads_failed": leads["failed"],
        "leads_done_after_publish_s": leads["after_s"],
        "partners": partners_count,
        "directory_numbers": len(numbers),
        "publishers": args.publishers,
        "interactions_replicas": args.replicas,
        "baseline_events": baseline["events"],
        "grpc_stream_events": stream["events"],
        "grpc_stream_acked_in_order": stream["in_order"] and stream["acked"] == stream["events"],
        "batch": args.batch or 1000,
        "seconds": seconds,
        "quick": args.quick,
        "machine_before": machine,
        "machine_after": report_machine("after"),
    }
    progress(f"{figures['events_per_s']} events/s sustained; lost {figures['lost']}, duplicated {figures['duplicated']}, "
             f"wrong {figures['wrong']}; match p50 {figures['match_p50_ms']} ms p99 {figures['match_p99_ms']} ms")
    finish(figures)
    return 0


def _reset_queues(amqp_uri: str) -> None:
    """Start from an empty call-event queue and dead-letter queue (an earlier run may have left some)."""
    from kombu import Connection

    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        for queue in ("telephony.calls.interactions", "dlq.interactions"):
            try:
                channel.queue_delete(queue)
            except Exception:
                channel = conn.channel()


def _stored_events(env: dict) -> int:
    with psycopg2.connect(env["INTERACTIONS_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM call_events")
        return cur.fetchone()[0]


def _publish_and_watch(amqp_uri: str, env: dict, events: list[dict], distinct: int, args) -> dict:
    context = mp.get_context("spawn")
    published = context.Value("q", 0)
    start_at = time.time() + 2.0
    slices = split_by_call(events, args.publishers)
    processes = [context.Process(target=_publisher, args=(amqp_uri, part, args.rate / args.publishers, published, start_at))
                 for part in slices]
    for process in processes:
        process.start()
    samples: list[tuple[float, int, int]] = []
    conn = psycopg2.connect(env["INTERACTIONS_DATABASE_URL"])
    conn.autocommit = True
    published_until = None
    last_change, last_stored = time.time(), -1
    try:
        with conn.cursor() as cur:
            while True:
                time.sleep(0.25)
                cur.execute("SELECT count(*) FROM call_events")
                stored = cur.fetchone()[0]
                now = time.time()
                samples.append((now, published.value, stored))
                if published_until is None and all(not p.is_alive() for p in processes):
                    published_until = now
                    progress(f"published {published.value} events; {stored} stored so far")
                if stored != last_stored:
                    last_change, last_stored = now, stored
                if stored >= distinct or now - last_change > 60:
                    break
    finally:
        conn.close()
        for process in processes:
            process.join(timeout=5)
    first_publish = next((t for t, p, _ in samples if p > 0), start_at)
    all_stored = next((t for t, _, s in samples if s >= last_stored), samples[-1][0])
    published_until = published_until or samples[-1][0]
    stored = samples[-1][2]
    rate = stored / max(all_stored - first_publish, 1e-9)
    progress(f"{stored} of {distinct} distinct events stored {all_stored - first_publish:.1f} s after the first publish")
    return {
        "events_per_s": round(rate, 1),
        "publish_rate": round(len(events) / max(published_until - first_publish, 1e-9), 1),
        "max_backlog": max(p - s for _, p, s in samples),
        "drain_s": round(max(0.0, all_stored - published_until), 2),
        "stored": stored,
        "published_until": published_until,
    }


def _check(env: dict, folded: dict, known_numbers: set[str]) -> dict:
    from crm_kit import phones
    from services.interactions.domain import calls as call_rules

    known = {phones.lookup_key(n) for n in known_numbers}
    with psycopg2.connect(env["INTERACTIONS_DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT call_id, count(*) FROM call_events GROUP BY call_id")
        events_by_call = dict(cur.fetchall())
        cur.execute("SELECT call_id, call_state, answered_at, ended_at, duration_s, match_state, external_number, "
                    "partner_id FROM interactions WHERE call_id IS NOT NULL")
        rows = cur.fetchall()
        # Missed calls from one number count on one open call back (missed_count): every missed
        # incoming call is counted once on some task.
        cur.execute("SELECT count(*), coalesce(sum(missed_count), 0) FROM tasks WHERE kind = 'call_back'")
        tasks, missed_counted = cur.fetchone()
    copies = Counter(row[0] for row in rows)
    by_call = {row[0]: row for row in rows}
    lost = sum(1 for cid, (_, told) in folded.items() if cid not in by_call or events_by_call.get(cid, 0) < told)
    duplicated = sum(n - 1 for n in copies.values()) + sum(
        max(0, events_by_call.get(cid, 0) - told) for cid, (_, told) in folded.items())
    wrong = 0
    known_calls = known_matched = unknown_calls = unknown_ok = missed_incoming = 0
    for cid, (call, _) in folded.items():
        row = by_call.get(cid)
        if row is None:
            continue
        _, state, answered_at, ended_at, duration, match_state, external, partner_id = row
        if (state, answered_at, ended_at, duration) != (call.state, call.answered_at, call.ended_at, call.duration_s):
            wrong += 1
        if call_rules.needs_call_back(call):
            missed_incoming += 1
        if phones.lookup_key(call.external) in known:
            known_calls += 1
            known_matched += match_state == "matched"
        else:
            unknown_calls += 1
            unknown_ok += match_state == "unknown" or (match_state == "matched" and partner_id is not None)
    return {"lost": lost, "duplicated": duplicated, "wrong": wrong, "stored": len(by_call), "known": known_calls,
            "known_matched": known_matched, "unknown": unknown_calls, "unknown_ok": unknown_ok, "tasks": tasks,
            "missed_counted": int(missed_counted), "missed_incoming": missed_incoming}


def _wait_for_leads(env: dict, published_until: float, timeout: float = 120.0) -> dict:
    deadline = time.time() + timeout
    while True:
        with psycopg2.connect(env["INTERACTIONS_DATABASE_URL"]) as conn, conn.cursor() as cur:
            cur.execute("SELECT state, count(*) FROM call_leads GROUP BY state")
            counts = dict(cur.fetchall())
        if not counts.get("pending") or time.time() > deadline:
            break
        time.sleep(1.0)
    progress(f"leads: {counts}")
    return {"done": counts.get("done", 0), "failed": counts.get("failed", 0), "pending": counts.get("pending", 0),
            "after_s": round(time.time() - published_until, 1)}


if __name__ == "__main__":
    raise SystemExit(main())
