"""Handover: a manager's whole client base handed to another, with the work in progress.

    python -m bench.handover [--quick] [--clients N] [--deals-per-client N]

Three databases of their own (``crm_bench_handover_{partners,deals,interactions}``, rebuilt every
run: the data set is small) hold one manager's base, seeded by bulk SQL (multi-row INSERTs, no
RPC): ``--clients`` partners (default 1,000; quick 200), each with ``--deals-per-client`` open
deals (default 5) with one open task each, one won deal (which must stay the old manager's), one
planned meeting and one open call-back task; and as many partners of other managers, untouched.

The partners, deals and interactions services run in their own processes on the bench vhost,
with production settings (no event checking). Measured:

- ``seconds``: from the ``partners.handover`` call (as an admin) until every open deal of the base
  is the new manager's as *he* sees it through RPC (``deals.forecast`` as him, every 0.1 s: one
  call counting his deals in progress) and its open task his (checked in the deals database);
  ``listed_after_s``: when he then lists them all with ``deals.list_deals`` (pages of 500);
- ``handover_rpc_s``: the partners RPC alone (history rows, the partners' update, one
  ``partner_reassigned`` per partner into the outbox);
- ``interactions_seconds``: until the planned meetings and call-back tasks are the new manager's
  (checked in the interactions database);
- baselines measured in the same run on the same databases: ``baseline_sql_update_s``, one plain
  SQL UPDATE of the same deals and tasks (rolled back), and ``baseline_event_round_trip_ms``, one
  event through the outbox, the broker and a deals handler (a handover of one partner with one
  open deal, until listed as the new manager).

The last line is one JSON object: ``clients``, ``deals_moved``, ``tasks_moved``, ``seconds``
and the rest.
"""

from __future__ import annotations

import argparse
import re
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta

import psycopg2
from sqlalchemy import create_engine, insert

from bench._common import (
    bench_vhost,
    database_url,
    declare_topology,
    dsn,
    finish,
    progress,
    recreate_database,
    report_machine,
    running,
    terminate_on_sigterm,
)

SERVICES = ("partners", "deals", "interactions")
FROM, TO = "bench-leaving", "bench-taking"
CLIENTS, QUICK_CLIENTS = 1000, 200
DEALS_PER_CLIENT = 5
POLL_S = 0.1
LIMIT_S = 600


def db_name(service: str) -> str:
    return f"crm_bench_handover_{service}"


