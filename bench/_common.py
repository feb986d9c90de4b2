"""What both benchmarks share: progress lines, percentiles, the bench vhost and databases,
service processes that are stopped whatever happens, and the machine's state.

The benchmark process itself never monkey-patches eventlet: it calls services with nameko's
standalone RPC proxy from plain threads, as the integration tests do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from typing import Any

import psycopg2
from psycopg2 import sql

import crm_kit  # noqa: F401  (quiets eventlet's deprecation banner before nameko loads it)

PG_ADMIN_URL = os.environ.get("CRM_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_HOST = os.environ.get("CRM_BENCH_AMQP_HOST", "guest:guest@127.0.0.1:5672")
BENCH_VHOST = os.environ.get("CRM_BENCH_VHOST", "crm-bench")
# Two checkouts benchmarking on one machine set CRM_TEST_NAMESPACE to different words (as for
# tests): each gets its own vhosts and databases.
NAMESPACE = os.environ.get("CRM_TEST_NAMESPACE", "").strip().lower()


def namespaced(name: str, sep: str = "_") -> str:
    """``name`` in this run's namespace (unchanged without one)."""
    return f"{name}{sep}{NAMESPACE}" if NAMESPACE else name

_STARTED = time.monotonic()


def progress(message: str) -> None:
    """One progress line, with the seconds since the benchmark started."""
    print(f"[{time.monotonic() - _STARTED:7.1f}s] {message}", flush=True)


def finish(figures: dict[str, Any]) -> None:
    """The last line: one JSON object of figures."""
    print(json.dumps(figures, ensure_ascii=False, sort_keys=False), flush=True)


def terminate_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so ``finally`` blocks stop the service processes."""

    def _raise(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _raise)


# --- statistics -------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks (as numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(seconds: list[float]) -> dict[str, float]:
    """p50/p90/p99/mean/max in milliseconds, rounded to microseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else float("nan"),
        "max_ms": round(max(ms), 3) if ms else float("nan"),
    }


def describe(name: str, stats: dict[str, float]) -> str:
    return (
        f"{name}: n={stats['n']} p50={stats['p50_ms']:.2f} ms p90={stats['p90_ms']:.2f} ms "
        f"p99={stats['p99_ms']:.2f} ms mean={stats['mean_ms']:.2f} ms max={stats['max_ms']:.2f} ms"
    )


# --- RabbitMQ ---------------------------------------------------------------------------
def bench_vhost(name: str | None = None) -> str:
    """The AMQP URI of the benchmarks' own vhost (created when missing), so they never meet
    the tests' queues or a running ``make run``."""
    if "CRM_BENCH_AMQP" in os.environ:
        return os.environ["CRM_BENCH_AMQP"]
    vhost = namespaced(name or BENCH_VHOST, "-")
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        raise SystemExit("rabbitmqctl not found: set CRM_BENCH_AMQP to the AMQP URI of a vhost for benchmarks")
    added = subprocess.run([ctl, "-q", "add_vhost", vhost], capture_output=True, text=True)
    if added.returncode != 0 and "already" not in (added.stdout + added.stderr).lower():
        raise SystemExit(f"rabbitmqctl add_vhost {vhost} failed: {(added.stdout + added.stderr).strip()}")
    subprocess.run(
        [ctl, "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        capture_output=True, text=True, check=True,
    )
    return f"amqp://{AMQP_HOST}/{vhost}"


def declare_topology(amqp_uri: str, classes: list[type]) -> None:
    from crm_ops.topology import declare

    declare({"AMQP_URI": amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False}, classes)


# --- PostgreSQL -------------------------------------------------------------------------
def admin_connection():
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    return conn


def database_exists(name: str) -> bool:
    with admin_connection() as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (namespaced(name),))
        return cur.fetchone() is not None


def recreate_database(name: str) -> None:
    name = namespaced(name)
    conn = admin_connection()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def database_url(name: str) -> str:
    """The SQLAlchemy URL of database ``name`` on the bench server (psycopg2 driver)."""
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+psycopg2://", 1) + "/" + namespaced(name)


def dsn(name: str) -> str:
    """The libpq URL of database ``name`` (for psycopg2.connect)."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + namespaced(name)


# --- service processes ------------------------------------------------------------------
@contextmanager
def running(*services):
    """Start the given ``ServiceProcess``es (waiting for each to be ready) and stop them all
    on the way out, also on an error or Ctrl-C."""
    started = []
    try:
        for service in services:
            started.append(service)
            service.start()
            progress(f"{service.name} running (pid {service.proc.pid}, metrics :{service.metrics_port})")
        yield services
    finally:
        for service in reversed(started):
            try:
                service.stop()
                progress(f"{service.name} stopped")
            except Exception as exc:  # keep stopping the others
                progress(f"could not stop {service.name}: {exc}")


def worker_seconds(metrics: str, service: str, method: str) -> tuple[float, float]:
    """(sum, count) of ``crm_worker_seconds`` for an RPC method, from a /metrics text."""
    labels = f'kind="rpc",method="{method}",service="{service}"'
    found = {}
    for suffix in ("sum", "count"):
        match = re.search(rf"^crm_worker_seconds_{suffix}\{{{re.escape(labels)}\}} (\S+)$", metrics, re.M)
        found[suffix] = float(match.group(1)) if match else 0.0
    return found["sum"], found["count"]


# --- the machine ------------------------------------------------------------------------
def busy_processes(limit: int = 6, threshold: float = 5.0) -> list[str]:
    """Other processes using CPU right now (``ps`` %CPU over their lifetime is misleading, so
    sample /proc for half a second)."""

    def ticks() -> dict[int, tuple[int, str]]:
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            out[int(pid)] = (int(fields[11]) + int(fields[12]), cmd or stat.split("(", 1)[1].split(")")[0])
        return out

    before = ticks()
    time.sleep(0.5)
    after = ticks()
    hz = os.sysconf("SC_CLK_TCK")
    usage = []
    for pid, (t, cmd) in after.items():
        if pid == os.getpid() or pid not in before:
            continue
        percent = (t - before[pid][0]) / hz / 0.5 * 100
        if percent >= threshold:
            usage.append((percent, f"{percent:.0f}% pid {pid} {cmd[:100]}"))
    return [line for _, line in sorted(usage, reverse=True)[:limit]]


def machine_state() -> dict[str, Any]:
    load1, load5, _ = os.getloadavg()
    busy = busy_processes()
    return {"cpus": os.cpu_count(), "loadavg_1m": round(load1, 2), "loadavg_5m": round(load5, 2), "busy": busy}


def report_machine(when: str) -> dict[str, Any]:
    state = machine_state()
    progress(f"machine {when}: {state['cpus']} cpus, load {state['loadavg_1m']}/{state['loadavg_5m']} (1m/5m)")
    for line in state["busy"]:
        progress(f"  busy: {line}")
    return state
