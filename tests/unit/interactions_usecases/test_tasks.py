"""Call-back tasks (made by missed calls) completed once, listed by assignee or partner; which user
answers which PBX extension (admins set it)."""

from __future__ import annotations

import uuid

import pytest

from crm_kit.errors import NotFound, PermissionDenied, PreconditionFailed, ValidationError
from services.interactions.usecases import call_ingest, extensions, tasks
from tests.support.pbx import PbxCall
from tests.unit.interactions_usecases.conftest import ADMIN_ACTOR, ANNA, BORIS, PBX


@pytest.fixture
def call_back(uow_for, partners, callers, client) -> dict:
    """The call-back task of a missed call from the client's number (Anna's)."""
    call_ingest.ingest(uow_for(PBX), partners, callers, PbxCall("+74951234567").missed())
    [task] = tasks.list_tasks(uow_for(ANNA).session, ANNA, {})["items"]
    return task


def test_a_task_is_completed_once_with_its_note(session, uow_for, call_back, client):
    uow = uow_for(ANNA)

    done = tasks.complete_task(uow, ANNA, call_back["id"], "Перезвонила")

    assert (done["status"], done["note"], done["completed_by"]) == ("done", "Перезвонила", "anna") and done["completed_at"]
    [(kind, data)] = uow.events
    assert kind == "task_completed" and (data["task_id"], data["partner_id"], data["responsible_id"]) == (
        call_back["id"], client["id"], "anna")
    with pytest.raises(PreconditionFailed):
        tasks.complete_task(uow_for(ANNA), ANNA, call_back["id"])
    assert tasks.list_tasks(session, ANNA, {})["items"] == []
    assert [t["id"] for t in tasks.list_tasks(session, ANNA, {"status": "done"})["items"]] == [call_back["id"]]


def test_tasks_are_seen_as_row_level_access_allows(session, uow_for, call_back, client):
    assert [t["id"] for t in tasks.list_tasks(session, ADMIN_ACTOR, {"partner_id": client["id"]})["items"]] == [call_back["id"]]
    assert tasks.list_tasks(session, BORIS, {"partner_id": client["id"]})["items"] == []
    with pytest.raises(NotFound):
        tasks.complete_task(uow_for(BORIS), BORIS, call_back["id"])
    with pytest.raises(NotFound):
        tasks.complete_task(uow_for(ANNA), ANNA, str(uuid.uuid4()))
    with pytest.raises(ValidationError):
        tasks.complete_task(uow_for(ANNA), ANNA, call_back["id"], "x" * 4001)


def test_extensions_are_set_and_removed_by_admins(session, uow_for):
    with pytest.raises(PermissionDenied):
        extensions.set_extension(uow_for(ANNA), ANNA, {"extension": "101", "user_id": "anna"})
    set_ = extensions.set_extension(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, {"extension": "101", "user_id": "anna", "region": "msk"})
    moved = extensions.set_extension(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, {"extension": "101", "user_id": "vera"})
    assert (set_["user_id"], moved["user_id"], moved["updated_by"]) == ("anna", "vera", "admin-1")
    assert [e["user_id"] for e in extensions.list_extensions(session, ADMIN_ACTOR)["items"]] == ["vera"]
    with pytest.raises(PermissionDenied):  # a manager does not read the floor's map
        extensions.list_extensions(session, ANNA)
    assert extensions.remove_extension(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, "101")["removed"] is True
    assert extensions.remove_extension(uow_for(ADMIN_ACTOR), ADMIN_ACTOR, "101")["removed"] is False
    assert extensions.list_extensions(session, ADMIN_ACTOR)["items"] == []
