"""Interactions and telephony end to end through the gRPC gateway: the partners and interactions
services on RabbitMQ and PostgreSQL, the gateway in front, managers' and a PBX adapter's tokens."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import grpc
import pika
import pytest
from crm.v1 import (
    card_pb2,
    deals_pb2,
    interactions_pb2,
    partners_pb2,
    telephony_pb2,
)
from google.protobuf import field_mask_pb2, timestamp_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import create_engine, text

from contracts.telephony import BINDING_KEY, EXCHANGE
from tests.e2e.conftest import ADMIN, ANNA, BORIS, auth, token
from tests.e2e.test_deals import field_violations, precondition_violations, refused, register
from tests.support.platform import sqlalchemy_url
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

PBX = auth(token("pbx-adapter", ("service",), scopes=("pbx",)))
BI = auth(token("bi-tool", ("service",), scopes=("bi",)))
MSK = timezone(timedelta(hours=3))


def at(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def hours_from_now(hours: float) -> timestamp_pb2.Timestamp:
    return at(datetime.now(UTC) + timedelta(hours=hours))


def meeting(interactions, partner_id: str, *, hours: float = 24, metadata=ANNA, **fields) -> interactions_pb2.Interaction:
    fields = {"title": "Встреча", "place": "Офис клиента", **fields}
    return interactions.Register(interactions_pb2.RegisterInteractionRequest(interaction=interactions_pb2.Interaction(
        kind="meeting", subject_kind="partner", subject_id=partner_id, planned_at=hours_from_now(hours), **fields,
    )), metadata=metadata)


def test_interactions_and_telephony_are_served(channel):
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("crm.v1.Interactions", "crm.v1.Telephony"):
        assert health.Check(health_pb2.HealthCheckRequest(service=service)).status == health_pb2.HealthCheckResponse.SERVING


def test_meeting_registered_read_completed_and_chained(partners, deals, interactions):
    partner = register(partners, "Встречи")
    planned = meeting(interactions, partner.id, participants=[interactions_pb2.Participant(name="Пётр", phone="+74951112233")])
    assert (planned.kind, planned.status, planned.responsible_id, planned.partner_id) == ("meeting", "planned", "anna", partner.id)
    assert planned.chain_id == planned.id and planned.participants[0].name == "Пётр"
    assert planned.place == "Офис клиента" and planned.planned_at.seconds > datetime.now(UTC).timestamp()

    read = interactions.Get(interactions_pb2.GetInteractionRequest(interaction_id=planned.id), metadata=ANNA)
    assert read == planned

    moved = interactions.Update(interactions_pb2.UpdateInteractionRequest(
        interaction_id=planned.id, interaction=interactions_pb2.Interaction(place="Наш офис"),
        update_mask=field_mask_pb2.FieldMask(paths=["place"])), metadata=ANNA)
    assert moved.place == "Наш офис"
    refused(lambda: interactions.Update(interactions_pb2.UpdateInteractionRequest(
        interaction_id=planned.id, update_mask=field_mask_pb2.FieldMask(paths=["kind"])), metadata=ANNA),
        grpc.StatusCode.INVALID_ARGUMENT)

    done = interactions.Complete(interactions_pb2.CompleteInteractionRequest(interaction_id=planned.id,
                                                                             outcome="Договорились о поставке"), metadata=ANNA)
    assert done.status == "done" and done.outcome == "Договорились о поставке" and done.completed_at.seconds > 0
    error = refused(lambda: interactions.SetStatus(interactions_pb2.SetInteractionStatusRequest(
        interaction_id=planned.id, status="planned"), metadata=ANNA), grpc.StatusCode.FAILED_PRECONDITION)
    assert precondition_violations(error)["status"] == ["done"]

    follow_up = interactions.FollowUp(interactions_pb2.FollowUpRequest(
        interaction_id=planned.id, title="Отправить КП", planned_at=hours_from_now(48)), metadata=ANNA)
    assert (follow_up.kind, follow_up.status, follow_up.follow_up_of_id) == ("planned", "planned", planned.id)
    assert follow_up.chain_id == planned.id and follow_up.reply_to_id == planned.id
    reply = interactions.Register(interactions_pb2.RegisterInteractionRequest(interaction=interactions_pb2.Interaction(
        kind="email", subject_kind="partner", subject_id=partner.id, reply_to_id=follow_up.id,
        email_subject="КП", email_from="anna@example.com", email_to=["client@example.com"], body="Во вложении",
    )), metadata=ANNA)
    assert reply.status == "done" and reply.chain_id == planned.id and list(reply.email_to) == ["client@example.com"]

    chain = interactions.ListChain(interactions_pb2.ListChainRequest(interaction_id=reply.id), metadata=ANNA).interactions
    assert [i.id for i in chain] == [planned.id, follow_up.id, reply.id]
    about = interactions.ListBySubject(interactions_pb2.ListBySubjectRequest(subject_kind="partner", subject_id=partner.id),
                                       metadata=ANNA).interactions
    assert {i.id for i in about} == {planned.id, follow_up.id, reply.id}

    deal_id = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Со встречи", partner_id=partner.id)),
                             metadata=ANNA).id
    linked = interactions.LinkCreated(interactions_pb2.LinkCreatedRequest(interaction_id=planned.id, kind="deal",
                                                                          created_id=deal_id), metadata=ANNA)
    assert linked.created_deal_id == deal_id


def test_calendar_and_overdue(partners, interactions):
    partner = register(partners, "Календарь")
    soon = meeting(interactions, partner.id, hours=24)
    late = meeting(interactions, partner.id, hours=-2, title="Просроченная")
    today = datetime.now(UTC).date()
    calendar = interactions.Calendar(interactions_pb2.CalendarRequest(
        date_from={"iso": (today - timedelta(days=1)).isoformat()}, date_to={"iso": (today + timedelta(days=2)).isoformat()}),
        metadata=ANNA)
    assert calendar.user_id == "anna" and calendar.date_from.iso == (today - timedelta(days=1)).isoformat()
    shown = [i.id for i in calendar.interactions]
    assert shown.index(late.id) < shown.index(soon.id)  # in time order
    overdue = [i.id for i in interactions.Overdue(interactions_pb2.OverdueRequest(), metadata=ANNA).interactions]
    assert late.id in overdue and soon.id not in overdue
    error = refused(lambda: interactions.Calendar(interactions_pb2.CalendarRequest(date_from={"iso": today.isoformat()}),
                                                  metadata=ANNA), grpc.StatusCode.INVALID_ARGUMENT)
    assert "date_to" in field_violations(error)


def test_bad_input_names_the_fields_and_writes_nothing(partners, interactions):
    partner = register(partners, "Плохие взаимодействия")
    error = refused(lambda: interactions.Register(interactions_pb2.RegisterInteractionRequest(
        interaction=interactions_pb2.Interaction(kind="meeting", subject_kind="partner", subject_id=partner.id,
                                                 direction="incoming")), metadata=ANNA), grpc.StatusCode.INVALID_ARGUMENT)
    assert {"planned_at", "place", "direction"} <= field_violations(error)
    error = refused(lambda: interactions.Register(interactions_pb2.RegisterInteractionRequest(
        interaction=interactions_pb2.Interaction(kind="visit", subject_kind="partner", subject_id="not-a-uuid")),
        metadata=ANNA), grpc.StatusCode.INVALID_ARGUMENT)
    assert {"kind", "subject_id"} <= field_violations(error)
    assert not interactions.ListBySubject(interactions_pb2.ListBySubjectRequest(subject_kind="partner", subject_id=partner.id),
                                          metadata=ANNA).interactions


def test_another_managers_interaction_is_not_found(partners, interactions):
    partner = register(partners, "Чужая встреча")
    mine = meeting(interactions, partner.id)
    request = interactions_pb2.GetInteractionRequest(interaction_id=mine.id)
    for call in (
        lambda: interactions.Get(request, metadata=BORIS),
        lambda: interactions.Complete(interactions_pb2.CompleteInteractionRequest(interaction_id=mine.id), metadata=BORIS),
        lambda: interactions.ListChain(interactions_pb2.ListChainRequest(interaction_id=mine.id), metadata=BORIS),
    ):
        refused(call, grpc.StatusCode.NOT_FOUND)
    assert not interactions.ListBySubject(interactions_pb2.ListBySubjectRequest(subject_kind="partner", subject_id=partner.id),
                                          metadata=BORIS).interactions
    assert interactions.Get(request, metadata=ADMIN).responsible_id == "anna"
    # A BI tool reads, and may not write.
    assert interactions.Get(request, metadata=BI).id == mine.id
    refused(lambda: interactions.Complete(interactions_pb2.CompleteInteractionRequest(interaction_id=mine.id), metadata=BI),
            grpc.StatusCode.PERMISSION_DENIED)


def test_client_card_has_the_interactions_section(partners, interactions, cards):
    partner = register(partners, "Карточка взаимодействий")
    call = interactions.Register(interactions_pb2.RegisterInteractionRequest(interaction=interactions_pb2.Interaction(
        kind="call", subject_kind="partner", subject_id=partner.id, direction="incoming", from_number="+74957654321",
        duration_s=95,
    )), metadata=ANNA)
    upcoming = meeting(interactions, partner.id, hours=30)
    request = card_pb2.GetClientCardRequest(partner_id=partner.id)
    card = cards.GetClientCard(request, metadata=ANNA)
    states = {s.name: s for s in card.sections}
    assert states["interactions"].state == card_pb2.SECTION_STATE_AVAILABLE and not states["interactions"].data.fields
    assert [i.id for i in card.interactions.last_interactions] == [call.id]
    assert card.interactions.last_interactions[0].kind == "call"
    assert [i.id for i in card.interactions.upcoming] == [upcoming.id]
    assert not card.interactions.open_tasks

    # Completing the meeting reaches the card through the interactions events.
    interactions.Complete(interactions_pb2.CompleteInteractionRequest(interaction_id=upcoming.id, outcome="Провели"),
                          metadata=ANNA)
    eventually(lambda: not cards.GetClientCard(request, metadata=ANNA).interactions.upcoming,
               what="the card to show the completed meeting")
    card = cards.GetClientCard(request, metadata=ANNA)
    assert {i.id for i in card.interactions.last_interactions} == {call.id, upcoming.id}
    refused(lambda: cards.GetClientCard(request, metadata=BORIS), grpc.StatusCode.NOT_FOUND)


# --- telephony ------------------------------------------------------------------------------

@pytest.fixture
def call_events_tap(infra):
    """A temporary queue of our own bound like the interactions service's: what reached the broker.
    (The service's own queue is never read here: the service consumes it.)"""
    connection = pika.BlockingConnection(pika.URLParameters(infra.amqp_uri))
    channel = connection.channel()
    channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue, EXCHANGE, routing_key=BINDING_KEY)

    def received(call_id: str, count: int) -> list[tuple[str, pika.BasicProperties, bytes]]:
        """The next ``count`` messages of ``call_id`` that reach the broker, in order."""
        found: list[tuple[str, pika.BasicProperties, bytes]] = []

        def enough() -> bool:
            while len(found) < count:
                method, properties, body = channel.basic_get(queue, auto_ack=True)
                if method is None:
                    return False
                if call_id.encode() in body:
                    found.append((method.routing_key, properties, body))
            return True

        eventually(enough, timeout=10, interval=0.05, what=f"{count} events of {call_id} on the broker")
        return found

    yield received
    connection.close()


