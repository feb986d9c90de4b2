"""A consumer that starts late builds its state from the sources' replays and then follows their
live events without gaps or double counting (crm_kit.replay), while changes keep coming.

10,000 changes are made across partners, deals and interactions before the consumer exists;
its queues are declared from the start (so they fill with events it must not apply on top of the
snapshot); it starts while a second stream of changes runs, and must end equal to the sources:
the same partners with their managers and contact counts, the same deals with their stage,
status and number of stage stays, the same interactions with their status."""

from __future__ import annotations

import itertools
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from crm_kit.actor import Actor
from crm_ops.registry import service_class
from crm_ops.topology import declare
from tests.integration.replay.mirror_service import MirrorService, metadata
from tests.support.platform import ServiceProcess, rpc_proxy, sqlalchemy_url
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

ANNA = Actor("anna", roles=("manager",), regions=("msk",), department="north")
BORIS = Actor("boris", roles=("manager",), regions=("msk",), department="north")
MOVES = ("qualification", "offer", "shipment", "lead")
WORKERS = 6


@pytest.fixture(scope="module")
def env(infra):
    urls = {
        service: infra.service_database(f"crm_test_replay_{service}", service=service)
        for service in ("partners", "deals", "interactions")
    }
    mirror_url = infra.service_database("crm_test_replay_mirror", metadata=metadata)
    declare(
        {"AMQP_URI": infra.amqp_uri, "AUTO_DELETE_EVENT_EXCHANGES": False},
        [service_class("partners"), service_class("deals"), service_class("interactions"), MirrorService],
    )
    return {
        "AMQP_URI": infra.amqp_uri,
        **{f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()},
        "MIRROR_DATABASE_URL": mirror_url,
        "OUTBOX_INTERVAL_S": "0.5",
        "REPLAY_PAGE_SIZE": "200",
        "INTERACTIONS_REMINDER_SCAN_S": "3600",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="module")
def sources(env):
    processes = [ServiceProcess(service, env, name=f"replay-{service}") for service in ("partners", "deals", "interactions")]
    try:
        for process in processes:
            process.start()
        yield processes
    finally:
        for process in processes:
            process.stop()


