"""The client card benchmark's data set: 100,000 partners with what registration writes, two open
deals each, and their interactions, loaded with COPY into three migrated databases (one per
service), built once and reused while their markers say the build finished with these counts.

Names, INNs, phones and e-mails come from ``bench._partners_data`` (as for the duplicate
search); each partner gets besides what the registration form sends: 1-3 contacts with roles
and their own phone (and often an e-mail), a legal address (often an actual one too), a few
properties, the "registered" manager assignment; a relationship to the manager's previous
partner for one in five, an approved individual agreement for one in ten (and one approved
standard agreement per segment). Deals: two open deals of the standard process per partner
(with their stage stays), and a won deal with an invoice for three in ten. Interactions: a
call and a meeting that happened, a planned meeting for half the partners, a missed call with
its call-back task for one in twenty; each with its participant, and the partner's activity row.

Partners are spread evenly over ``MANAGERS`` managers; manager ``k``'s region and department are
fixed, so a manager's token (region, department) sees its own partners and those of its region.
"""

from __future__ import annotations

import io
import json
import random
import time
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg2

from bench import _partners_data as data
from bench._common import database_exists, database_url, dsn, progress, recreate_database
from bench.deals import STAGES
from bench.deals import _line as line
from services.partners.domain.contacts import corporate_domain

GENERATOR_VERSION = 1
MANAGERS = 50
CHUNK = 20_000
REF = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SERVICES = ("partners", "deals", "interactions")
ROLES = ("decision_maker", "director", "accountant", "buyer", "engineer", "lawyer", "logistics")
POSITIONS = ("Генеральный директор", "Главный бухгалтер", "Менеджер по закупкам", "Главный инженер", "Юрист", "Логист")
PRODUCTS = ("Поставка кабеля", "Поставка металлопроката", "Монтаж вентиляции", "Сервисное обслуживание",
            "Поставка насосов", "Аренда техники", "Поставка электрооборудования", "Проектные работы")
PROPERTIES = (("industry", ("retail", "construction", "manufacturing", "logistics", "it")),
              ("size", ("small", "medium", "large")), ("payment_discipline", ("good", "late", "unknown")))


def manager(k: int) -> tuple[str, str, str]:
    """(manager id, region, department) of manager ``k`` (0-based)."""
    return f"m{k + 1:02d}", data.REGIONS[k % len(data.REGIONS)], data.DEPARTMENTS[k % len(data.DEPARTMENTS)]


def db_name(service: str, size: int) -> str:
    return f"crm_bench_card_{service}_{size}"


class Rows:
    """COPY text per table, flushed in chunks."""

    def __init__(self):
        self.tables: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    def add(self, table: str, columns: tuple[str, ...], *values) -> None:
        self.tables.setdefault((table, columns), []).append(line(values))

    # Parents before the rows that refer to them (foreign keys).
    PARENTS = ("partners", "contacts", "deals", "interactions")

    def copy(self, cur) -> None:
        order = sorted(self.tables.items(), key=lambda item: (self.PARENTS + (item[0][0],)).index(item[0][0]))
        for (table, columns), lines in order:
            cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO("".join(lines)))
        self.tables.clear()


PARTNER = ("id", "legal_form", "short_name", "full_name", "name_key", "inn", "kpp", "legal_address", "segment", "source",
           "region", "manager_id", "department", "status", "created_at", "created_by", "updated_at")
CONTACT = ("id", "partner_id", "full_name", "position", "roles", "status", "created_at")
PHONE = ("partner_id", "contact_id", "number", "kind")
EMAIL = ("partner_id", "contact_id", "address", "domain", "kind")
ADDRESS = ("partner_id", "kind", "text")
PROPERTY = ("partner_id", "key", "value")
ASSIGNMENT = ("partner_id", "manager_id", "department", "reason", "changed_at", "changed_by")
RELATIONSHIP = ("id", "kind", "from_partner_id", "to_partner_id", "created_at", "created_by")
AGREEMENT = ("id", "kind", "number", "name", "partner_id", "segment", "status", "valid_from", "valid_to",
             "prepayment_share", "credit_days", "discount_percent", "currency", "created_at", "created_by",
             "approved_at", "approved_by", "status_changed_at")
DEAL = ("id", "title", "partner_id", "contact_id", "process_code", "stage", "status", "amount", "currency",
        "expected_close_date", "partner_is_client", "manager_id", "region", "department", "created_at", "created_by",
        "updated_at", "stage_entered_at", "closed_at")
STAY = ("id", "deal_id", "stage", "entered_at", "left_at", "entered_by", "left_by")
INVOICE = ("id", "deal_id", "partner_id", "number", "issued_on", "due_date", "amount", "currency", "paid", "status",
           "created_at", "created_by")