def call_event(call_id: str, kind: str, **fields) -> telephony_pb2.CallEvent:
    fields = {"direction": "incoming", "caller": "+7 495 000-11-22", "callee": "101", "extension": "101",
              "occurred_at": datetime.now(MSK).isoformat(timespec="seconds"), **fields}
    return telephony_pb2.CallEvent(call_id=call_id, event_id=f"{call_id}:{kind}", kind=kind, **fields)


def test_a_pbx_streams_call_events_and_each_is_acknowledged_once_on_the_broker(telephony, call_events_tap):
    call_id = f"e2e-{uuid.uuid4()}"
    sent = [
        call_event(call_id, "ringing"),
        call_event(call_id, "answered", duration_s=5),  # a duration only ends a call
        call_event(call_id, "answered"),
        call_event(call_id, "transferred", transferred_to="102"),
        call_event(call_id, "ended", duration_s=0),
    ]
    acks = list(telephony.StreamCallEvents(iter(sent), metadata=PBX, timeout=20))
    assert [(a.event_id, a.accepted) for a in acks] == [
        (f"{call_id}:ringing", True), (f"{call_id}:answered", False), (f"{call_id}:answered", True),
        (f"{call_id}:transferred", True), (f"{call_id}:ended", True),
    ]
    assert [v.field for v in acks[1].field_violations] == ["duration_s"] and "duration_s" in acks[1].error

    published = call_events_tap(call_id, 4)
    assert [routing for routing, _, _ in published] == ["call.ringing", "call.answered", "call.transferred", "call.ended"]
    assert all(p.delivery_mode == 2 and p.content_type == "application/json" for _, p, _ in published)
    ended = json.loads(published[-1][2])
    assert ended["duration_s"] == 0 and ended["event_id"] == f"{call_id}:ended" and ended["caller"] == "+7 495 000-11-22"

    one = telephony.PublishCallEvent(call_event(call_id, "missed"), metadata=PBX)
    assert one.accepted and one.event_id == f"{call_id}:missed"
    # The next message of the call is this one: the refused event never reached the broker.
    assert [routing for routing, _, _ in call_events_tap(call_id, 1)] == ["call.missed"]
    bad = telephony.PublishCallEvent(telephony_pb2.CallEvent(call_id=call_id, kind="hung_up"), metadata=PBX)
    assert not bad.accepted and {"event_id", "kind", "occurred_at"} <= {v.field for v in bad.field_violations}


