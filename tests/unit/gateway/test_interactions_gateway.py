"""The interactions API and the card's interactions section against a fake bridge: payloads out,
messages in (call fields, tasks, extensions included)."""

from __future__ import annotations

import pytest
from crm.v1 import card_pb2, interactions_pb2
from google.protobuf import field_mask_pb2, timestamp_pb2

from crm_kit.errors import ValidationError
from gateway.card import CardCache, CardComposer
from gateway.config import load_config
from gateway.interceptors import current_actor
from gateway.servicers.interactions import InteractionsServicer
from tests.unit.gateway.test_deals_gateway import ANNA, PARTNER, Context, FakeBridge, partners_card

CALL_VIEW = {
    "id": "i1", "kind": "call", "status": "done", "title": None, "subject_kind": None, "subject_id": None,
    "partner_id": None, "chain_id": "i1", "direction": "incoming", "from_number": "+74951234567", "to_number": "101",
    "duration_s": 0, "occurred_at": "2026-11-23T10:00:00+03:00", "created_at": "2026-11-23T07:00:01",
    "call_id": "c-1", "call_state": "ended", "answered_at": "2026-11-23T07:00:05+00:00",
    "ended_at": "2026-11-23T07:02:05+00:00", "extension": "101",
    "transfers": [{"to": "102", "at": "2026-11-23T07:01:00+00:00"}], "participants": [], "email_to": [],
}
TASK_VIEW = {
    "id": "t1", "kind": "call_back", "title": "Перезвонить +74951234567", "status": "open", "assignee_id": "anna",
    "partner_id": PARTNER, "contact_id": None, "interaction_id": "i1", "call_id": "c-1", "phone": "+74951234567",
    "due_at": "2026-11-23T12:00:00+00:00", "created_at": "2026-11-23T10:00:00+00:00", "completed_at": None, "note": None,
}


@pytest.fixture(autouse=True)
def caller():
    token = current_actor.set(ANNA)
    yield
    current_actor.reset(token)


def at(iso: str) -> timestamp_pb2.Timestamp:
    moment = timestamp_pb2.Timestamp()
    moment.FromJsonString(iso)
    return moment


async def test_register_sends_only_input_fields_with_times_as_iso():
    bridge = FakeBridge({"interactions.register": lambda kw: {**kw["interaction"], "id": "i1", "status": "planned",
                                                              "participants": [{"id": "p1", "name": "Иван", "linked_by": None}]}})
    request = interactions_pb2.RegisterInteractionRequest(interaction=interactions_pb2.Interaction(
        kind="meeting", subject_kind="partner", subject_id=PARTNER, title="Встреча", place="Офис",
        planned_at=at("2026-11-24T10:00:00Z"), id="forged", chain_id="forged", status="",
        participants=[interactions_pb2.Participant(name="Иван", phone="+74950000000", id="forged", linked_by="hand")],
    ))
    meeting = await InteractionsServicer(bridge).Register(request, Context())
    assert bridge.calls == [("interactions", "register", {"interaction": {
        "kind": "meeting", "title": "Встреча", "subject_kind": "partner", "subject_id": PARTNER,
        "planned_at": "2026-11-24T10:00:00Z", "place": "Офис",
        "participants": [{"name": "Иван", "phone": "+74950000000"}],
    }})]
    assert meeting.id == "i1" and meeting.planned_at.ToJsonString() == "2026-11-24T10:00:00Z"
    assert meeting.participants[0].id == "p1" and meeting.participants[0].linked_by == ""


async def test_a_call_view_reads_its_call_fields_and_an_unknown_subject():
    bridge = FakeBridge({"interactions.get_call": CALL_VIEW})
    call = await InteractionsServicer(bridge).GetCall(interactions_pb2.GetCallRequest(call_id="c-1"), Context())
    assert bridge.calls[-1] == ("interactions", "get_call", {"call_id": "c-1"})
    assert (call.call_id, call.call_state, call.extension, call.direction) == ("c-1", "ended", "101", "incoming")
    assert call.subject_kind == "" and call.subject_id == "" and call.duration_s == 0
    assert call.answered_at.ToJsonString() == "2026-11-23T07:00:05Z"
    assert call.ended_at.ToJsonString() == "2026-11-23T07:02:05Z"
    assert call.occurred_at.ToJsonString() == "2026-11-23T07:00:00Z"  # +03:00 as UTC
    assert call.created_at.ToJsonString() == "2026-11-23T07:00:01Z"   # no offset: UTC
    assert [(t.to, t.at.ToJsonString()) for t in call.transfers] == [("102", "2026-11-23T07:01:00Z")]