INTERACTION = ("id", "kind", "status", "title", "subject_kind", "subject_id", "partner_id", "chain_id", "planned_at",
               "occurred_at", "completed_at", "place", "outcome", "direction", "from_number", "to_number", "duration_s",
               "responsible_id", "region", "department", "created_at", "created_by", "updated_at")
PARTICIPANT = ("id", "interaction_id", "position", "name", "phone", "partner_id", "contact_id", "linked_by")
ACTIVITY = ("partner_id", "manager_id", "region", "department", "last_interaction_at", "last_interaction_id")
TASK = ("id", "kind", "title", "status", "assignee_id", "partner_id", "interaction_id", "phone", "due_at", "region",
        "department", "created_at")


class CardData:
    """Deterministic for a seed: the rows of the three databases, partner by partner."""

    def __init__(self, size: int, seed: int = 10):
        self.size = size
        self.gen = data.Generator(seed=seed)
        self.rng = self.gen.rng
        self.previous: dict[str, str] = {}  # manager -> their previous partner (relationships)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def when(self, days_back: float, days_forward: float = 0.0) -> datetime:
        return REF + timedelta(seconds=self.rng.uniform(-days_back * 86400, days_forward * 86400))

    def standard_agreements(self, rows: Rows) -> None:
        for n, segment in enumerate(data.SEGMENTS):
            created = REF - timedelta(days=400)
            rows.add("agreements", AGREEMENT, self.uuid(), "standard", f"С-{n + 1}", f"Типовое соглашение: {segment}",
                     None, segment, "approved", created.date(), None, "30.00", 14, "0.00", "RUB", created, "bench",
                     created, "bench", created)

    def partner(self, i: int, p: Rows, d: Rows, x: Rows) -> None:
        rng = self.rng
        person = self.gen.partner()
        manager_id, region, department = manager(i % MANAGERS)
        created = self.when(5 * 365, 0)
        segment = rng.choice(data.SEGMENTS)
        city = rng.choice(data.CITIES)
        legal = f"{city}, ул. {rng.choice(data.WORDS)}, д. {rng.randint(1, 120)}"
        p.add("partners", PARTNER, person.id, person.legal_form, person.short_name, person.full_name,
              data.name_key(person.short_name), person.inn, person.kpp, legal if person.legal_form == "legal_entity" else None,
              segment, rng.choice(data.SOURCES), region, manager_id, department, "active", created, manager_id, created)
        for kind in person.kinds:
            p.add("partner_kinds", ("partner_id", "kind"), person.id, kind)
        for number, kind in person.phones:
            p.add("phones", PHONE, person.id, None, number, kind)
        for address in person.emails:
            p.add("emails", EMAIL, person.id, None, address, corporate_domain(address), "work")
        p.add("addresses", ADDRESS, person.id, "legal", legal)
        if rng.random() < 0.5:
            p.add("addresses", ADDRESS, person.id, "actual", f"{city}, ул. {rng.choice(data.WORDS)}, д. {rng.randint(1, 120)}")
        for key, values in rng.sample(PROPERTIES, rng.randint(0, 3)):
            p.add("partner_properties", PROPERTY, person.id, key, rng.choice(values))
        contacts = []
        for n in range(rng.choices((1, 2, 3), (40, 40, 20))[0]):
            surname, first, patronymic, _ = self.gen.person_name()
            contact_id = self.uuid()
            roles = sorted(set(rng.sample(ROLES, rng.randint(1, 2))))
            p.add("contacts", CONTACT, contact_id, person.id, f"{surname} {first} {patronymic}", rng.choice(POSITIONS),
                  json.dumps(roles), "active", created + timedelta(minutes=n))
            number = data.phone(rng)
            p.add("phones", PHONE, person.id, contact_id, number, "mobile")
            if rng.random() < 0.6:
                address = f"{data.slug(first)}.{data.slug(surname)}@{data.slug(person.core)[:20]}.ru"
                p.add("emails", EMAIL, person.id, contact_id, address, corporate_domain(address), "work")
            contacts.append((contact_id, f"{surname} {first}", number))
        p.add("manager_assignments", ASSIGNMENT, person.id, manager_id, department, "registered", created, manager_id)
        previous = self.previous.get(manager_id)
        if previous and rng.random() < 0.2:
            p.add("relationships", RELATIONSHIP, self.uuid(), "dealer_of", person.id, previous, created, manager_id)
        self.previous[manager_id] = person.id
        if rng.random() < 0.1:
            start = created + timedelta(days=rng.randint(1, 60))
            p.add("agreements", AGREEMENT, self.uuid(), "individual", f"ИС-{i}", f"Индивидуальные условия {i}", person.id,
                  None, "approved", start.date(), (REF + timedelta(days=rng.randint(30, 700))).date(),
                  f"{rng.choice((0, 10, 30, 50))}.00", rng.choice((0, 7, 14, 30)), f"{rng.choice((0, 3, 5))}.00", "RUB",
                  start, manager_id, start, manager_id, start)
        self.deals(person.id, contacts, manager_id, region, department, d)
        self.interactions(person.id, contacts, manager_id, region, department, x)

    def deals(self, partner_id: str, contacts, manager_id: str, region: str, department: str, d: Rows) -> None:
        rng = self.rng
        for n in range(2):
            deal_id = self.uuid()
            created = self.when(120)
            index = rng.randrange(len(STAGES) - 1)
            entered = [created + (REF - created) * k / (index + 1) for k in range(index + 1)]
            d.add("deals", DEAL, deal_id, f"{rng.choice(PRODUCTS)} №{n + 1}", partner_id, rng.choice(contacts)[0],
                  "standard", STAGES[index], "in_progress", Decimal(rng.randrange(10_000, 5_000_000, 100)), "RUB",
                  (REF + timedelta(days=rng.randint(7, 120))).date(), index >= 1, manager_id, region, department,
                  created, manager_id, entered[-1], entered[-1], None)
            for k in range(index + 1):
                d.add("stage_history", STAY, self.uuid(), deal_id, STAGES[k], entered[k],
                      entered[k + 1] if k < index else None, manager_id, manager_id if k < index else None)
        if rng.random() < 0.3:
            deal_id = self.uuid()
            created = self.when(700, -150)
            closed = created + timedelta(days=rng.randint(10, 120))
            amount = Decimal(rng.randrange(10_000, 5_000_000, 100))
            d.add("deals", DEAL, deal_id, f"{rng.choice(PRODUCTS)} (выполнена)", partner_id, rng.choice(contacts)[0],
                  "standard", STAGES[-1], "won", amount, "RUB", closed.date(), True, manager_id, region, department,
                  created, manager_id, closed, closed, closed)
            d.add("stage_history", STAY, self.uuid(), deal_id, STAGES[-1], closed, closed, manager_id, manager_id)
            paid, status = (amount, "paid") if rng.random() < 0.8 else (Decimal("0.00"), "issued")
            d.add("invoices", INVOICE, self.uuid(), deal_id, partner_id, f"СЧ-{deal_id[:8]}", closed.date(),
                  (closed + timedelta(days=14)).date(), amount, "RUB", paid, status, closed, manager_id)

    def interactions(self, partner_id: str, contacts, manager_id: str, region: str, department: str, x: Rows) -> None:
        rng = self.rng
        latest: tuple[datetime, str] | None = None

        def interaction(kind: str, status: str, title: str, at: datetime, **call) -> str:
            nonlocal latest
            interaction_id = self.uuid()
            contact_id, name, number = rng.choice(contacts)
            happened = status == "done"
            x.add("interactions", INTERACTION, interaction_id, kind, status, title, "partner", partner_id, partner_id,
                  interaction_id, None if happened else at, at if happened else None, at if happened else None,
                  "офис клиента" if kind == "meeting" else None, "договорились о поставке" if happened else None,
                  call.get("direction"), call.get("from_number"), call.get("to_number"), call.get("duration_s"),
                  manager_id, region, department, at - timedelta(days=1) if not happened else at, manager_id, at)
            x.add("participants", PARTICIPANT, self.uuid(), interaction_id, 0, name, number, partner_id, contact_id, "hand")
            if happened and (latest is None or at > latest[0]):
                latest = (at, interaction_id)
            return interaction_id

        number = rng.choice(contacts)[2]
        interaction("call", "done", "Звонок клиенту", self.when(200), direction="out", from_number="+74950000000",
                    to_number=number, duration_s=rng.randint(30, 900))
        interaction("meeting", "done", "Встреча", self.when(300))
        if rng.random() < 0.5:
            interaction("meeting", "planned", "Встреча по договору", self.when(0, 30))
        if rng.random() < 0.05:
            at = self.when(10)
            missed = interaction("call", "done", "Пропущенный звонок", at, direction="in", from_number=number,
                                 to_number="+74950000000", duration_s=0)
            x.add("tasks", TASK, self.uuid(), "call_back", f"Перезвонить {number}", "open", manager_id, partner_id,
                  missed, number, at + timedelta(hours=4), region, department, at)
        x.add("partner_activity", ACTIVITY, partner_id, manager_id, region, department, latest[0], latest[1])