def test_only_a_pbx_service_token_may_send_call_events(telephony, interactions):
    event = call_event(f"e2e-{uuid.uuid4()}", "ringing")
    for metadata in (ANNA, ADMIN, BI):
        refused(lambda metadata=metadata: list(telephony.StreamCallEvents(iter([event]), metadata=metadata)),
                grpc.StatusCode.PERMISSION_DENIED)
        refused(lambda metadata=metadata: telephony.PublishCallEvent(event, metadata=metadata), grpc.StatusCode.PERMISSION_DENIED)
    # The PBX's token opens call events and the phone lookup, not the interactions themselves.
    refused(lambda: interactions.Get(interactions_pb2.GetInteractionRequest(interaction_id=str(uuid.uuid4())), metadata=PBX),
            grpc.StatusCode.PERMISSION_DENIED)


def call_in_state(interactions, call_id: str, state: str) -> interactions_pb2.Interaction:
    """The call once it is ``state``: the interactions service takes call events in batches, so
    it is NOT_FOUND, or in an earlier state, for a moment."""

    def in_state() -> interactions_pb2.Interaction | None:
        try:
            call = interactions.GetCall(interactions_pb2.GetCallRequest(call_id=call_id), metadata=ANNA)
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return None
        return call if call.call_state == state else None

    return eventually(in_state, timeout=20, what=f"the {state} call")