async def test_update_checks_the_mask_and_clears_named_empty_fields():
    bridge = FakeBridge({"interactions.update": {"id": "i1", "title": "Новое"}})
    servicer = InteractionsServicer(bridge)
    with pytest.raises(ValidationError) as caught:
        await servicer.Update(interactions_pb2.UpdateInteractionRequest(
            interaction_id="i1", update_mask=field_mask_pb2.FieldMask(paths=["status"])), Context())
    assert "update_mask" in caught.value.details and not bridge.calls
    await servicer.Update(interactions_pb2.UpdateInteractionRequest(
        interaction_id="i1", interaction=interactions_pb2.Interaction(title="Новое"),
        update_mask=field_mask_pb2.FieldMask(paths=["title", "remind_at", "place"])), Context())
    assert bridge.calls[-1][2] == {"interaction_id": "i1", "changes": {"title": "Новое", "remind_at": None, "place": None}}


async def test_status_follow_up_and_links_payloads():
    view = {"id": "i1", "status": "done"}
    bridge = FakeBridge({f"interactions.{m}": view for m in ("set_status", "complete", "follow_up", "link_created")}
                        | {"interactions.link_participant": {"id": "p1", "partner_id": PARTNER, "linked_by": "hand"}})
    servicer = InteractionsServicer(bridge)
    await servicer.SetStatus(interactions_pb2.SetInteractionStatusRequest(
        interaction_id="i1", status="postponed", planned_at=at("2026-11-25T09:30:00Z")), Context())
    assert bridge.calls[-1][2] == {"interaction_id": "i1", "change": {
        "status": "postponed", "outcome": None, "planned_at": "2026-11-25T09:30:00Z"}}
    await servicer.Complete(interactions_pb2.CompleteInteractionRequest(interaction_id="i1", outcome="Договорились"), Context())
    assert bridge.calls[-1][1:] == ("complete", {"interaction_id": "i1", "outcome": "Договорились"})
    await servicer.FollowUp(interactions_pb2.FollowUpRequest(interaction_id="i1", planned_at=at("2026-11-26T08:00:00Z")),
                            Context())
    assert bridge.calls[-1][2] == {"interaction_id": "i1", "follow_up": {"planned_at": "2026-11-26T08:00:00Z"}}
    await servicer.LinkCreated(interactions_pb2.LinkCreatedRequest(interaction_id="i1", kind="deal", created_id="d1"), Context())
    assert bridge.calls[-1][2] == {"interaction_id": "i1", "kind": "deal", "id": "d1"}
    linked = await servicer.LinkParticipant(interactions_pb2.LinkParticipantRequest(participant_id="p1", partner_id=PARTNER),
                                            Context())
    assert bridge.calls[-1][2] == {"participant_id": "p1", "link": {"partner_id": PARTNER}}
    assert linked.linked_by == "hand"


async def test_lists_calendar_overdue_and_forgotten_clients():
    summary = {"id": "i1", "kind": "meeting", "planned_at": "2026-11-24T10:00:00+00:00"}
    bridge = FakeBridge({
        "interactions.list_chain": [summary],
        "interactions.list_by_subject": [summary, {**summary, "id": "i2"}],
        "interactions.calendar": {"user_id": "anna", "date_from": "2026-11-23", "date_to": "2026-11-30", "items": [summary]},
        "interactions.overdue": {"user_id": "anna", "now": "2026-11-23T10:00:00+00:00", "items": [summary]},
        "interactions.forgotten_clients": {"manager_id": "anna", "days": 30, "items": [{
            "partner_id": PARTNER, "last_interaction_at": "2026-10-01T10:00:00+00:00", "last_interaction_id": "i0",
            "days_since": 53}]},
    })
    servicer = InteractionsServicer(bridge)
    chain = await servicer.ListChain(interactions_pb2.ListChainRequest(interaction_id="i1"), Context())
    assert [i.id for i in chain.interactions] == ["i1"]
    listed = await servicer.ListBySubject(interactions_pb2.ListBySubjectRequest(subject_kind="partner", subject_id=PARTNER),
                                          Context())
    assert bridge.calls[-1][2] == {"subject_kind": "partner", "subject_id": PARTNER} and len(listed.interactions) == 2
    await servicer.ListBySubject(interactions_pb2.ListBySubjectRequest(subject_kind="deal", subject_id="d", limit=5), Context())
    assert bridge.calls[-1][2]["limit"] == 5
    calendar = await servicer.Calendar(interactions_pb2.CalendarRequest(date_from={"iso": "2026-11-23"},
                                                                        date_to={"iso": "2026-11-30"}), Context())
    assert bridge.calls[-1][2] == {"query": {"date_from": "2026-11-23", "date_to": "2026-11-30"}}
    assert calendar.user_id == "anna" and calendar.date_to.iso == "2026-11-30"
    assert calendar.interactions[0].planned_at.ToJsonString() == "2026-11-24T10:00:00Z"
    overdue = await servicer.Overdue(interactions_pb2.OverdueRequest(), Context())
    assert bridge.calls[-1][2] == {"user_id": None, "now": None} and overdue.now.ToJsonString() == "2026-11-23T10:00:00Z"
    forgotten = await servicer.ForgottenClients(interactions_pb2.ForgottenClientsRequest(
        manager_id="anna", days=30, now=at("2026-11-23T10:00:00Z")), Context())
    assert bridge.calls[-1][2] == {"manager_id": "anna", "days": 30, "now": "2026-11-23T10:00:00Z"}
    assert forgotten.clients[0].days_since == 53 and forgotten.clients[0].partner_id == PARTNER