class Workload:
    """Changes made through the services' RPCs from several threads, as users would."""

    def __init__(self, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.local = threading.local()
        self.counter = itertools.count()

    def rpc(self):
        if not hasattr(self.local, "proxy"):
            manager = rpc_proxy(self.amqp_uri, ANNA, timeout=60)
            self.local.proxy = manager.__enter__()
            self.local.manager = manager
        return self.local.proxy

    def register_partner(self, _=None) -> str:
        name = f"Реплика {uuid.uuid4().hex[:10]}"
        payload = {"kinds": ["client"], "legal_form": "legal_entity", "short_name": name, "region": "msk"}
        return self.rpc().partners.register(payload, {"duplicate_policy": "skip"})["partner"]["id"]

    def add_contact(self, partner_id: str) -> None:
        self.rpc().partners.add_contact(partner_id, {"full_name": f"Контакт {next(self.counter)}"})

    def reassign(self, partner_id: str) -> None:
        self.rpc().partners.reassign(partner_id, {"manager_id": "boris", "department": "north"})

    def open_deal(self, partner_id: str) -> str:
        deal = {"title": f"Сделка {next(self.counter)}", "partner_id": partner_id, "region": "msk", "process_code": "manual"}
        return self.rpc().deals.open_deal(deal)["id"]

    def move(self, deal_id: str, stage: str) -> None:
        self.rpc().deals.move_to_stage(deal_id, {"stage": stage})

    def win(self, deal_id: str) -> None:
        self.rpc().deals.set_status(deal_id, {"status": "won"})

    def register_interaction(self, partner_id: str) -> str:
        interaction = {"kind": "meeting", "subject_kind": "partner", "subject_id": partner_id, "region": "msk",
                       "title": f"Встреча {next(self.counter)}", "place": "офис клиента",
                       "planned_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()}
        return self.rpc().interactions.register(interaction)["id"]

    def complete(self, interaction_id: str) -> None:
        self.rpc().interactions.complete(interaction_id, "договорились")

    def close(self) -> None:
        pass


def run(pool: ThreadPoolExecutor, fn, items) -> list:
    return list(pool.map(fn, items))


def source_state(env) -> dict:
    def rows(url: str, sql: str) -> dict:
        engine = create_engine(sqlalchemy_url(url))
        try:
            with engine.connect() as conn:
                return {str(row[0]): tuple(row[1:]) for row in conn.execute(text(sql))}
        finally:
            engine.dispose()

    return {
        "partners": rows(env["PARTNERS_DATABASE_URL"],
                         "SELECT p.id, p.manager_id, p.status, (SELECT count(*) FROM contacts c WHERE c.partner_id = p.id)"
                         " FROM partners p"),
        "deals": rows(env["DEALS_DATABASE_URL"],
                      "SELECT d.id, d.stage, d.status, (SELECT count(*) FROM stage_history s WHERE s.deal_id = d.id) FROM deals d"),
        "interactions": rows(env["INTERACTIONS_DATABASE_URL"], "SELECT id, status FROM interactions"),
    }


def mirror_state(env) -> dict:
    engine = create_engine(sqlalchemy_url(env["MIRROR_DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            def rows(sql: str) -> dict:
                return {row[0]: tuple(row[1:]) for row in conn.execute(text(sql))}

            return {
                "partners": rows("SELECT id, manager_id, status, contacts FROM m_partners"),
                "deals": rows("SELECT id, stage, status, stays FROM m_deals"),
                "interactions": rows("SELECT id, status FROM m_interactions"),
            }
    finally:
        engine.dispose()


def differences(source: dict, mirror: dict) -> dict:
    out = {}
    for kind in source:
        wrong = {key: (value, mirror[kind].get(key)) for key, value in source[kind].items() if mirror[kind].get(key) != value}
        extra = set(mirror[kind]) - set(source[kind])
        if wrong or extra:
            out[kind] = {"wrong": len(wrong), "extra": len(extra), "sample": list(wrong.items())[:3]}
    return out


def test_a_late_consumer_backfills_and_follows_live_events_without_gaps_or_double_counting(env, sources, infra):
    work = Workload(infra.amqp_uri)
    changes = 0
    with ThreadPoolExecutor(WORKERS) as pool:
        # 10,000 changes before the consumer exists (its queues exist and fill up meanwhile).
        partners = run(pool, work.register_partner, range(1500))
        run(pool, work.add_contact, partners[:1000])
        run(pool, work.reassign, partners[1000:1500])
        deals = run(pool, work.open_deal, partners[:1500])
        for stage in MOVES[:2]:
            run(pool, lambda deal_id, stage=stage: work.move(deal_id, stage), deals)
        run(pool, work.win, deals[:500])
        interactions = run(pool, work.register_interaction, partners[:1500])
        run(pool, work.complete, interactions[:1000])
        changes = 1500 + 1000 + 500 + 1500 + 3000 + 500 + 1500 + 1000
        assert changes == 10_500

        # The consumer starts while changes keep coming: each entity changes at most once from
        # here on (events of different handlers' queues are not ordered among themselves).
        mirror = ServiceProcess("tests.integration.replay.mirror_service:MirrorService", env, name="mirror")
        stop = threading.Event()
        live_changes = []

        def keep_changing():
            for index in itertools.count():
                if stop.is_set() or index >= 400:
                    return
                live_changes.append(work.register_partner())
                work.add_contact(partners[1000 + index])  # partners not given a contact before
                work.move(deals[500 + index], MOVES[2])  # deals in progress, moved once more
                work.complete(interactions[1000 + index])  # interactions not completed before
                work.register_interaction(partners[index])

        writer = pool.submit(keep_changing)
        try:
            mirror.start()
            eventually(lambda: len(live_changes) >= 100, timeout=120, what="changes during the backfill")
        finally:
            stop.set()
            writer.result(timeout=120)
        try:
            expected = source_state(env)
            last: dict = {}

            def equal() -> bool:
                last["differences"] = differences(expected, mirror_state(env))
                return not last["differences"]

            try:
                eventually(equal, timeout=180, what="the mirror to equal the sources")
            except AssertionError:
                raise AssertionError(f"the mirror differs from the sources: {last['differences']}\n"
                                     f"{mirror.output()[-3000:]}") from None
            assert len(expected["partners"]) >= 1500 + 100
            assert sum(stays for _, _, stays in expected["deals"].values()) >= 1500 * 3 + 100
        finally:
            mirror.stop()