def test_calls_from_the_pbx_show_as_calls_tasks_and_on_the_card(partners, interactions, telephony, cards):
    number = f"+7495{uuid.uuid4().int % 9000000 + 1000000}"
    partner = partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(
        partner=partners_pb2.Partner(kinds=["client"], legal_form="legal_entity", short_name=f"Звонящий {uuid.uuid4().hex[:6]}",
                                     region="msk", phones=[partners_pb2.Phone(number=number, kind="work")]),
        duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP), metadata=ANNA).partner
    extension = f"e2e-{uuid.uuid4().hex[:8]}"
    refused(lambda: interactions.SetExtension(interactions_pb2.SetExtensionRequest(extension=extension, user_id="anna"),
                                              metadata=ANNA), grpc.StatusCode.PERMISSION_DENIED)
    assigned = interactions.SetExtension(interactions_pb2.SetExtensionRequest(
        extension=extension, user_id="anna", region="msk", department="north"), metadata=ADMIN)
    assert (assigned.user_id, assigned.region, assigned.updated_by) == ("anna", "msk", "admin-1")
    refused(lambda: interactions.ListExtensions(interactions_pb2.ListExtensionsRequest(), metadata=ANNA),
            grpc.StatusCode.PERMISSION_DENIED)  # admins, heads of sales and services only
    listed = interactions.ListExtensions(interactions_pb2.ListExtensionsRequest(), metadata=ADMIN).extensions
    assert extension in {e.extension for e in listed}

    talked, missed = f"e2e-{uuid.uuid4()}", f"e2e-{uuid.uuid4()}"
    on_line = {"caller": number, "extension": extension}
    acks = list(telephony.StreamCallEvents(iter([
        call_event(talked, "ringing", **on_line),
        call_event(talked, "answered", **on_line),
        call_event(talked, "transferred", transferred_to="102", **on_line),
        call_event(talked, "ended", duration_s=95, **on_line),
        call_event(missed, "ringing", **on_line),
        call_event(missed, "missed", **on_line),
    ]), metadata=PBX, timeout=20))
    assert all(ack.accepted for ack in acks) and len(acks) == 6

    call = call_in_state(interactions, talked, "ended")
    assert (call.kind, call.direction, call.duration_s, call.responsible_id) == ("call", "incoming", 95, "anna")
    assert call.partner_id == partner.id and call.match_state == "matched" and call.external_number == number
    assert call.answered_at.seconds > 0 and call.ended_at.seconds >= call.answered_at.seconds
    assert [t.to for t in call.transfers] == ["102"]
    refused(lambda: interactions.GetCall(interactions_pb2.GetCallRequest(call_id=talked), metadata=BORIS),
            grpc.StatusCode.NOT_FOUND)

    call_in_state(interactions, missed, "missed")
    calls = interactions.ListCalls(interactions_pb2.ListCallsRequest(partner_id=partner.id), metadata=ANNA).calls
    assert {c.call_id for c in calls} == {talked, missed}
    only_missed = interactions.ListCalls(interactions_pb2.ListCallsRequest(partner_id=partner.id, state="missed"),
                                         metadata=ANNA).calls
    assert [(c.call_id, c.call_state, c.external_number) for c in only_missed] == [(missed, "missed", number)]
    assert interactions.ListCalls(interactions_pb2.ListCallsRequest(partner_id=partner.id), metadata=BI).calls

    tasks = eventually(lambda: interactions.ListTasks(interactions_pb2.ListInteractionTasksRequest(partner_id=partner.id),
                                                      metadata=ANNA).tasks, timeout=20, what="the call-back task")
    task = tasks[0]
    assert (task.kind, task.status, task.assignee_id, task.call_id) == ("call_back", "open", "anna", missed)

    def card_with_the_task() -> card_pb2.ClientCard | None:
        card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ANNA)
        return card if len(card.interactions.open_tasks) == 1 else None

    card = eventually(card_with_the_task, timeout=20, what="the task on the card")
    assert card.interactions.open_tasks[0].id == task.id
    done = interactions.CompleteTask(interactions_pb2.CompleteInteractionTaskRequest(task_id=task.id, note="Перезвонила"),
                                     metadata=ANNA)
    assert (done.status, done.note, done.completed_by) == ("done", "Перезвонила", "anna") and done.completed_at.seconds > 0
    refused(lambda: interactions.CompleteTask(interactions_pb2.CompleteInteractionTaskRequest(task_id=task.id), metadata=ANNA),
            grpc.StatusCode.FAILED_PRECONDITION)
    assert not interactions.ListTasks(interactions_pb2.ListInteractionTasksRequest(partner_id=partner.id), metadata=ANNA).tasks

    removed = interactions.RemoveExtension(interactions_pb2.RemoveExtensionRequest(extension=extension), metadata=ADMIN)
    assert removed.removed and removed.extension == extension
    assert not interactions.RemoveExtension(interactions_pb2.RemoveExtensionRequest(extension=extension), metadata=ADMIN).removed