def build(clients: int, per_client: int) -> dict:
    """Fresh databases with the base of ``FROM`` and as many partners of other managers."""
    from crm_ops.migrations import upgrade
    from services.deals.models import Deal, PartnerPlacement, Task
    from services.interactions.models import Interaction
    from services.interactions.models import Task as CallBack
    from services.partners.models import Partner, PartnerKind

    for service in SERVICES:
        recreate_database(db_name(service))
        upgrade(service, database_url(db_name(service)))
    now = datetime.now(UTC)
    partners, kinds, placements, deals, tasks, meetings, calls, call_backs = [], [], [], [], [], [], [], []
    base: list[str] = []
    for i in range(clients * 2):
        mine = i % 2 == 0
        manager = FROM if mine else f"bench-other-{i % 7}"
        pid = str(uuid.uuid4())
        where = {"manager_id": manager, "region": "msk", "department": "north"}
        partners.append({"id": pid, "legal_form": "legal_entity", "short_name": f"Клиент {i}", "name_key": f"клиент {i}",
                         "status": "active", "created_at": now, "updated_at": now, "segment": "wholesale", **where})
        kinds.append({"partner_id": pid, "kind": "client"})
        placements.append({"partner_id": pid, "updated_at": now - timedelta(days=1), **where})
        if not mine:
            continue
        base.append(pid)
        for n in range(per_client + 1):
            won = n == per_client
            did = str(uuid.uuid4())
            deals.append({"id": did, "title": f"Сделка {i}-{n}", "partner_id": pid, "process_code": "manual",
                          "stage": "offer", "status": "won" if won else "in_progress", "amount": 1000,
                          "currency": "RUB", "partner_is_client": True, "created_at": now, "updated_at": now,
                          "stage_entered_at": now, "closed_at": now if won else None, **where})
            tasks.append({"id": str(uuid.uuid4()), "deal_id": did, "title": "Позвонить", "due_date": date.today(),
                          "responsible_id": FROM, "done": won, "kind": "work", "created_at": now})
        iid = str(uuid.uuid4())
        meetings.append({"id": iid, "kind": "meeting", "status": "planned", "subject_kind": "partner",
                         "subject_id": pid, "partner_id": pid, "chain_id": iid, "planned_at": now + timedelta(days=1),
                         "place": "Офис", "responsible_id": FROM, "region": "msk", "department": "north",
                         "created_at": now, "updated_at": now})
        cid = str(uuid.uuid4())
        calls.append({"id": cid, "kind": "call", "status": "done", "subject_kind": "partner", "subject_id": pid,
                         "partner_id": pid, "chain_id": cid, "call_id": f"bench-{cid}", "direction": "incoming",
                         "responsible_id": FROM, "region": "msk", "department": "north", "created_at": now,
                         "updated_at": now})
        call_backs.append({"id": str(uuid.uuid4()), "kind": "call_back", "title": "Перезвонить", "status": "open",
                           "assignee_id": FROM, "partner_id": pid, "interaction_id": cid, "region": "msk",
                           "department": "north", "created_at": now})
    t = time.perf_counter()
    for service, tables in (
        ("partners", [(Partner, partners), (PartnerKind, kinds)]),
        ("deals", [(PartnerPlacement, placements), (Deal, deals), (Task, tasks)]),
        ("interactions", [(Interaction, meetings), (Interaction, calls), (CallBack, call_backs)]),
    ):
        engine = create_engine(database_url(db_name(service)))
        with engine.begin() as conn:
            for model, rows in tables:
                for start in range(0, len(rows), 2000):
                    conn.execute(insert(model), rows[start:start + 2000])
            conn.exec_driver_sql("ANALYZE")
        engine.dispose()
    open_deals = sum(1 for d in deals if d["status"] == "in_progress")
    progress(f"seeded {len(partners):,} partners ({len(base):,} of {FROM}), {len(deals):,} deals ({open_deals:,} open), "
             f"{len(tasks):,} tasks, {len(meetings):,} planned meetings and call-back tasks in "
             f"{time.perf_counter() - t:.1f}s")
    return {"base": base, "open_deals": open_deals}


def sql_baseline() -> float:
    """One plain UPDATE of the base's open deals and their open tasks, rolled back."""
    with psycopg2.connect(dsn(db_name("deals"))) as conn, conn.cursor() as cur:
        t = time.perf_counter()
        cur.execute("UPDATE deals SET manager_id = %s WHERE manager_id = %s AND status = 'in_progress'", (TO, FROM))
        cur.execute("UPDATE tasks SET responsible_id = %s WHERE responsible_id = %s AND NOT done", (TO, FROM))
        seconds = time.perf_counter() - t
        conn.rollback()
    return seconds


def count(service: str, query: str, *args) -> int:
    with psycopg2.connect(dsn(db_name(service))) as conn, conn.cursor() as cur:
        cur.execute(query, args)
        return cur.fetchone()[0]


def forecast_count(proxy, manager: str) -> int:
    """Deals in progress ``manager`` sees as his in his forecast, through RPC."""
    return sum(row["deals"] for row in proxy.deals.forecast({"manager_id": manager})["rows"])


