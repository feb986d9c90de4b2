"""crm_kit.reads on both databases: the document the database builds is what the Python views
write of the same rows (ids, times with and without microseconds, decimals, dates, booleans,
JSON, NULLs, empty collections, order), the access rule in its WHERE holds, and a prepared
statement keeps working on its connection (again, after a rollback, after a failed statement)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Boolean, Column, Date, DateTime, MetaData, Numeric, String, Table, Uuid, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from crm_kit import reads
from crm_kit.actor import ANONYMOUS, Actor
from crm_kit.db import make_engine
from crm_kit.errors import NotFound
from crm_kit.views import iso
from crm_ops.migrations import upgrade
from services.partners.models import (
    Address,
    Agreement,
    BankAccount,
    Contact,
    Email,
    ManagerAssignment,
    Partner,
    PartnerKind,
    Phone,
    Property,
    Relationship,
)
from services.partners.usecases.agreements import agreements_in_force
from services.partners.usecases.card import client_card
from services.partners.usecases.lookup import PARTNERS
from services.partners.usecases.managers import manager_history
from services.partners.usecases.relationships import list_relationships
from services.partners.views import PARTNER, partner_view
from tests.support.platform import sqlalchemy_url

ADMIN = Actor("root", roles=("admin",))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    """The partners schema (as migrated) and a table of every type, on each database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('reads') / 'reads.db'}"
    else:
        url = sqlalchemy_url(request.getfixturevalue("infra").database("crm_test_reads"))
    upgrade("partners", url)
    engine = make_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _partner(**overrides) -> Partner:
    values = {
        "legal_form": "legal_entity", "short_name": "ООО «Ромашка»", "name_key": "romashka", "region": "msk",
        "manager_id": "m1", "department": "north", "status": "active",
    }
    values.update(overrides)
    return Partner(**values)


def _fill(session) -> list[str]:
    full = _partner(
        full_name="Общество «Ромашка»", inn="7707083893", kpp="773601001", ogrn="1027700132195",
        website="romashka.ru", source="exhibition", comment="it's a client", segment="wholesale",
        duplicate_override={"reason": "другой филиал", "by": "boss", "duplicates": [1, 2]},
        created_at=datetime(2026, 12, 4, 10, 0, 0, tzinfo=UTC),  # no microseconds: isoformat omits them
        updated_at=datetime(2026, 12, 4, 10, 0, 0, 120, tzinfo=UTC),
    )
    full.kinds = [PartnerKind(kind="supplier"), PartnerKind(kind="client")]
    full.phones = [Phone(number="+74951234567", kind="work", extension="100"), Phone(number="+79165551234", kind="mobile")]
    full.emails = [Email(address="info@romashka.ru", domain="romashka.ru", kind="work")]
    full.addresses = [Address(kind="legal", text="Москва, ул. Вавилова, 19"), Address(kind="actual", text="Химки")]
    full.bank_accounts = [BankAccount(bic="044525225", account="40702810938000000001", bank_name=None)]
    full.properties = [Property(key="it's", value="quoted"), Property(key="employees", value="120")]
    session.add(full)
    session.flush()
    for n, name in enumerate(["Петров", "Смирнова"]):
        contact = Contact(partner_id=full.id, full_name=name, roles=["buyer", "director"][: n + 1], status="active",
                          created_at=datetime(2026, 12, 1, 9, 0, n, 5, tzinfo=UTC))
        contact.phones = [Phone(partner_id=full.id, number=f"+7916000112{n}", kind="mobile")]
        contact.emails = [Email(partner_id=full.id, address=f"c{n}@romashka.ru", kind="work")] if n else []
        session.add(contact)
    empty = _partner(short_name="Пустой", name_key="pustoi", region=None, manager_id=None, department=None)
    session.add(empty)
    session.commit()
    return [full.id, empty.id]


def test_the_document_is_what_the_python_view_writes(engine):
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    with make_session() as session:
        ids = _fill(session)
    for partner_id in ids:
        with make_session() as session:
            expected = partner_view(PARTNERS.for_read(session, ADMIN, partner_id))
        with make_session() as session:
            assert PARTNERS.read(session, ADMIN, partner_id, PARTNER) == expected
    assert expected["phones"] == [] and expected["properties"] == {} and expected["contacts"] == []


@pytest.mark.parametrize(
    ("actor", "sees"),
    [
        (Actor("m1", roles=("manager",)), True),  # the owner
        (Actor("m2", roles=("manager",), regions=("msk",)), True),  # the region
        (Actor("h1", roles=("head_of_sales",), department="north"), True),  # the department
        (Actor("m2", roles=("manager",), regions=("spb", "ekb")), False),
        (Actor("h2", roles=("head_of_sales",), department="south"), False),
        (Actor("x", roles=("auditor",)), False),  # no sales role
        (ANONYMOUS, False),
    ],
)
def test_the_access_rule_is_in_the_statement(engine, actor, sees):
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    with make_session() as session:
        partner_id = _fill(session)[0]
    with make_session() as session:
        if sees:
            assert PARTNERS.read(session, actor, partner_id, PARTNER)["id"] == partner_id
        else:
            with pytest.raises(NotFound) as refused:
                PARTNERS.read(session, actor, partner_id, PARTNER)
            assert refused.value.details == {"partner_id": partner_id}
    with make_session() as session, pytest.raises(NotFound):
        PARTNERS.read(session, ADMIN, str(uuid.uuid4()), PARTNER)


