"""The row-level guard every service configures per model (crm_kit.access.RowAccess), the
owner a new record gets, and the role checks, on a small model in SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from crm_kit.access import RowAccess, can_see, require_operator, require_role, require_sales_head
from crm_kit.actor import ADMIN, HEAD_OF_SALES, MANAGER, SERVICE, Actor
from crm_kit.errors import NotFound, PermissionDenied
from crm_kit.models import created_at_column, id_column, service_base
from tests.unit.kit.test_access import ACTORS, HEAD, MANAGER_ACTOR, ROWS, SERVICE_ACTOR

Base = service_base()


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = id_column()
    responsible_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    created_at = created_at_column()


TICKETS = RowAccess(Ticket, "ticket", owner=Ticket.responsible_id, region=Ticket.region, department=Ticket.department)


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'tickets.db'}")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def tickets(session) -> dict[tuple, str]:
    """One ticket per (owner, region, department) of the access tests' rows, by those values."""
    made = {}
    for owner, region, department in ROWS:
        ticket = Ticket(responsible_id=owner, region=region, department=department)
        session.add(ticket)
        session.flush()
        made[(owner, region, department)] = ticket.id
    session.commit()
    return made


@pytest.mark.parametrize("actor", ACTORS, ids=lambda actor: actor.user_id or "anonymous")
def test_sql_filter_and_row_check_agree(session, tickets, actor: Actor) -> None:
    in_sql = set(session.scalars(select(Ticket.id).where(TICKETS.visible(actor))))
    row_by_row = {ticket_id for values, ticket_id in tickets.items() if can_see(actor, *values)}
    assert in_sql == row_by_row
    assert all(TICKETS.sees(actor, session.get(Ticket, ticket_id)) for ticket_id in in_sql)


def test_for_read_and_for_change_hide_what_the_actor_may_not_see(session, tickets) -> None:
    own = tickets[("m1", "99", None)]
    others = tickets[("m2", "99", None)]
    assert TICKETS.for_read(session, MANAGER_ACTOR, own).id == own
    assert TICKETS.for_change(session, MANAGER_ACTOR, own).id == own
    for read in (TICKETS.for_read, TICKETS.for_change):
        with pytest.raises(NotFound) as invisible:
            read(session, MANAGER_ACTOR, others)
        with pytest.raises(NotFound) as absent:
            read(session, MANAGER_ACTOR, "5f0c0c1e-0000-4000-8000-000000000000")
        # The same answer for a record that exists and one that does not: no existence leak.
        assert invisible.value.message == f"ticket {others} not found"
        assert invisible.value.details == {"ticket_id": others}
        assert absent.value.details == {"ticket_id": "5f0c0c1e-0000-4000-8000-000000000000"}


def test_for_change_reads_the_row_as_committed(session, tickets) -> None:
    ticket_id = tickets[("m1", "99", None)]
    held = TICKETS.for_read(session, MANAGER_ACTOR, ticket_id)
    session.commit()  # the copy stays in the session (expire_on_commit=False)
    with Session(session.get_bind()) as other:
        other.get(Ticket, ticket_id).region = "77"
        other.commit()
    assert held.region == "99"  # the session's copy, read before the other commit
    assert TICKETS.for_change(session, MANAGER_ACTOR, ticket_id).region == "77"


class TestAssignOwner:
    def test_the_caller_owns_what_they_register(self) -> None:
        data = {"responsible_id": None, "region": None, "department": None}
        TICKETS.assign_owner(MANAGER_ACTOR, data, "register tickets")
        assert data == {"responsible_id": "m1", "region": None, "department": "sales-msk"}

    def test_a_manager_assigns_others_only_in_their_regions(self) -> None:
        TICKETS.assign_owner(MANAGER_ACTOR, {"responsible_id": "m2", "region": "77"}, "register tickets")
        with pytest.raises(PermissionDenied) as refused:
            TICKETS.assign_owner(MANAGER_ACTOR, {"responsible_id": "m2", "region": "99"}, "register tickets")
        assert refused.value.message == "you may register tickets only for yourself or in your regions"
        assert refused.value.details == {"responsible_id": "m2", "region": "99"}

    def test_a_head_of_sales_assigns_within_their_department(self) -> None:
        data = {"responsible_id": "m7"}
        TICKETS.assign_owner(HEAD, data, "register tickets")
        assert data["department"] == "sales-msk"
        with pytest.raises(PermissionDenied):
            TICKETS.assign_owner(HEAD, {"responsible_id": "m7", "department": "sales-spb"}, "register tickets")

    def test_an_admin_assigns_anyone_and_a_service_may_leave_it_open(self) -> None:
        TICKETS.assign_owner(Actor(user_id="a1", roles=(ADMIN,)), {"responsible_id": "m9", "region": "01"}, "x")
        data = {"responsible_id": None}
        TICKETS.assign_owner(SERVICE_ACTOR, data, "register tickets")
        assert data["responsible_id"] is None


def test_role_checks_name_the_roles_required() -> None:
    manager = Actor(user_id="m1", roles=(MANAGER,))
    with pytest.raises(PermissionDenied) as refused:
        require_operator(manager, "run the scan")
    assert refused.value.message == "only an administrator or a service may run the scan"
    assert refused.value.details == {"required_roles": [ADMIN, SERVICE]}
    with pytest.raises(PermissionDenied) as refused:
        require_sales_head(manager, "define a process", kind="standard")
    assert refused.value.details == {"kind": "standard", "required_roles": [ADMIN, HEAD_OF_SALES]}
    with pytest.raises(PermissionDenied):
        require_role(Actor(user_id="h1", roles=(HEAD_OF_SALES,)), (ADMIN,), "assign extensions")
    require_operator(SERVICE_ACTOR, "run the scan")
    require_operator(Actor(user_id="a1", roles=(ADMIN,)), "run the scan")
    require_sales_head(Actor(user_id="h1", roles=(HEAD_OF_SALES,)), "define a process")