def test_a_client_never_contacted_is_forgotten_and_stays_its_managers(partners, interactions):
    """Registered and never called: listed (never contacted first) as Anna's, whoever calls."""
    client = register(partners, "Ни разу не звонили", kinds=("client",))
    prospect = register(partners, "Только интерес")
    later = timestamp_pb2.Timestamp()
    later.FromDatetime(datetime.now(UTC) + timedelta(days=3))
    request = interactions_pb2.ForgottenClientsRequest(manager_id="anna", days=2, now=later)

    def listed() -> dict:
        return {c.partner_id: c for c in interactions.ForgottenClients(request, metadata=ANNA).clients}

    found = eventually(lambda: listed().get(client.id), what="the never-contacted client listed")
    assert found.never_contacted and found.manager_id == "anna" and found.partner_name == client.short_name
    assert not found.HasField("last_interaction_at") and found.days_since == 3
    assert prospect.id not in listed()  # a prospect is no client yet
    everyone = interactions.ForgottenClients(interactions_pb2.ForgottenClientsRequest(days=2, now=later), metadata=ANNA)
    assert client.id in {c.partner_id for c in everyone.clients}
    assert client.id not in {c.partner_id for c in interactions.ForgottenClients(
        interactions_pb2.ForgottenClientsRequest(days=2, now=later), metadata=BORIS).clients}
    partners.ArchivePartner(partners_pb2.ArchivePartnerRequest(partner_id=client.id, reason="закрылись"), metadata=ANNA)
    eventually(lambda: client.id not in listed(), what="the archived client no longer listed")


