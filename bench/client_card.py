"""GetClientCard through the gateway at 1, 10 and 50 concurrent clients, beside a bare nameko
RPC round trip measured in the same run.

    python -m bench.client_card [--quick]

Everything runs on this machine: PostgreSQL, RabbitMQ, the partners service, the gateway, a
bare echo service, and this client (grpc.aio, one channel per client). The partners database
(``crm_bench_card``, made afresh) holds ``PARTNERS`` realistic partners (contacts with roles and
phones, relationships, an individual agreement) spread over ten managers; each client acts as
one manager (a signed JWT) and asks for the cards of that manager's partners in turn.

Each card has the partners section and the deals section (two open deals per partner, from the
deals service running beside partners). Two gateways are measured: the production one (sections
cached per partner and caller, dropped by partners and deals events) and one with the cache off
(``GATEWAY_CARD_CACHE_TTL=0``: every card is ``partners.get_card`` plus ``deals.card_section``
in parallel), so the cost of the RPC path stays visible.

Last line: ``p50_ms_c1``, ``p99_ms_c10``, ``cards_per_s_c50``, ``echo_rpc_ms`` (p50, sequential
nameko standalone proxy), and the same figures for the uncached gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import grpc

import gateway.generated  # noqa: F401
from bench._common import (
    bench_vhost,
    database_url,
    declare_topology,
    finish,
    progress,
    recreate_database,
    report_machine,
    running,
    summary,
    terminate_on_sigterm,
)
from crm_kit.actor import Actor
from crm_ops.migrations import upgrade
from crm_ops.registry import service_class
from gateway.auth import mint_token
from tests.support.platform import GatewayProcess, ServiceProcess, rpc_proxy

SECRET = "bench-secret-of-at-least-thirty-two-bytes!"
DATABASE = "crm_bench_card"
DEALS_DATABASE = "crm_bench_card_deals"
MANAGERS = 10


def _partner(i: int) -> dict:
    manager = i % MANAGERS
    return {
        "kinds": ["client"],
        "legal_form": "legal_entity",
        "short_name": f"ООО «Карта-{i:04d}»",
        "region": f"r{manager}",
        "manager_id": f"m{manager}",
        "department": "sales",
        "segment": "wholesale",
        "phones": [{"number": f"+7495{2000000 + i:07d}"}],
        "emails": [{"address": f"office@karta{i}.ru"}],
        "addresses": [{"kind": "legal", "text": f"Москва, ул. Тестовая, {i}"}],
        "properties": {"industry": "retail", "size": "medium"},
        "contacts": [
            {"full_name": f"Директор {i}", "roles": ["decision_maker", "director"],
             "phones": [{"number": f"+7916{3000000 + i:07d}"}]},
            {"full_name": f"Бухгалтер {i}", "roles": ["accountant"], "emails": [{"address": f"buh@karta{i}.ru"}]},
        ],
    }


def seed(amqp_uri: str, count: int) -> dict[str, list[str]]:
    """Register ``count`` partners through RPC; returns partner ids by manager."""
    admin = Actor("bench", roles=("admin",))
    by_manager: dict[str, list[str]] = {f"m{m}": [] for m in range(MANAGERS)}
    with rpc_proxy(amqp_uri, admin, timeout=30) as proxy:
        standard = proxy.partners.create_agreement({"kind": "standard", "name": "Опт", "segment": "wholesale",
                                                    "prepayment_share": "30", "credit_days": 14})
        proxy.partners.set_agreement_status(standard["id"], {"status": "approved"})
        previous = None
        for i in range(count):
            partner = proxy.partners.register(_partner(i), {"duplicate_policy": "skip"})["partner"]
            by_manager[partner["manager_id"]].append(partner["id"])
            if previous and previous[1] == partner["manager_id"]:
                proxy.partners.add_relationship({"kind": "dealer_of", "from_partner_id": partner["id"],
                                                 "to_partner_id": previous[0]})
            previous = (partner["id"], partner["manager_id"])
            for n in range(2):  # every card has a deals section with content
                proxy.deals.open_deal({"title": f"Поставка {i}-{n}", "partner_id": partner["id"], "amount": "150000.00",
                                       "process_code": "manual", "manager_id": partner["manager_id"],
                                       "region": partner["region"], "department": "sales"})
    return by_manager


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


async def _client(port: int, manager: str, ids: list[str], requests: int, latencies: list[float],
                  degraded: list[int]) -> None:
    from crm.v1 import card_pb2, card_pb2_grpc

    region = manager.replace("m", "r")
    metadata = (("authorization", "Bearer " + mint_token(SECRET, manager, ["manager"], regions=[region], department="sales")),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = card_pb2_grpc.ClientCardsStub(channel)
        for n in range(requests):
            request = card_pb2.GetClientCardRequest(partner_id=ids[n % len(ids)])
            started = time.perf_counter()
            card = await stub.GetClientCard(request, metadata=metadata, timeout=10)
            latencies.append(time.perf_counter() - started)
            assert card.partner.manager_id == manager
            if len(card.deals.open_deals) != 2:  # the deals section came back unavailable (too slow)
                degraded.append(1)


async def load(port: int, by_manager: dict[str, list[str]], concurrency: int, requests: int) -> dict[str, float]:
    """``requests`` cards in all, from ``concurrency`` clients at once; latency and cards/s."""
    managers = sorted(by_manager)
    latencies: list[float] = []
    degraded: list[int] = []
    per_client = max(1, requests // concurrency)
    started = time.perf_counter()
    await asyncio.gather(*(
        _client(port, managers[c % len(managers)], by_manager[managers[c % len(managers)]][c // len(managers):] or
                by_manager[managers[c % len(managers)]], per_client, latencies, degraded)
        for c in range(concurrency)
    ))
    elapsed = time.perf_counter() - started
    stats = summary(latencies)
    stats["cards_per_s"] = len(latencies) / elapsed
    stats["deals_unavailable"] = len(degraded)
    return stats


def measure_gateway(port: int, by_manager, sizes: dict[int, int], label: str) -> dict[str, dict[str, float]]:
    results = {}
    # Warm-up: every card once per manager (fills the cache in the cached gateway).
    asyncio.run(load(port, by_manager, MANAGERS, sum(len(v) for v in by_manager.values())))
    for concurrency, requests in sizes.items():
        stats = asyncio.run(load(port, by_manager, concurrency, requests))
        progress(f"{label} c={concurrency}: p50 {stats['p50_ms']:.2f} ms, p99 {stats['p99_ms']:.2f} ms, "
                 f"{stats['cards_per_s']:.0f} cards/s over {requests} cards, deals section unavailable in {stats['deals_unavailable']}")
        results[concurrency] = stats
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer partners and requests")
    args = parser.parse_args()
    terminate_on_sigterm()
    partners_count = 100 if args.quick else 500
    sizes = {1: 300, 10: 2000, 50: 4000} if args.quick else {1: 1000, 10: 6000, 50: 12000}

    machine = report_machine("before")
    amqp_uri = bench_vhost("crm-bench-card")  # its own vhost: no other bench competes for rpc-partners
    recreate_database(DATABASE)
    url = database_url(DATABASE)
    upgrade("partners", url)
    recreate_database(DEALS_DATABASE)
    deals_url = database_url(DEALS_DATABASE)
    upgrade("deals", deals_url)
    declare_topology(amqp_uri, [service_class("partners"), service_class("deals")])
    env = {"AMQP_URI": amqp_uri, "PARTNERS_DATABASE_URL": url, "DEALS_DATABASE_URL": deals_url, "LOG_LEVEL": "WARNING",
           "ECHO_DATABASE_URL": "sqlite://", "GATEWAY_CARD_SECTIONS": "deals"}
    partners = ServiceProcess("partners", env, name="partners", test_settings=False)
    deals = ServiceProcess("deals", env, name="deals", test_settings=False)
    echo = ServiceProcess("bench.echo_service:EchoService", env, name="bench_echo", test_settings=False)
    cached = GatewayProcess(SECRET, {**env, "GATEWAY_HEALTH_SERVICES": "partners"})
    uncached = GatewayProcess(SECRET, {**env, "GATEWAY_HEALTH_SERVICES": "partners", "GATEWAY_CARD_CACHE_TTL": "0"})
    with running(partners, deals):
        echo.start(wait=False)
        try:
            time.sleep(2)
            progress(f"seeding {partners_count} partners")
            by_manager = seed(amqp_uri, partners_count)
            echo_stats = echo_round_trip(amqp_uri, 1000 if not args.quick else 300)
            progress(f"bare nameko echo RPC: p50 {echo_stats['p50_ms']:.2f} ms, p99 {echo_stats['p99_ms']:.2f} ms")
            cached.start()
            try:
                with_cache = measure_gateway(cached.port, by_manager, sizes, "cached")
            finally:
                cached.stop()
            uncached.start()
            try:
                # Every uncached card costs two service round trips: a quarter of the requests
                # measure it as well and keep the run short.
                without_cache = measure_gateway(uncached.port, by_manager, {c: max(100, n // 4) for c, n in sizes.items()},
                                                "uncached")
            finally:
                uncached.stop()
        finally:
            echo.stop()
    finish({
        "p50_ms_c1": round(with_cache[1]["p50_ms"], 2),
        "p99_ms_c10": round(with_cache[10]["p99_ms"], 2),
        "cards_per_s_c50": round(with_cache[50]["cards_per_s"], 1),
        "echo_rpc_ms": round(echo_stats["p50_ms"], 2),
        "uncached_p50_ms_c1": round(without_cache[1]["p50_ms"], 2),
        "uncached_p99_ms_c10": round(without_cache[10]["p99_ms"], 2),
        "uncached_cards_per_s_c50": round(without_cache[50]["cards_per_s"], 1),
        "p99_ms_c50": round(with_cache[50]["p99_ms"], 2),
        "deals_unavailable_c50": with_cache[50]["deals_unavailable"],
        "uncached_deals_unavailable_c50": without_cache[50]["deals_unavailable"],
        "partners": partners_count,
        "quick": args.quick,
        "cpus": machine.get("cpus"),
    })


if __name__ == "__main__":
    main()
