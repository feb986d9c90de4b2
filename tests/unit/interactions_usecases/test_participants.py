"""Participants: added as free text, linked by hand, or linked through the partners service (a
fake) by phone, or by email when they have no phone."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import NotFound
from services.interactions.usecases import participants
from tests.unit.interactions_usecases.conftest import ANNA, BORIS


def test_text_only_participants_are_linked_by_phone_or_email(uow_for, register, partners, client):
    partners.add_partner("Двойник 1", phones=("+74990000001",))
    partners.add_partner("Двойник 2", phones=("+74990000001",))
    meeting = register(participants=[
        {"name": "Пётр", "phone": "8 916 111-22-33"},  # the client's contact, written another way
        {"name": "Бухгалтерия", "email": "PETR@romashka.ru"},  # the contact's address, no phone
        {"name": "Незнакомец", "phone": "+74950000009"},  # nobody's
        {"name": "Кто-то из двух", "phone": "+74990000001"},  # two partners: not guessed
        {"name": "Без контактов"},
    ])
    uow = uow_for(ANNA)

    result = participants.link_participants(uow, ANNA, partners, meeting["id"])

    contact = client["contacts"][0]["id"]
    assert result["partners_available"] is True
    assert [(p["name"], p["partner_id"], p["contact_id"], p["linked_by"]) for p in result["linked"]] == [
        ("Пётр", client["id"], contact, "phone"), ("Бухгалтерия", client["id"], contact, "email")]
    assert [p["name"] for p in result["unlinked"]] == ["Незнакомец", "Кто-то из двух", "Без контактов"]
    [(kind, data)] = uow.events
    assert kind == "participants_linked" and [p["linked_by"] for p in data["linked"]] == ["phone", "email"]
    assert partners.times_asked("find_by_phone") == 3 and partners.times_asked("find_by_email") == 1


def test_while_partners_is_down_they_stay_unlinked(uow_for, register, partners):
    meeting = register(participants=[{"name": "Пётр", "phone": "+79161112233"}])
    partners.down = True
    uow = uow_for(ANNA)

    result = participants.link_participants(uow, ANNA, partners, meeting["id"])

    assert result["partners_available"] is False and result["linked"] == []
    assert [p["name"] for p in result["unlinked"]] == ["Пётр"] and uow.events == []


def test_a_participant_is_added_and_linked_by_hand(uow_for, register, partners, client):
    meeting = register()
    view = participants.add_participant(uow_for(ANNA), ANNA, meeting["id"], {"name": "Гость", "phone": "+74951110000"})
    guest = view["participants"][-1]
    assert (guest["name"], guest["linked_by"]) == ("Гость", None)
    contact = client["contacts"][0]["id"]
    unseen = str(uuid.uuid4())
    with pytest.raises(NotFound) as refused:
        participants.link_participant(uow_for(ANNA), ANNA, guest["id"], {"contact_id": unseen}, partners=partners)
    assert refused.value.details == {"contact_id": unseen}
    uow = uow_for(ANNA)

    linked = participants.link_participant(uow, ANNA, guest["id"], {"contact_id": contact}, partners=partners)

    assert (linked["contact_id"], linked["linked_by"]) == (contact, "hand")
    assert [(kind, data["linked"][0]["contact_id"]) for kind, data in uow.events] == [("participants_linked", contact)]
    with pytest.raises(NotFound):  # his interaction is not Boris's to change
        participants.link_participant(uow_for(BORIS), BORIS, guest["id"], {"contact_id": contact})
