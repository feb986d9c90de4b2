"""A user's time: the calendar, overdue planned interactions, forgotten clients, the client card's
history section, and reminders raised once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_kit.access import require_operator
from crm_kit.actor import HEAD_OF_SALES, SYSTEM, Actor
from crm_kit.errors import PermissionDenied, ValidationError
from services.interactions.usecases import agenda, card, details, last_interaction, reminders, status_moves
from tests.unit.interactions_usecases.conftest import ADMIN_ACTOR, ANNA, BORIS, PBX

NOW = datetime.now(UTC).replace(microsecond=0)
VERA = Actor("vera", roles=ANNA.roles, regions=("msk",), department="north")


def at(**delta) -> str:
    return (NOW + timedelta(**delta)).isoformat()


def test_the_calendar_holds_a_users_days_in_time_order(session, register):
    midnight = datetime.combine((NOW + timedelta(days=2)).date(), datetime.min.time(), tzinfo=UTC)  # calendar days are UTC

    def that_day(hour: int) -> str:
        return (midnight + timedelta(hours=hour)).isoformat()

    later = register(planned_at=that_day(15))
    sooner = register(planned_at=that_day(9))
    happened = register(kind="call", planned_at=None, place=None, direction="incoming", occurred_at=that_day(11))
    register(planned_at=that_day(24))  # the next day
    register(planned_at=that_day(10), responsible_id="vera")  # another user's
    day = midnight.date().isoformat()

    shown = agenda.calendar(session, ANNA, {"date_from": day, "date_to": day})

    assert shown["user_id"] == "anna"
    assert [i["id"] for i in shown["items"]] == [sooner["id"], happened["id"], later["id"]]
    with pytest.raises(ValidationError):
        agenda.calendar(session, ANNA, {"date_from": day})


def test_overdue_lists_planned_interactions_whose_time_has_passed(session, uow_for, register):
    missed = register(planned_at=at(hours=-5))
    done = register(planned_at=at(hours=-4))
    status_moves.set_status(uow_for(ANNA), ANNA, done["id"], {"status": "done"})
    register(planned_at=at(hours=5))

    overdue = agenda.overdue(session, ANNA)

    assert [i["id"] for i in overdue["items"]] == [missed["id"]]
    assert agenda.overdue(session, BORIS, "anna")["items"] == []  # not his to see


def test_forgotten_clients_are_those_without_contact_for_n_days(session, register, partners, client):
    quiet = partners.add_partner("Тихий", manager_id="anna")
    register(kind="call", planned_at=None, place=None, direction="outgoing", occurred_at=at(days=-40), subject_id=quiet["id"])
    register(kind="call", planned_at=None, place=None, direction="outgoing", occurred_at=at(days=-3))  # the client
    register(subject_id=quiet["id"], planned_at=at(days=1))  # planned is not contact

    forgotten = agenda.forgotten_clients(session, ANNA, "anna", 30, NOW)

    assert [(f["partner_id"], f["days_since"]) for f in forgotten["items"]] == [(quiet["id"], 40)]
    assert agenda.forgotten_clients(session, BORIS, "anna", 30, NOW)["items"] == []


def _partner_event(partner_id: str, manager_id: str, *, registered_days_ago: int, kinds=("client",), status="active",
                   region="msk", department="north", name="Клиент") -> dict:
    return {"partner_id": partner_id, "manager_id": manager_id, "region": region, "department": department,
            "segment": None, "partner": {"short_name": name, "kinds": list(kinds), "status": status,
                                         "created_at": NOW - timedelta(days=registered_days_ago)}}


def test_never_contacted_clients_are_forgotten_and_belong_to_their_manager(session, register, partners):
    never = partners.add_partner("Забытый", manager_id="anna")
    fresh, supplier, archived = (partners.add_partner(n, manager_id="anna")["id"] for n in ("Новый", "Поставщик", "Архив"))
    for partner_id, days, kinds, status in ((never["id"], 60, ("client",), "active"), (fresh, 2, ("client",), "active"),
                                           (supplier, 90, ("supplier",), "active"), (archived, 90, ("client",), "archived")):
        last_interaction.follow_partners(session, [_partner_event(partner_id, "anna", registered_days_ago=days, kinds=kinds,
                                                                  status=status)])
    called = partners.add_partner("Звонили", manager_id="anna")
    last_interaction.follow_partners(session, [_partner_event(called["id"], "anna", registered_days_ago=100)])
    # Vera (of msk too) called Anna's client 40 days ago: still Anna's forgotten client, not Vera's.
    register(actor=VERA, kind="call", planned_at=None, place=None, direction="outgoing", occurred_at=at(days=-40),
             subject_id=called["id"], region="msk", responsible_id="vera")

    items = agenda.forgotten_clients(session, ANNA, "anna", 30, NOW)["items"]
    assert [(i["partner_id"], i["never_contacted"], i["days_since"]) for i in items] == [
        (never["id"], True, 60), (called["id"], False, 40)]
    assert items[0]["partner_name"] == "Клиент" and {i["manager_id"] for i in items} == {"anna"}
    assert agenda.forgotten_clients(session, ANNA, "vera", 30, NOW)["items"] == []
    # A head of sales sees the department's forgotten clients without naming a manager.
    head = Actor("head-north", roles=(HEAD_OF_SALES,), department="north")
    assert [i["partner_id"] for i in agenda.forgotten_clients(session, head, None, 30, NOW)["items"]] == [
        never["id"], called["id"]]
    assert agenda.forgotten_clients(session, BORIS, None, 30, NOW)["items"] == []


def test_the_card_shows_last_upcoming_and_open_tasks(session, uow_for, register, client):
    call = register(kind="call", planned_at=None, place=None, direction="incoming")
    upcoming = register(planned_at=at(days=1))
    cancelled = register(planned_at=at(days=2))
    status_moves.set_status(uow_for(ANNA), ANNA, cancelled["id"], {"status": "cancelled"})

    section = card.card_section(session, ANNA, client["id"])

    assert [i["id"] for i in section["last_interactions"]] == [call["id"]]
    assert [i["id"] for i in section["upcoming"]] == [upcoming["id"]]
    assert section["open_tasks"] == []
    empty = card.card_section(session, BORIS, client["id"])
    assert (empty["last_interactions"], empty["upcoming"]) == ([], [])


def test_a_reminder_is_raised_once_and_again_when_moved(session, uow_for, register):
    due = register(kind="planned", place=None, planned_at=at(hours=1), remind_at=at(minutes=-5))
    register(kind="planned", place=None, planned_at=at(days=3), remind_at=at(days=2))  # not yet
    cancelled = register(kind="planned", place=None, planned_at=at(hours=1), remind_at=at(minutes=-5))
    status_moves.set_status(uow_for(ANNA), ANNA, cancelled["id"], {"status": "cancelled"})
    first, again = uow_for(SYSTEM), uow_for(SYSTEM)

    assert reminders.scan_reminders(first, NOW)["raised"] == 1
    assert reminders.scan_reminders(again, NOW)["raised"] == 0

    [raised] = first.of("reminder_due")
    assert (raised["interaction_id"], raised["responsible_id"], raised["remind_at"]) == (due["id"], "anna", at(minutes=-5))
    assert details.get(session, ANNA, due["id"])["reminded_at"]
    details.update_interaction(uow_for(ANNA), ANNA, due["id"], {"remind_at": at(minutes=30)})
    moved = uow_for(SYSTEM)
    assert reminders.scan_reminders(moved, NOW + timedelta(hours=1))["raised"] == 1
    assert [r["interaction_id"] for r in moved.of("reminder_due")] == [due["id"]]


def test_the_reminder_scan_commits_batch_by_batch(uow_for, register):
    for minutes in (1, 2, 3):
        register(kind="planned", place=None, planned_at=at(hours=1), remind_at=at(minutes=-minutes))
    uow = uow_for(SYSTEM)
    assert reminders.scan_reminders(uow, NOW, batch_size=2)["raised"] == 3
    assert uow.commits == 2


def test_scans_on_demand_are_for_operators_and_services():
    with pytest.raises(PermissionDenied):
        require_operator(ANNA, "reminder scan")
    require_operator(ADMIN_ACTOR, "reminder scan")
    require_operator(PBX, "call follow-ups")