def listed(proxy, manager: str) -> int:
    """Open deals ``manager`` lists as theirs, through RPC, every page."""
    total, cursor = 0, None
    while True:
        page = proxy.deals.list_deals({"manager_id": manager, "status": "in_progress", "limit": 500, "cursor": cursor})
        total += len(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return total


def batches(process) -> dict:
    """How the service took the partner_reassigned events: batches and their mean time, from
    its /metrics (crm_kit.batch)."""
    queue = f"{process.target}.partner_reassigned"
    found = {}
    for suffix in ("sum", "count"):
        match = re.search(rf'^crm_batch_seconds_{suffix}\{{[^}}]*queue="{re.escape(queue)}"[^}}]*\}} (\S+)$',
                          process.metrics(), re.M)
        found[suffix] = float(match.group(1)) if match else 0.0
    count = int(found["count"])
    return {"batches": count, "batch_mean_ms": round(found["sum"] / count * 1000, 1) if count else None}


def wait_until(check, what: str, started: float) -> float:
    while not check():
        if time.perf_counter() - started > LIMIT_S:
            raise SystemExit(f"{what}: not done after {LIMIT_S}s")
        time.sleep(POLL_S)
    return time.perf_counter() - started


def measure(amqp_uri: str, built: dict) -> dict:
    from crm_kit.actor import Actor
    from crm_ops.registry import service_class
    from tests.support.platform import ServiceProcess, rpc_proxy

    declare_topology(amqp_uri, [service_class(name) for name in SERVICES])
    env = {"AMQP_URI": amqp_uri, "LOG_LEVEL": "WARNING", "DEALS_OVERDUE_SCAN_S": "86400",
           "DEALS_STUCK_SCAN_S": "86400", "INTERACTIONS_REMINDER_SCAN_S": "86400",
           **{f"{name.upper()}_DATABASE_URL": database_url(db_name(name)) for name in SERVICES}}
    processes = [ServiceProcess(name, env, name=f"bench-{name}", test_settings=False) for name in SERVICES]
    out: dict = {}
    with running(*processes), ExitStack() as stack:
        admin = stack.enter_context(rpc_proxy(amqp_uri, Actor("bench-admin", roles=("admin",)), timeout=120))
        taking = stack.enter_context(rpc_proxy(amqp_uri, Actor(TO, roles=("manager",)), timeout=60))
        listed(taking, TO)  # warm the connections and statements

        # Baseline: one event round trip (one partner with one open deal handed over and back).
        probe = stack.enter_context(rpc_proxy(amqp_uri, Actor("bench-probe", roles=("manager",)), timeout=60))
        partner = admin.partners.register({"kinds": ["client"], "legal_form": "legal_entity", "short_name": "Проба",
                                           "region": "msk", "manager_id": "bench-probe-a"},
                                          {"duplicate_policy": "skip"})["partner"]
        admin.deals.open_deal({"title": "Проба", "partner_id": partner["id"], "manager_id": "bench-probe-a",
                               "process_code": "none"})
        trips = []
        for n, dst in enumerate(["bench-probe", "bench-probe-a"] * 3):
            t = time.perf_counter()
            admin.partners.reassign(partner["id"], {"manager_id": dst, "reason": f"probe {n}"})
            wait_until(lambda dst=dst: count("deals", "SELECT count(*) FROM deals WHERE partner_id = %s AND manager_id = %s",
                                             partner["id"], dst) == 1, "probe", t)
            if dst == "bench-probe":
                wait_until(lambda: listed(probe, "bench-probe") == 1, "probe listed", t)
            trips.append(time.perf_counter() - t)
        out["baseline_event_round_trip_ms"] = round(sorted(trips)[len(trips) // 2] * 1000, 1)
        progress(f"baseline: one partner_reassigned to its deal listed as the new manager's, median "
                 f"{out['baseline_event_round_trip_ms']} ms of {len(trips)}")

        started = time.perf_counter()
        answer = admin.partners.handover({"from_manager_id": FROM, "manager_id": TO, "reason": "bench"})
        out["handover_rpc_s"] = round(time.perf_counter() - started, 3)
        progress(f"partners.handover answered: {answer['count']:,} partners in {out['handover_rpc_s']}s")
        want = built["open_deals"]
        # Polled by the forecast as the new manager (one RPC: his deals in progress that he sees,
        # counted), then confirmed by listing them all, page by page: polling by full listings
        # every 0.1 s took a fifth of the deals process's CPU away from the handover.
        deals_s = wait_until(lambda: forecast_count(taking, TO) >= want, "deals the new manager's", started)
        progress(f"{want:,} open deals in {TO}'s forecast {deals_s:.2f}s after the call")
        tasks_s = wait_until(lambda: count("deals", "SELECT count(*) FROM tasks WHERE responsible_id = %s AND NOT done",
                                           TO) >= want, "tasks moved", started)
        out["listed_after_s"] = round(wait_until(lambda: listed(taking, TO) >= want, "deals listed", started), 2)
        progress(f"  and listed by him, every page, {out['listed_after_s']:.2f}s after the call")
        out["seconds"] = round(max(deals_s, tasks_s), 2)
        out["deals_visible_s"] = round(deals_s, 2)
        sample = admin.deals.list_deals({"manager_id": TO, "limit": 20})["items"]
        out["sample_tasks_his"] = all(
            all(t["responsible_id"] == TO for t in taking.deals.get_deal(d["id"])["tasks"]) for d in sample)
        wanted_interactions = len(built["base"])
        interactions_s = wait_until(lambda: count(
            "interactions", "SELECT (SELECT count(*) FROM interactions WHERE responsible_id = %s AND status = 'planned')"
            " + (SELECT count(*) FROM tasks WHERE assignee_id = %s AND status = 'open')", TO, TO)
            >= 2 * wanted_interactions, "interactions moved", started)
        out["interactions_seconds"] = round(interactions_s, 2)
        progress(f"planned meetings and call-back tasks the new manager's {interactions_s:.2f}s after the call")
        for process in processes[1:]:
            taken = out[f"{process.target}_batches"] = batches(process)
            progress(f"{process.target} took the partner_reassigned events in {taken['batches']} batches "
                     f"of {taken['batch_mean_ms']} ms on average (the probes' included)")
    out["deals_moved"] = count("deals", "SELECT count(*) FROM deals WHERE manager_id = %s AND status = 'in_progress'", TO)
    out["tasks_moved"] = count("deals", "SELECT count(*) FROM tasks WHERE responsible_id = %s", TO)
    out["won_kept"] = count("deals", "SELECT count(*) FROM deals WHERE manager_id = %s AND status = 'won'", FROM)
    out["history_rows"] = count("deals", "SELECT count(*) FROM deal_assignments WHERE handover_id = %s",
                                answer["handover_id"])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.handover", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CLIENTS} clients")
    parser.add_argument("--clients", type=int, help=f"clients handed over (default {CLIENTS})")
    parser.add_argument("--deals-per-client", type=int, default=DEALS_PER_CLIENT, help="open deals per client")
    args = parser.parse_args(argv)
    terminate_on_sigterm()
    clients = args.clients or (QUICK_CLIENTS if args.quick else CLIENTS)
    amqp_uri = bench_vhost()
    progress(f"handover benchmark: {clients:,} clients x {args.deals_per_client} open deals; vhost {amqp_uri}")
    machine_before = report_machine("before")
    built = build(clients, args.deals_per_client)
    baseline = sql_baseline()
    progress(f"baseline: one SQL UPDATE of the {built['open_deals']:,} open deals and their tasks {baseline:.3f}s")
    measured = measure(amqp_uri, built)
    machine_after = report_machine("after")
    finish({
        "clients": clients,
        "deals_moved": measured.pop("deals_moved"),
        "seconds": measured.pop("seconds"),
        **measured,
        "baseline_sql_update_s": round(baseline, 3),
        "machine_before": {k: machine_before[k] for k in ("loadavg_1m", "loadavg_5m")},
        "machine_after": {k: machine_after[k] for k in ("loadavg_1m", "loadavg_5m")},
    })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