def _marker(cur) -> int | None:
    cur.execute("SELECT to_regclass('bench_dataset') IS NOT NULL")
    if not cur.fetchone()[0]:
        return None
    cur.execute("SELECT generator, partners FROM bench_dataset ORDER BY finished_at DESC LIMIT 1")
    row = cur.fetchone()
    return row[1] if row is not None and row[0] == GENERATOR_VERSION else None


def reusable(size: int) -> bool:
    """The three databases hold a finished build of ``size`` partners."""
    for service in SERVICES:
        name = db_name(service, size)
        if not database_exists(name):
            return False
        with closing(psycopg2.connect(dsn(name))) as conn, conn.cursor() as cur:
            if _marker(cur) != size:
                return False
            if service == "partners":
                cur.execute("SELECT count(*) FROM partners")
                if cur.fetchone()[0] != size:
                    return False
    return True


def build(size: int) -> float:
    """Create, migrate and fill the three databases; the seconds it took."""
    from crm_ops.migrations import upgrade

    started = time.monotonic()
    progress(f"building the card data set: {size:,} partners (nothing reusable there)")
    for service in SERVICES:
        recreate_database(db_name(service, size))
        # partners: name words (0002) are backfilled from the loaded partners by the later migration.
        upgrade(service, database_url(db_name(service, size)), **({"revision": "0001"} if service == "partners" else {}))
    conns = {service: psycopg2.connect(dsn(db_name(service, size))) for service in SERVICES}
    try:
        rows = {service: Rows() for service in SERVICES}
        source = CardData(size)
        source.standard_agreements(rows["partners"])
        for i in range(size):
            source.partner(i, rows["partners"], rows["deals"], rows["interactions"])
            if (i + 1) % CHUNK == 0 or i + 1 == size:
                for service in SERVICES:
                    with conns[service].cursor() as cur:
                        rows[service].copy(cur)
                    conns[service].commit()
                progress(f"  {i + 1:,}/{size:,} partners with deals and interactions ({time.monotonic() - started:.0f}s)")
        upgrade("partners", database_url(db_name("partners", size)))
        seconds = time.monotonic() - started
        for conn in conns.values():
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("VACUUM (ANALYZE)")
                cur.execute("CREATE TABLE bench_dataset (generator int NOT NULL, partners int NOT NULL,"
                            " seconds double precision NOT NULL, finished_at timestamptz NOT NULL DEFAULT now())")
                cur.execute("INSERT INTO bench_dataset (generator, partners, seconds) VALUES (%s, %s, %s)",
                            (GENERATOR_VERSION, size, seconds))
    finally:
        for conn in conns.values():
            conn.close()
    progress(f"card data set built in {time.monotonic() - started:.0f}s")
    return time.monotonic() - started