async def test_calls_tasks_and_extensions():
    bridge = FakeBridge({
        "interactions.list_calls": {"items": [{k: CALL_VIEW[k] for k in ("id", "kind", "call_id", "call_state", "direction")}]},
        "interactions.list_tasks": {"items": [TASK_VIEW]},
        "interactions.complete_task": {**TASK_VIEW, "status": "done", "completed_at": "2026-11-23T11:00:00+00:00",
                                       "note": "Перезвонил"},
        "interactions.set_extension": {"extension": "101", "user_id": "anna", "updated_at": "2026-11-23T10:00:00+00:00"},
        "interactions.list_extensions": {"items": [{"extension": "101", "user_id": "anna", "updated_at": None}]},
        "interactions.remove_extension": {"extension": "101", "removed": True},
    })
    servicer = InteractionsServicer(bridge)
    calls = await servicer.ListCalls(interactions_pb2.ListCallsRequest(
        state="missed", responsible_id="anna", date_from={"iso": "2026-11-01"}, limit=50), Context())
    assert bridge.calls[-1][2] == {"query": {"responsible_id": "anna", "state": "missed", "limit": 50, "date_from": "2026-11-01"}}
    assert calls.calls[0].call_state == "ended" and calls.calls[0].call_id == "c-1"
    tasks = await servicer.ListTasks(interactions_pb2.ListInteractionTasksRequest(assignee_id="anna"), Context())
    assert bridge.calls[-1][2] == {"query": {"assignee_id": "anna"}}
    task = tasks.tasks[0]
    assert (task.kind, task.status, task.phone, task.call_id, task.contact_id) == ("call_back", "open", "+74951234567", "c-1", "")
    assert task.due_at.ToJsonString() == "2026-11-23T12:00:00Z" and not task.HasField("completed_at")
    done = await servicer.CompleteTask(interactions_pb2.CompleteInteractionTaskRequest(task_id="t1", note="Перезвонил"), Context())
    assert bridge.calls[-1][2] == {"task_id": "t1", "note": "Перезвонил"}
    assert done.status == "done" and done.note == "Перезвонил" and done.completed_at.seconds > 0
    await servicer.CompleteTask(interactions_pb2.CompleteInteractionTaskRequest(task_id="t1"), Context())
    assert bridge.calls[-1][2] == {"task_id": "t1", "note": None}
    assigned = await servicer.SetExtension(interactions_pb2.SetExtensionRequest(extension="101", user_id="anna"), Context())
    assert bridge.calls[-1][2] == {"extension": "101", "user_id": "anna", "region": None, "department": None}
    assert assigned.user_id == "anna" and assigned.updated_at.seconds > 0
    listed = await servicer.ListExtensions(interactions_pb2.ListExtensionsRequest(), Context())
    assert [(e.extension, e.user_id) for e in listed.extensions] == [("101", "anna")]
    removed = await servicer.RemoveExtension(interactions_pb2.RemoveExtensionRequest(extension="101"), Context())
    assert removed.removed and bridge.calls[-1][2] == {"extension": "101"}


async def test_card_fills_the_typed_interactions_section():
    section = {
        "partner_id": PARTNER,
        "last_interactions": [{"id": "i1", "kind": "call", "status": "done", "occurred_at": "2026-11-23T07:00:00+00:00",
                               "call_state": "ended", "subject_kind": None}],
        "upcoming": [{"id": "i2", "kind": "meeting", "status": "planned", "planned_at": "2026-11-24T10:00:00+00:00"}],
        "open_tasks": [TASK_VIEW],
    }
    bridge = FakeBridge({"partners.get_card": partners_card(), "interactions.card_section": section})
    card = await CardComposer(bridge, CardCache(bridge, ttl=0), ["interactions"], section_timeout=0.5).compose(PARTNER, ANNA, 2.0)
    state = next(s for s in card.sections if s.name == "interactions")
    assert state.state == card_pb2.SECTION_STATE_AVAILABLE and not state.data.fields
    history = card.interactions
    assert [i.id for i in history.last_interactions] == ["i1"] and history.last_interactions[0].call_state == "ended"
    assert history.upcoming[0].planned_at.ToJsonString() == "2026-11-24T10:00:00Z"
    assert history.open_tasks[0].kind == "call_back" and history.open_tasks[0].phone == "+74951234567"


def test_deals_and_interactions_are_the_default_card_sections():
    assert load_config({"CRM_ENVIRONMENT": "development"}).card_sections == ("deals", "interactions")