def test_a_manager_of_another_region_names_nothing_hidden_through_the_gateway(partners, deals, interactions):
    """Writes naming another region's partner, its contact or its deal are NOT_FOUND, as for ids
    that do not exist, and write nothing; the owner's own writes go through."""
    annas = partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(
        partner=partners_pb2.Partner(kinds=["client"], legal_form="legal_entity", short_name=f"Скрытый {uuid.uuid4().hex[:6]}",
                                     region="msk", contacts=[partners_pb2.Contact(full_name="Пётр Скрытый")]),
        duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP), metadata=ANNA).partner
    contact = annas.contacts[0].id
    deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Сделка Анны", partner_id=annas.id)),
                          metadata=ANNA)
    his = register(partners, "Борисов", metadata=BORIS)  # msk: out of Boris's regions, but his own
    supplier_deal = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Сделка Бориса", partner_id=his.id)),
                                   metadata=BORIS)
    nobody = str(uuid.uuid4())
    call = {"kind": "call", "direction": "outgoing", "subject_kind": "partner", "subject_id": his.id}
    for interaction in (
        {**call, "subject_id": annas.id},
        {**call, "subject_id": nobody},
        {**call, "subject_kind": "deal", "subject_id": deal.id},
        {**call, "participants": [interactions_pb2.Participant(partner_id=annas.id)]},
        {**call, "participants": [interactions_pb2.Participant(contact_id=contact)]},
    ):
        error = refused(lambda interaction=interaction: interactions.Register(interactions_pb2.RegisterInteractionRequest(
            interaction=interactions_pb2.Interaction(**interaction)), metadata=BORIS), grpc.StatusCode.NOT_FOUND)
        assert "Скрытый" not in error.details()
    for partner_id in (annas.id, nobody):
        refused(lambda partner_id=partner_id: deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(
            title="Чужая", partner_id=partner_id)), metadata=BORIS), grpc.StatusCode.NOT_FOUND)
        refused(lambda partner_id=partner_id: deals.AddSupplierOrder(deals_pb2.AddSupplierOrderRequest(
            deal_id=supplier_deal.id, order=deals_pb2.SupplierOrder(supplier_id=partner_id)), metadata=BORIS),
            grpc.StatusCode.NOT_FOUND)
    # Nothing was written: Boris has no interaction about Anna's client, and his deal no order.
    assert not interactions.ListBySubject(interactions_pb2.ListBySubjectRequest(subject_kind="partner", subject_id=annas.id),
                                          metadata=ANNA).interactions
    assert not deals.GetDeal(deals_pb2.GetDealRequest(deal_id=supplier_deal.id), metadata=BORIS).supplier_orders
    # Honest callers are unaffected: Anna registers a call with her client, its contact and deal.
    done = interactions.Register(interactions_pb2.RegisterInteractionRequest(interaction=interactions_pb2.Interaction(
        **{**call, "subject_id": annas.id, "participants": [interactions_pb2.Participant(partner_id=annas.id, contact_id=contact)]})),
        metadata=ANNA)
    assert done.partner_id == annas.id and done.participants[0].contact_id == contact


