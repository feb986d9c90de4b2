"""``partners.get`` round trip against a bare nameko echo RPC, in the same run.

    python -m bench.rpc_overhead [--quick] [--calls N]

Both services run as their own processes on the bench vhost: the partners service on a small
database of its own (``crm_bench_rpc``, made afresh each run) holding one realistic partner
registered through RPC (contacts, phones, emails, addresses, bank account, properties), and
``bench.echo_service`` (plain nameko ``@rpc``, no dependencies). After a warm-up, sequential
calls alternate in blocks between ``echo(small)``, ``echo(<the partner's JSON>)`` and
``partners.get``, so a change in the machine's load hits all three alike. The server-side part
of ``get`` is also measured in this process (no eventlet, no broker) and from the service's
own metrics.

The last line is one JSON object: ``get_ms``, ``echo_ms`` (both p50: ``stat`` says so) and
``ratio`` = get_ms / echo_ms, with means, p99s and the breakdown.
"""

from __future__ import annotations

import argparse
import json
import time

from bench._common import (
    bench_vhost,
    database_url,
    declare_topology,
    describe,
    finish,
    progress,
    recreate_database,
    report_machine,
    running,
    summary,
    terminate_on_sigterm,
    worker_seconds,
)

CALLS, QUICK_CALLS = 2_000, 300
WARMUP, QUICK_WARMUP = 200, 50
BLOCK = 50
DATABASE = "crm_bench_rpc"

# Valid Russian legal details (checksums hold): a realistic, fully filled partner.
PARTNER = {
    "kinds": ["client", "dealer"],
    "legal_form": "legal_entity",
    "short_name": "ООО «Северная звезда»",
    "full_name": "Общество с ограниченной ответственностью «Северная звезда»",
    "inn": "7707083893",
    "kpp": "773601001",
    "ogrn": "1027700132195",
    "legal_address": "117312, г. Москва, ул. Вавилова, д. 19",
    "website": "severnaya-zvezda.ru",
    "segment": "wholesale",
    "source": "exhibition",
    "region": "msk",
    "manager_id": "m042",
    "department": "north",
    "comment": "Ключевой клиент, отгрузки еженедельно",
    "phones": [
        {"number": "+7 495 123-45-67", "kind": "work", "extension": "100"},
        {"number": "8 (916) 555-12-34", "kind": "mobile"},
        {"number": "8 (495) 123-45-68", "kind": "fax"},
    ],
    "emails": [
        {"address": "info@severnaya-zvezda.ru"},
        {"address": "buh@severnaya-zvezda.ru", "kind": "billing"},
    ],
    "addresses": [
        {"kind": "legal", "text": "117312, г. Москва, ул. Вавилова, д. 19"},
        {"kind": "actual", "text": "125009, г. Москва, ул. Тверская, д. 7, офис 312"},
        {"kind": "delivery", "text": "141400, Московская обл., г. Химки, Ленинградское ш., вл. 1, склад 4"},
    ],
    "bank_accounts": [{"bic": "044525225", "account": "40702810938000000001", "bank_name": "ПАО Сбербанк"}],
    "properties": {"industry": "retail", "employees": "120", "payment_discipline": "good"},
    "contacts": [
        {
            "full_name": "Петров Иван Сергеевич", "position": "Генеральный директор",
            "roles": ["decision_maker", "director"],
            "phones": [{"number": "+7 916 000-11-22", "kind": "mobile"}],
            "emails": [{"address": "i.petrov@severnaya-zvezda.ru"}],
        },
        {
            "full_name": "Смирнова Ольга Викторовна", "position": "Главный бухгалтер",
            "roles": ["accountant"],
            "phones": [{"number": "+7 495 123-45-69", "kind": "work"}],
            "emails": [{"address": "o.smirnova@severnaya-zvezda.ru"}],
        },
        {
            "full_name": "Кузнецов Андрей Павлович", "position": "Начальник отдела закупок",
            "roles": ["buyer", "influencer"],
            "phones": [{"number": "+7 903 777-66-55", "kind": "mobile"}],
            "emails": [{"address": "zakupki@severnaya-zvezda.ru"}],
        },
    ],
}