def test_the_client_card_is_its_sections_read_one_by_one(engine):
    """partners.get_card's one statement against the per-collection reads it replaced."""
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    with make_session() as session:
        partner_id, other_id = _fill(session)
        contact_id = session.scalars(select(Contact.id).where(Contact.partner_id == partner_id)).first()
        session.add_all([
            Relationship(kind="dealer_of", from_partner_id=other_id, to_partner_id=partner_id),
            Relationship(kind="head_office_of", from_partner_id=partner_id, to_partner_id=other_id),
            Relationship(kind="reports_to", from_contact_id=contact_id, to_contact_id=contact_id),
            Agreement(kind="individual", name="Своё", partner_id=partner_id, status="approved",
                      valid_from=date.today() - timedelta(days=1), prepayment_share=Decimal("30")),
            Agreement(kind="individual", name="Истекло", partner_id=partner_id, status="approved",
                      valid_to=date.today() - timedelta(days=1)),
            Agreement(kind="individual", name="Черновик", partner_id=partner_id, status="draft"),
            Agreement(kind="standard", name="Опт", segment="wholesale", status="approved", discount_percent=Decimal("5.5")),
            Agreement(kind="standard", name="Розница", segment="retail", status="approved"),
            *[ManagerAssignment(partner_id=partner_id, manager_id=f"m{n}", previous_manager_id=f"m{n - 1}",
                                changed_at=datetime(2026, 1, 1 + n, tzinfo=UTC)) for n in range(7)],
        ])
        session.commit()
    for pid in (partner_id, other_id):
        with make_session() as session:
            card = client_card(session, ADMIN, pid)
        with make_session() as session:
            partner = PARTNERS.for_read(session, ADMIN, pid)
            assert card["partner"] == partner_view(partner)
            assert card["relationships"] == list_relationships(session, ADMIN, pid)
            assert card["agreements"] == agreements_in_force(session, partner, date.today())
            assert card["manager"]["history"] == manager_history(session, ADMIN, pid)[:5]
            assert card["figures"]["registered_on"] == partner.created_at.date().isoformat()
    assert [a["name"] for a in client_card(make_session(), ADMIN, partner_id)["agreements"]] == ["Своё", "Опт"]


metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", Uuid(as_uuid=False), primary_key=True),
    Column("amount", Numeric(14, 2)),
    Column("rate", Numeric(7, 4)),
    Column("due", Date),
    Column("done", Boolean),
    Column("at", DateTime(timezone=True)),
    Column("other", Uuid(as_uuid=False)),
    Column("name", String(50)),
)
THING = reads.record(
    id=things.c.id, amount=things.c.amount, rate=things.c.rate, due=things.c.due, done=things.c.done,
    at=things.c.at, other=things.c.other, name=things.c.name,
)


def _python_view(row) -> dict:
    return {
        "id": row.id, "amount": None if row.amount is None else str(row.amount),
        "rate": None if row.rate is None else str(row.rate), "due": iso(row.due), "done": row.done, "at": iso(row.at),
        "other": row.other, "name": row.name,
    }


def test_values_of_every_type_read_as_the_views_write_them(engine):
    rows = [
        {"id": str(uuid.uuid4()), "amount": Decimal("150000.00"), "rate": Decimal("0.1250"), "due": date(2026, 1, 31),
         "done": True, "at": datetime(2026, 12, 4, 23, 59, 59, 999999, tzinfo=UTC), "other": str(uuid.uuid4()),
         "name": 'кавычки "и" \\ слэш'},
        {"id": str(uuid.uuid4()), "amount": Decimal("-0.50"), "rate": Decimal("12.0000"), "due": None, "done": False,
         "at": datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "other": None, "name": None},
        {"id": str(uuid.uuid4()), "amount": None, "rate": None, "due": None, "done": None, "at": None, "other": None,
         "name": ""},
    ]
    with engine.begin() as connection:
        connection.execute(things.insert(), rows)
    make_session = sessionmaker(bind=engine)
    statement = reads.Prepared(select(THING).where(things.c.id == reads.parameter("id", things.c.id.type)))
    with make_session() as session:
        for row in session.connection().execute(select(things)):
            assert reads.one(session, statement, id=row.id) == _python_view(row)
        assert reads.one(session, statement, id=str(uuid.uuid4())) is None
        everything = reads.all_of(session, select(THING).where(things.c.id.in_([r["id"] for r in rows])))
        assert sorted(d["id"] for d in everything) == sorted(r["id"] for r in rows)


def test_a_prepared_statement_outlives_a_rollback_and_a_failed_statement(engine):
    thing_id = str(uuid.uuid4())
    with engine.begin() as connection:
        connection.execute(things.insert(), [{"id": thing_id, "name": "one"}])
    statement = reads.Prepared(select(THING).where(things.c.id == reads.parameter("id", things.c.id.type)))
    make_session = sessionmaker(bind=engine)
    with make_session() as session:
        assert reads.one(session, statement, id=thing_id)["name"] == "one"
        session.rollback()
        assert reads.one(session, statement, id=thing_id)["name"] == "one"
        with pytest.raises(DBAPIError):
            session.connection().exec_driver_sql("SELECT no_such_column FROM things")
        session.rollback()
        assert reads.one(session, statement, id=thing_id)["name"] == "one"
        if engine.dialect.name == "postgresql":
            with pytest.raises(TypeError, match="parameter 'id'"):
                reads.one(session, statement)

