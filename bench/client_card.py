"""GetClientCard through the gateway, cached and cold, at 1, 10 and 50 concurrent clients, beside
a bare nameko RPC round trip measured in the same run.

    python -m bench.client_card [--quick] [--partners N] [--cold-sections deals,interactions] [--also-sections deals]

Everything runs on this machine: PostgreSQL, RabbitMQ, the partners, deals and interactions
services, the gateways, a bare echo service, and this client (grpc.aio, one channel per client).
The data set (bench/_card_data.py: ``--partners`` partners, 100,000 by default, with contacts,
phones, e-mails, addresses, properties, relationships and agreements, two open deals each and
their interactions, loaded with COPY into the three services' migrated databases) is built once
and reused while it holds that many partners (the output says which). Partners are spread over
50 managers; each client acts as one manager (a signed JWT with the manager's region) and opens
that manager's clients. The card has the production sections (``GATEWAY_CARD_SECTIONS``' default:
deals and interactions).

Two gateways, in the same run:

- production (sections cached per partner and access, dropped by the services' events), over
  500 of the partners (10 managers, 50 each) after one pass over them: the steady state of cards
  opened again and again (``p50_ms_c1``, ``p99_ms_c10``, ``cards_per_s_c50``, as before);
- cold: the cache off (``GATEWAY_CARD_CACHE_TTL=0``: every card is ``partners.get_card`` plus a
  ``card_section`` of each section's service, in parallel), over all partners, with a realistic
  access pattern per manager: 80 % of opens are a client the manager has not opened yet in the
  run (their clients in a shuffled order), 20 % one of 20 regular clients picked Zipf-like
  (weight 1/rank), so most cards are opened once and a few often; nothing is warm but the
  processes (``cold_p50_ms_c1``, ``cold_p99_ms_c10``, ``cold_cards_per_s_c50``). During the cold
  runs at 10 and 50 clients the CPU each process used per card (services, gateway, PostgreSQL
  backends of the bench databases) is read from /proc: where a card's milliseconds go. (At 50
  clients on two cores sections time out, 0.5 s, and their services skip the expired requests:
  the figure at 10 clients is the one to compare.)

``--also-sections deals`` measures one more cold gateway asking only those sections, to see
what a section costs.

Last line: ``p50_ms_c1``, ``p99_ms_c10``, ``cards_per_s_c50``, ``echo_rpc_ms`` (p50, sequential
nameko standalone proxy), ``cold_p50_ms_c1``, ``cold_p99_ms_c10``, ``cold_cards_per_s_c50``,
``partners``, sections unavailable, CPU ms per cold card per process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

import grpc
import psycopg2

import gateway.generated  # noqa: F401
from bench import _card_data as card_data
from bench._common import (
    bench_vhost,
    database_url,
    declare_topology,
    dsn,
    finish,
    namespaced,
    progress,
    report_machine,
    running,
    summary,
    terminate_on_sigterm,
)
from crm_ops.registry import service_class
from gateway.auth import mint_token
from gateway.card import SectionBreaker
from tests.support.platform import GatewayProcess, ServiceProcess, rpc_proxy

SECRET = "bench-secret-of-at-least-thirty-two-bytes!"
SECTIONS = ("deals", "interactions")
CACHED_MANAGERS, CACHED_PER_MANAGER = 10, 50
COLD_WARMUP = 200
BREAKER_COOLDOWN_S = SectionBreaker().cooldown + 0.5


def echo_round_trip(amqp_uri: str, calls: int) -> dict[str, float]:
    with rpc_proxy(amqp_uri) as proxy:
        for _ in range(50):
            proxy.bench_echo.echo("warm")
        seconds = []
        for i in range(calls):
            started = time.perf_counter()
            proxy.bench_echo.echo(i)
            seconds.append(time.perf_counter() - started)
    return summary(seconds)


def _token(manager: str) -> str:
    k = int(manager[1:]) - 1
    _, region, department = card_data.manager(k)
    return mint_token(SECRET, manager, ["manager"], regions=[region], department=department)


async def _client(port: int, manager: str, ids: list[str], latencies: list[float], unavailable: dict[str, int]) -> None:
    from crm.v1 import card_pb2, card_pb2_grpc

    metadata = (("authorization", "Bearer " + _token(manager)),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = card_pb2_grpc.ClientCardsStub(channel)
        for partner_id in ids:
            request = card_pb2.GetClientCardRequest(partner_id=partner_id)
            started = time.perf_counter()
            card = await stub.GetClientCard(request, metadata=metadata, timeout=10)
            latencies.append(time.perf_counter() - started)
            assert card.partner.manager_id == manager
            for section in card.sections:
                if section.state == card_pb2.SECTION_STATE_UNAVAILABLE:  # the service was too slow
                    unavailable[section.name] = unavailable.get(section.name, 0) + 1


async def load(port: int, plan: dict[str, list[str]]) -> dict:
    """One client per key of ``plan`` at once (the key is a manager, or ``manager#n`` when
    several clients act as one manager), each opening its cards in order; latency and cards/s."""
    latencies: list[float] = []
    unavailable: dict[str, int] = {}
    started = time.perf_counter()
    await asyncio.gather(*(_client(port, key.split("#")[0], ids, latencies, unavailable) for key, ids in plan.items()))
    elapsed = time.perf_counter() - started
    stats = summary(latencies)
    stats["cards_per_s"] = len(latencies) / elapsed
    stats["unavailable"] = unavailable
    return stats


def _report(label: str, concurrency: int, stats: dict) -> None:
    progress(f"{label} c={concurrency}: p50 {stats['p50_ms']:.2f} ms, p99 {stats['p99_ms']:.2f} ms, "
             f"{stats['cards_per_s']:.0f} cards/s over {stats['n']} cards, sections unavailable: {stats['unavailable'] or 'none'}")


def measure_cached(port: int, by_manager: dict[str, list[str]], sizes: dict[int, int]) -> dict[int, dict]:
    """The production gateway over a few partners per manager, after one pass over them."""
    managers = sorted(by_manager)[:CACHED_MANAGERS]
    subset = {m: by_manager[m][:CACHED_PER_MANAGER] for m in managers}
    asyncio.run(load(port, subset))  # warm-up: every card once (fills the cache)
    results = {}
    for concurrency, requests in sizes.items():
        per_client = max(1, requests // concurrency)
        plan = {}
        for c in range(concurrency):
            ids = subset[managers[c % len(managers)]]
            offset = c // len(managers)
            plan[f"{managers[c % len(managers)]}#{c}"] = [ids[(offset + n) % len(ids)] for n in range(per_client)]
        stats = asyncio.run(load(port, plan))
        _report("cached", concurrency, stats)
        results[concurrency] = stats
    return results


# --- CPU per process ------------------------------------------------------------------------
def _ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return 0


class CpuMeter:
    """CPU seconds of named processes (and the PostgreSQL backends of the bench) over a span.
    Holds one connection for the run (the shared server may have none left to give later)."""

    def __init__(self, processes: dict[str, int], size: int):
        self.processes = processes
        self.names = [namespaced(card_data.db_name(s, size)) for s in card_data.SERVICES]
        self.conn = psycopg2.connect(dsn(card_data.db_name("partners", size)))
        self.conn.autocommit = True

    def close(self) -> None:
        self.conn.close()

    def _backends(self) -> list[int]:
        """PostgreSQL backends connected to the bench databases."""
        with self.conn.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s) AND pid <> pg_backend_pid()", (self.names,))
            return [row[0] for row in cur.fetchall()]

    def sample(self) -> dict[str, int]:
        ticks = {name: _ticks(pid) for name, pid in self.processes.items()}
        ticks["postgres"] = sum(_ticks(pid) for pid in self._backends())
        return ticks

    @staticmethod
    def per_card_ms(before: dict[str, int], after: dict[str, int], cards: int) -> dict[str, float]:
        hz = os.sysconf("SC_CLK_TCK")
        return {name: round((after[name] - before.get(name, 0)) / hz * 1000 / max(cards, 1), 2) for name in after}


def measure_cold(port: int, opens: dict[str, card_data.CardOpens], sizes: dict[int, int], label: str,
                 meter: CpuMeter | None) -> tuple[dict[int, dict], dict[str, float] | None]:
    """The cache-off gateway: each client a manager opening cards in its access pattern."""
    managers = sorted(opens)
    warm = managers[:10]
    asyncio.run(load(port, {m: opens[m].take(max(1, COLD_WARMUP // len(warm))) for m in warm}))
    results, cpu = {}, {}
    for concurrency, requests in sizes.items():
        # A section that timed out is not asked again for a while (gateway/card.py's breaker):
        # each phase starts after that, so it measures its own load only.
        time.sleep(BREAKER_COOLDOWN_S)
        per_client = max(1, requests // concurrency)
        plan = {m: opens[m].take(per_client) for m in managers[:concurrency]}
        before = meter.sample() if meter and concurrency > 1 else None
        stats = asyncio.run(load(port, plan))
        if before is not None:
            cpu[concurrency] = CpuMeter.per_card_ms(before, meter.sample(), stats["n"])
            progress(f"{label} c={concurrency}: CPU ms per card: {cpu[concurrency]}")
        _report(label, concurrency, stats)
        results[concurrency] = stats
    return results, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (the same data set)")
    parser.add_argument("--partners", type=int, default=100_000, help="partners in the data set (default 100,000)")
    parser.add_argument("--cold-sections", default=",".join(SECTIONS), help="sections of the cold gateway")
    parser.add_argument("--also-sections", default=None, help="measure one more cold gateway with these sections")
    args = parser.parse_args()
    terminate_on_sigterm()
    sizes = {1: 300, 10: 2000, 50: 4000} if args.quick else {1: 1000, 10: 6000, 50: 12000}
    cold_sizes = {1: 100, 10: 500, 50: 1000} if args.quick else {1: 300, 10: 2000, 50: 4000}

    machine = report_machine("before")
    dataset = card_data.ensure(args.partners)
    by_manager = card_data.partners_by_manager(args.partners)
    amqp_uri = bench_vhost("crm-bench-card")  # its own vhost: no other bench competes for rpc-partners
    declare_topology(amqp_uri, [service_class(s) for s in card_data.SERVICES])
    urls = {s: database_url(card_data.db_name(s, args.partners)) for s in card_data.SERVICES}
    env = {"AMQP_URI": amqp_uri, "PARTNERS_DATABASE_URL": urls["partners"], "DEALS_DATABASE_URL": urls["deals"],
           "INTERACTIONS_DATABASE_URL": urls["interactions"], "LOG_LEVEL": "WARNING", "ECHO_DATABASE_URL": "sqlite://",
           # The phone directory for call matching is not on the card's path: not loaded here.
           "INTERACTIONS_CALLER_DIRECTORY_RELOAD_S": "0"}
    services = [ServiceProcess(s, env, name=s, test_settings=False) for s in card_data.SERVICES]
    echo = ServiceProcess("bench.echo_service:EchoService", env, name="bench_echo", test_settings=False)
    # Each bench client is one manager asking for cards back to back, far above a person's
    # share of calls a second (gateway/limits.py): the rate is raised, in-flight calls stay capped.
    gateway_env = {**env, "GATEWAY_HEALTH_SERVICES": "partners", "GATEWAY_CALLER_RATE": "1000000",
                   "GATEWAY_CALLER_BURST": "1000000"}
    cached = GatewayProcess(SECRET, gateway_env)
    cold = GatewayProcess(SECRET, {**gateway_env, "GATEWAY_CARD_CACHE_TTL": "0", "GATEWAY_CARD_SECTIONS": args.cold_sections})
    extra = None
    if args.also_sections is not None:
        extra = GatewayProcess(SECRET, {**gateway_env, "GATEWAY_CARD_CACHE_TTL": "0", "GATEWAY_CARD_SECTIONS": args.also_sections})
    with running(*services):
        echo.start(wait=False)
        try:
            time.sleep(2)
            echo_stats = echo_round_trip(amqp_uri, 1000 if not args.quick else 300)
            progress(f"bare nameko echo RPC: p50 {echo_stats['p50_ms']:.2f} ms, p99 {echo_stats['p99_ms']:.2f} ms")
            cached.start()
            try:
                with_cache = measure_cached(cached.port, by_manager, sizes)
            finally:
                cached.stop()
            opens = card_data.access_pattern(by_manager)
            cold.start()
            try:
                meter = CpuMeter({s.name: s.proc.pid for s in services} | {"gateway": cold.proc.pid}, args.partners)
                try:
                    cold_stats, cpu = measure_cold(cold.port, opens, cold_sizes, f"cold ({args.cold_sections})", meter)
                finally:
                    meter.close()
            finally:
                cold.stop()
            extra_stats = None
            if extra is not None:
                extra.start()
                try:
                    extra_stats, _ = measure_cold(extra.port, opens, cold_sizes, f"cold ({args.also_sections})", None)
                finally:
                    extra.stop()
        finally:
            echo.stop()
    figures = {
        "p50_ms_c1": round(with_cache[1]["p50_ms"], 2),
        "p99_ms_c10": round(with_cache[10]["p99_ms"], 2),
        "cards_per_s_c50": round(with_cache[50]["cards_per_s"], 1),
        "echo_rpc_ms": round(echo_stats["p50_ms"], 2),
        "cold_p50_ms_c1": round(cold_stats[1]["p50_ms"], 2),
        "cold_p99_ms_c10": round(cold_stats[10]["p99_ms"], 2),
        "cold_cards_per_s_c50": round(cold_stats[50]["cards_per_s"], 1),
        "cold_p99_ms_c50": round(cold_stats[50]["p99_ms"], 2),
        "cold_sections": args.cold_sections,
        "cold_unavailable_c50": cold_stats[50]["unavailable"],
        "cold_cpu_ms_per_card_c10": cpu.get(10),
        "cold_cpu_ms_per_card_c50": cpu.get(50),
        "p99_ms_c50": round(with_cache[50]["p99_ms"], 2),
        "unavailable_c50": with_cache[50]["unavailable"],
        "partners": args.partners,
        "dataset_reused": dataset["reused"],
        "quick": args.quick,
        "cpus": machine.get("cpus"),
    }
    if extra_stats is not None:
        figures["also"] = {
            "sections": args.also_sections,
            "cold_p50_ms_c1": round(extra_stats[1]["p50_ms"], 2),
            "cold_p99_ms_c10": round(extra_stats[10]["p99_ms"], 2),
            "cold_cards_per_s_c50": round(extra_stats[50]["cards_per_s"], 1),
        }
    finish(figures)


if __name__ == "__main__":
    main()