def echo_process(amqp_uri: str, cls: str = "EchoService", name: str = "bench_echo"):
    """An echo service as its own process; ready when it answers (it has no health port)."""
    from nameko.exceptions import RpcTimeout, UnknownService

    from tests.support.platform import ServiceProcess, rpc_proxy

    class EchoProcess(ServiceProcess):
        def wait_ready(self, timeout: float = 60.0) -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()[-4000:]}")
                try:
                    with rpc_proxy(amqp_uri, timeout=2) as proxy:
                        if getattr(proxy, name).echo("ping") == "ping":
                            return
                except (RpcTimeout, UnknownService):
                    time.sleep(0.2)
            raise RuntimeError(f"{self.name} not answering after {timeout}s:\n{self.output()[-4000:]}")

    env = {
        "AMQP_URI": amqp_uri,
        "LOG_LEVEL": "WARNING",
        # crm_ops.serve may check a service's database; the echo service has none to speak of.
        "BENCH_ECHO_DATABASE_URL": "sqlite:////tmp/crm-bench-echo.db",
    }
    return EchoProcess(f"bench.echo_service:{cls}", env, name=name, test_settings=False)


def get_in_process(partner_id: str, calls: int, warmup: int) -> dict:
    """``partners.get``'s body (the partner's document with row-level access, one prepared
    statement: crm_kit.reads) without eventlet or broker."""
    from sqlalchemy.orm import sessionmaker

    from crm_kit.actor import Actor
    from crm_kit.db import make_engine
    from services.partners.usecases.lookup import PARTNERS
    from services.partners.views import PARTNER

    actor = Actor("bench", roles=("admin",))
    engine = make_engine(database_url(DATABASE), pool_size=2)
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    seconds = []
    try:
        for i in range(warmup + calls):
            t = time.perf_counter()
            with make_session() as session:
                PARTNERS.read(session, actor, partner_id, PARTNER)
                session.commit()
            if i >= warmup:
                seconds.append(time.perf_counter() - t)
    finally:
        engine.dispose()
    return summary(seconds)


class ServiceDied(RuntimeError):
    """A service process ended during the measurement (killed from outside)."""