def ensure(size: int) -> dict:
    """The three databases of ``size`` partners (reused when complete, migrated to head); what was done."""
    from crm_ops.migrations import upgrade

    if reusable(size):
        for service in SERVICES:
            upgrade(service, database_url(db_name(service, size)))
        progress(f"reusing the card data set of {size:,} partners ({', '.join(db_name(s, size) for s in SERVICES)})")
        return {"reused": True}
    return {"reused": False, "build_s": round(build(size), 1)}


def partners_by_manager(size: int) -> dict[str, list[str]]:
    """Partner ids of each manager, in a stable order."""
    by_manager: dict[str, list[str]] = {manager(k)[0]: [] for k in range(MANAGERS)}
    with closing(psycopg2.connect(dsn(db_name("partners", size)))) as conn, conn.cursor() as cur:
        cur.execute("SELECT manager_id, id FROM partners WHERE status = 'active' ORDER BY created_at, id")
        for manager_id, partner_id in cur:
            by_manager.setdefault(manager_id, []).append(str(partner_id))
    return by_manager


def access_pattern(by_manager: dict[str, list[str]], seed: int = 7, regulars: int = 20,
                   regular_share: float = 0.2) -> dict[str, CardOpens]:
    """Per manager, the order in which they open cards (see :class:`CardOpens`)."""
    return {m: CardOpens(ids, random.Random(f"{seed}-{m}"), regulars, regular_share) for m, ids in by_manager.items()}


class CardOpens:
    """A manager's card opens: with probability ``regular_share`` one of their ``regulars``
    clients, picked Zipf-like (the first one most: weight 1/rank), else a client they have not
    opened yet in this run (their clients in a shuffled order). So most cards are opened once and
    a few often, as when a manager works through a client base and keeps coming back to a few
    key accounts."""

    def __init__(self, ids: list[str], rng: random.Random, regulars: int, regular_share: float):
        self.rng = rng
        order = list(ids)
        rng.shuffle(order)
        self.regulars = order[:regulars]
        self.fresh = order[regulars:]
        self.weights = [1 / (rank + 1) for rank in range(len(self.regulars))]
        self.share = regular_share
        self.next_fresh = 0

    def take(self, count: int) -> list[str]:
        out = []
        for _ in range(count):
            if self.rng.random() < self.share or self.next_fresh >= len(self.fresh):
                out.append(self.rng.choices(self.regulars, self.weights)[0])
            else:
                out.append(self.fresh[self.next_fresh])
                self.next_fresh += 1
        return out