@pytest.fixture
def followed_deal(platform_env):
    """``followed_deal(deal_id)``: whether interactions knows the deal open (True), closed
    (False) or not yet (None): deals' events reach it a moment after the deal changed."""
    engine = create_engine(sqlalchemy_url(platform_env["INTERACTIONS_DATABASE_URL"]))

    def state(deal_id: str) -> bool | None:
        with engine.connect() as conn:
            return conn.execute(text("SELECT open FROM followed_deals WHERE deal_id = :d"), {"d": deal_id}).scalar()

    yield state
    engine.dispose()


def client_with_number(partners) -> tuple[partners_pb2.Partner, str]:
    number = f"+7495{uuid.uuid4().int % 9000000 + 1000000}"
    partner = partners.RegisterPartner(partners_pb2.RegisterPartnerRequest(
        partner=partners_pb2.Partner(kinds=["client"], legal_form="legal_entity", short_name=f"Звонит {uuid.uuid4().hex[:6]}",
                                     region="msk", phones=[partners_pb2.Phone(number=number, kind="work")]),
        duplicate_policy=partners_pb2.DUPLICATE_POLICY_SKIP), metadata=ANNA).partner
    return partner, number


def a_call(number: str, kind: str, minutes: int = 0, **fields) -> list[telephony_pb2.CallEvent]:
    """The events of one call from (or, outgoing, to) ``number`` ``minutes`` from now, on an
    extension nobody answers (the client's manager's): answered (``talked``) or ``missed``."""
    call_id, start = f"e2e-{uuid.uuid4()}", datetime.now(MSK) + timedelta(minutes=minutes)
    on_line = {"caller": number, "callee": "101", "extension": "e2e-nobody", **fields}
    if on_line.get("direction") == "outgoing":
        on_line.update(caller="e2e-nobody", callee=number)
    moment = lambda s: (start + timedelta(seconds=s)).isoformat(timespec="seconds")  # noqa: E731
    if kind == "missed":
        return [call_event(call_id, "ringing", occurred_at=moment(0), **on_line),
                call_event(call_id, "missed", occurred_at=moment(20), **on_line)]
    return [call_event(call_id, "ringing", occurred_at=moment(0), **on_line),
            call_event(call_id, "answered", occurred_at=moment(5), **on_line),
            call_event(call_id, "ended", occurred_at=moment(65), duration_s=60, **on_line)]