def measure(amqp_uri: str, calls: int, warmup: int):
    """Fresh database, both services, one registered partner, then the interleaved calls.
    Returns the timings by series, the mean worker time of ``get`` and the partner's id."""
    from nameko.exceptions import RpcTimeout

    from bench.echo_service import EchoService, KitEchoService
    from crm_kit.actor import Actor
    from crm_ops.migrations import upgrade
    from crm_ops.registry import service_class
    from tests.support.platform import ServiceProcess, rpc_proxy

    recreate_database(DATABASE)
    upgrade("partners", database_url(DATABASE))
    declare_topology(amqp_uri, [service_class("partners"), EchoService, KitEchoService])
    partners = ServiceProcess(
        "partners", {"PARTNERS_DATABASE_URL": database_url(DATABASE), "AMQP_URI": amqp_uri, "LOG_LEVEL": "WARNING"}, test_settings=False
    )
    echo = echo_process(amqp_uri)
    kit_echo = echo_process(amqp_uri, "KitEchoService", "bench_kit_echo")
    series: dict[str, list[float]] = {"echo": [], "echo_payload": [], "echo_kit": [], "get": []}
    with running(partners, echo, kit_echo), rpc_proxy(amqp_uri, Actor("bench", roles=("admin",)), timeout=20) as proxy:
        try:
            registered = proxy.partners.register(PARTNER, {"duplicate_policy": "skip"})["partner"]
            partner_id = registered["id"]
            view = proxy.partners.get(partner_id)
            progress(
                f"registered {view['short_name']} ({partner_id}): {len(view['phones'])} phones, {len(view['emails'])} emails, "
                f"{len(view.get('contacts', []))} contacts, answer {len(json.dumps(view, ensure_ascii=False).encode())} bytes of JSON"
            )
            calls_by_name = {
                "echo": lambda: proxy.bench_echo.echo(partner_id),
                "echo_payload": lambda: proxy.bench_echo.echo(view),
                "echo_kit": lambda: proxy.bench_kit_echo.echo(partner_id),
                "get": lambda: proxy.partners.get(partner_id),
            }
            for call in calls_by_name.values():
                for _ in range(warmup):
                    call()
            sum0, count0 = worker_seconds(partners.metrics(), "partners", "get")
            started = time.monotonic()
            done = 0
            while done < calls:
                block = min(BLOCK, calls - done)
                for name, call in calls_by_name.items():
                    timings = series[name]
                    for _ in range(block):
                        t = time.perf_counter()
                        call()
                        timings.append(time.perf_counter() - t)
                done += block
                if done % 500 == 0:
                    progress(f"  {done} of each ({time.monotonic() - started:.0f}s)")
            sum1, count1 = worker_seconds(partners.metrics(), "partners", "get")
        except (RpcTimeout, OSError) as exc:
            dead = [f"{s.name} (pid {s.proc.pid}) ended with {s.proc.poll()}" for s in (partners, echo, kit_echo)
                    if s.proc.poll() is not None]
            if dead:
                raise ServiceDied("; ".join(dead)) from exc
            raise
    worker_mean = (sum1 - sum0) / (count1 - count0) * 1000 if count1 > count0 else None
    return series, worker_mean, partner_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rpc_overhead", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 calls each")
    parser.add_argument("--calls", type=int, help="timed calls of each kind (default 2000, quick 300)")
    args = parser.parse_args(argv)
    terminate_on_sigterm()
    calls = args.calls or (QUICK_CALLS if args.quick else CALLS)
    warmup = QUICK_WARMUP if args.quick else WARMUP


    amqp_uri = bench_vhost()
    progress(f"RPC overhead benchmark: {calls} timed calls each of echo, echo(partner JSON), partners.get; vhost {amqp_uri}")
    machine_before = report_machine("before")
    restarts = []
    for attempt in range(1, 4):
        try:
            series, worker_mean, partner_id = measure(amqp_uri, calls, warmup)
            break
        except ServiceDied as exc:
            # Another job on a shared machine may kill processes: start again, say so.
            restarts.append(str(exc))
            progress(f"{exc}; {'measuring again' if attempt < 3 else 'giving up'}")
            if attempt == 3:
                raise
    stats = {name: summary(values) for name, values in series.items()}
    for name, s in stats.items():
        progress(describe(name, s))
    if worker_mean is not None:
        progress(f"partners.get worker time inside the service (its metrics): mean {worker_mean:.3f} ms")
    local = get_in_process(partner_id, calls, warmup)
    progress(describe("get in-process (no eventlet, no broker)", local))

    get, echo_small, echo_payload, echo_kit = stats["get"], stats["echo"], stats["echo_payload"], stats["echo_kit"]
    finish({
        "stat": "p50",
        "get_ms": get["p50_ms"],
        "echo_ms": echo_small["p50_ms"],
        "ratio": round(get["p50_ms"] / echo_small["p50_ms"], 2),
        "get_mean_ms": get["mean_ms"],
        "echo_mean_ms": echo_small["mean_ms"],
        "ratio_mean": round(get["mean_ms"] / echo_small["mean_ms"], 2),
        "get_p99_ms": get["p99_ms"],
        "echo_p99_ms": echo_small["p99_ms"],
        "echo_kit_ms": echo_kit["p50_ms"],
        "ratio_kit": round(get["p50_ms"] / echo_kit["p50_ms"], 2),
        "echo_payload_ms": echo_payload["p50_ms"],
        "echo_payload_p99_ms": echo_payload["p99_ms"],
        "get_worker_mean_ms": round(worker_mean, 3) if worker_mean is not None else None,
        "get_in_process_p50_ms": local["p50_ms"],
        "get_in_process_p99_ms": local["p99_ms"],
        "calls": calls,
        "service_restarts": len(restarts),
        "machine": {"before": machine_before, "after": report_machine("after")},
    })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