def test_a_call_from_a_client_with_one_open_deal_shows_in_the_deal_and_on_the_card(
        partners, deals, interactions, telephony, cards, followed_deal):
    partner, number = client_with_number(partners)
    only = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Единственная", partner_id=partner.id)),
                          metadata=ANNA)
    eventually(lambda: followed_deal(only.id), what="interactions to hear of the open deal")
    events = a_call(number, "talked")
    assert all(ack.accepted for ack in telephony.StreamCallEvents(iter(events), metadata=PBX, timeout=20))
    call = call_in_state(interactions, events[0].call_id, "ended")
    assert (call.subject_kind, call.subject_id, call.partner_id) == ("deal", only.id, partner.id)
    in_deal = interactions.ListBySubject(interactions_pb2.ListBySubjectRequest(subject_kind="deal", subject_id=only.id),
                                         metadata=ANNA).interactions
    assert [i.id for i in in_deal] == [call.id]
    card = eventually(lambda: (c := cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ANNA))
                      .interactions.last_interactions and c, what="the call on the card")
    assert [(i.id, i.subject_kind, i.subject_id) for i in card.interactions.last_interactions] == [(call.id, "deal", only.id)]

    other = deals.OpenDeal(deals_pb2.OpenDealRequest(deal=deals_pb2.Deal(title="Вторая", partner_id=partner.id)),
                           metadata=ANNA)
    eventually(lambda: followed_deal(other.id), what="interactions to hear of the second deal")
    events = a_call(number, "talked", minutes=10)
    assert all(ack.accepted for ack in telephony.StreamCallEvents(iter(events), metadata=PBX, timeout=20))
    call = call_in_state(interactions, events[0].call_id, "ended")
    assert (call.subject_kind, call.subject_id) == ("partner", partner.id)  # two open deals: the partner only


def test_repeated_missed_calls_make_one_call_back_task_closed_by_the_answered_call_back(
        partners, interactions, telephony, cards):
    partner, number = client_with_number(partners)
    missed = [a_call(number, "missed", minutes=minutes) for minutes in (-30, -20, -10)]
    for events in missed:
        assert all(ack.accepted for ack in telephony.StreamCallEvents(iter(events), metadata=PBX, timeout=20))
        call_in_state(interactions, events[0].call_id, "missed")
    request = interactions_pb2.ListInteractionTasksRequest(partner_id=partner.id)
    [task] = eventually(lambda: [t for t in interactions.ListTasks(request, metadata=ANNA).tasks if t.missed_count == 3],
                        timeout=20, what="one task counting three missed calls")
    assert (task.call_id, task.assignee_id, task.status) == (missed[0][0].call_id, "anna", "open")
    assert task.last_missed_at.ToDatetime(tzinfo=UTC) == datetime.fromisoformat(missed[2][1].occurred_at)
    card = cards.GetClientCard(card_pb2.GetClientCardRequest(partner_id=partner.id), metadata=ANNA)
    assert [(t.id, t.missed_count) for t in card.interactions.open_tasks] == [(task.id, 3)]

    back = a_call(number, "talked", direction="outgoing")
    assert all(ack.accepted for ack in telephony.StreamCallEvents(iter(back), metadata=PBX, timeout=20))
    eventually(lambda: not interactions.ListTasks(request, metadata=ANNA).tasks, timeout=20, what="the task closed")
    [done] = interactions.ListTasks(interactions_pb2.ListInteractionTasksRequest(partner_id=partner.id, status="done"),
                                    metadata=ANNA).tasks
    assert (done.id, done.closed_by_call_id, done.completed_by, done.missed_count) == (task.id, back[0].call_id, "", 3)
