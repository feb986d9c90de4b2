"""Call events from the PBX through the real broker into the interactions service: one call per
call id whatever the order and however often an event is told, caller matching through the real
partners service (cached, refreshed by its events), call-back tasks, prospects and leads through
the real partners and deals services, malformed events parked."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta

import pika
import pytest
from sqlalchemy import text

from contracts.telephony import EXCHANGE
from crm_kit.dead_letters import iter_parked
from crm_kit.errors import NotFound
from telephony.publisher import CallEventPublisher
from tests.integration.interactions.conftest import ADMIN, ANNA, BORIS
from tests.support.pbx import PbxCall
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def tag() -> str:
    return uuid.uuid4().hex[:8]


def national() -> str:
    return "916" + "".join(random.choice("0123456789") for _ in range(7))


def e164(digits: str) -> str:
    return "+7" + digits


@pytest.fixture
def publish(infra, interactions_service):
    with CallEventPublisher(infra.amqp_uri) as publisher:
        yield publisher.publish_many


def call_of(call, call_id: str, state: str | None = None, timeout: float = 30.0) -> dict:
    def found():
        view = call(ADMIN).interactions.get_call(call_id)
        return view if state is None or view["call_state"] == state else None

    return eventually(found, timeout=timeout, what=f"call {call_id}" + (f" {state}" if state else ""), ignoring=(NotFound,))


def register_partner(call, number: str, actor=ANNA) -> dict:
    payload = {"kinds": ["client"], "legal_form": "legal_entity", "short_name": f"Звонящие {tag()}", "region": "msk",
               "phones": [{"number": number}]}
    return call(actor).partners.register(payload, {"duplicate_policy": "skip"})["partner"]


def test_duplicated_and_reordered_events_make_one_correct_call(call, publish, listener, interactions_db):
    c = PbxCall(e164(national()))
    ringing, answered = c.event("ringing", 0), c.event("answered", 5)
    transferred = c.event("transferred", 30, transferred_to="102")
    ended = c.event("ended", 95, duration_s=90, recording_url="https://pbx.example/r/1.mp3")
    # The end first, everything twice, the ringing last.
    publish([ended, transferred, answered, ended, answered, transferred, ringing, ringing])
    view = call_of(call, c.call_id, "ended")
    assert view["kind"] == "call" and view["status"] == "done" and view["direction"] == "incoming"
    moment = datetime.fromisoformat
    assert moment(view["occurred_at"]) == c.start
    assert moment(view["answered_at"]) == c.start + timedelta(seconds=5)
    assert moment(view["ended_at"]) == c.start + timedelta(seconds=95)
    assert view["duration_s"] == 90 and view["recording_url"] == "https://pbx.example/r/1.mp3"
    assert [t["to"] for t in view["transfers"]] == ["102"]
    assert view["from_number"] == c.external and view["extension"] == "101"
    with interactions_db.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM interactions WHERE call_id = :c"), {"c": c.call_id}).scalar_one()
        applied = conn.execute(text("SELECT count(*) FROM call_events WHERE call_id = :c"), {"c": c.call_id}).scalar_one()
    assert (rows, applied) == (1, 4)
    # The listener hears each event type on a queue of its own: either may be recorded first.
    eventually(lambda: listener.heard("interaction_completed", call_id=c.call_id), what="interaction_completed")
    eventually(lambda: listener.heard("call_registered", call_id=c.call_id), what="call_registered")
    assert len(listener.heard("call_registered", call_id=c.call_id)) == 1
    assert len(listener.heard("interaction_completed", call_id=c.call_id)) == 1


def test_caller_is_matched_in_any_format_and_the_call_is_the_managers(call, publish):
    digits = national()
    partner = register_partner(call, e164(digits))
    c = PbxCall(f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}", extension="199")
    publish([c.event("ringing", 0), c.event("answered", 3), c.event("ended", 63, duration_s=60)])
    view = call_of(call, c.call_id, "ended")
    assert view["match_state"] == "matched" and view["partner_id"] == partner["id"]
    assert (view["subject_kind"], view["subject_id"]) == ("partner", partner["id"])
    assert view["external_number"] == e164(digits)
    external = view["participants"][0]
    assert (external["partner_id"], external["linked_by"]) == (partner["id"], "phone")
    # Nobody answers extension 199: the call is the partner's manager's, and only hers to see.
    assert view["responsible_id"] == "anna"
    assert call(ANNA).interactions.get_call(c.call_id)["id"] == view["id"]
    with pytest.raises(NotFound):
        call(BORIS).interactions.get_call(c.call_id)
    section = call(ANNA).interactions.card_section(partner["id"])
    assert view["id"] in [i["id"] for i in section["last_interactions"]]


def test_a_missed_call_makes_one_call_back_task_for_the_user_at_the_extension(call, publish, listener):
    extension = f"2{random.randrange(1000, 9999)}"
    call(ADMIN).interactions.set_extension(extension, "boris", "spb", "south")
    digits = national()
    partner = register_partner(call, e164(digits), actor=BORIS)
    c = PbxCall(e164(digits), extension=extension)
    missed = c.event("missed", 30)
    publish([missed, c.event("ringing", 0)])
    call_of(call, c.call_id, "missed")
    publish([missed])  # told again, in a later batch
    eventually(lambda: listener.heard("call_missed", call_id=c.call_id), what="call_missed")
    tasks = [t for t in call(BORIS).interactions.list_tasks({})["items"] if t["call_id"] == c.call_id]
    assert len(tasks) == 1
    task = tasks[0]
    assert (task["kind"], task["status"], task["assignee_id"], task["partner_id"]) == ("call_back", "open", "boris", partner["id"])
    assert len(listener.heard("call_missed", call_id=c.call_id)) == 1
    assert listener.heard("call_missed", call_id=c.call_id)[0]["data"]["task_id"] == task["id"]
    view = call(BORIS).interactions.get_call(c.call_id)
    assert (view["responsible_id"], view["status"]) == ("boris", "done")
    assert view["title"].startswith("Missed call from +7 916")
    assert task["id"] in [t["id"] for t in call(BORIS).interactions.card_section(partner["id"])["open_tasks"]]
    with pytest.raises(NotFound):  # not Anna's task
        call(ANNA).interactions.complete_task(task["id"], "called back")
    done = call(BORIS).interactions.complete_task(task["id"], "called back")
    assert (done["status"], done["completed_by"], done["note"]) == ("done", "boris", "called back")
    assert call(BORIS).interactions.card_section(partner["id"])["open_tasks"] == []
    call(ADMIN).interactions.remove_extension(extension)


def test_an_unknown_number_makes_one_prospect_and_one_lead(call, publish, deals_service):
    number = e164(national())
    first, second = PbxCall(number), PbxCall(number)
    second.start += timedelta(minutes=5)
    publish([first.event("ringing", 0), first.event("answered", 2), first.event("ended", 40, duration_s=38)])
    publish([second.event("ringing", 0), second.event("missed", 20)])

    def lead_done():
        leads = [lead for lead in call(ADMIN).interactions.list_call_leads("done") if lead["number"] == number]
        return leads[0] if leads else None

    lead = eventually(lead_done, timeout=45, what="the prospect and lead of an unknown caller")
    assert lead["call_id"] == first.call_id and lead["deal_id"]
    matches = call(ADMIN).partners.find_by_phone(number)["matches"]
    assert [m["partner_id"] for m in matches] == [lead["partner_id"]]
    prospect = call(ADMIN).partners.get(lead["partner_id"])
    assert "prospect" in prospect["kinds"]
    deals = call(ADMIN).deals.list_deals({"partner_id": lead["partner_id"]})["items"]
    assert [d["id"] for d in deals] == [lead["deal_id"]]
    first_view = eventually(lambda: (v := call(ADMIN).interactions.get_call(first.call_id))["partner_id"] and v,
                          what="first call linked")
    second_view = eventually(lambda: (v := call(ADMIN).interactions.get_call(second.call_id))["partner_id"] and v,
                           what="second call linked")
    assert first_view["partner_id"] == second_view["partner_id"] == lead["partner_id"]
    assert first_view["created_deal_id"] == lead["deal_id"] and second_view["created_deal_id"] is None
    # The missed second call's call-back task follows the call to the prospect.
    tasks = call(ADMIN).interactions.list_tasks({"partner_id": lead["partner_id"]})["items"]
    assert [t["call_id"] for t in tasks] == [second.call_id]
    # A third call from the number is the prospect's: no new lead.
    third = PbxCall(number)
    publish([third.event("ringing", 0), third.event("answered", 1), third.event("ended", 9, duration_s=8)])
    assert call_of(call, third.call_id, "ended")["partner_id"] == lead["partner_id"]
    assert len(call(ADMIN).deals.list_deals({"partner_id": lead["partner_id"]})["items"]) == 1


def test_malformed_events_are_parked_and_do_not_block_the_queue(call, publish, infra):
    c = PbxCall(e164(national()))
    bad = c.event("ringing", 0)
    del bad["direction"]
    bad["occurred_at"] = "yesterday"
    connection = pika.BlockingConnection(pika.URLParameters(infra.amqp_uri))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_publish(EXCHANGE, "call.ringing", json.dumps(bad).encode())
    channel.basic_publish(EXCHANGE, "call.ringing", b"{not json")
    connection.close()
    good = PbxCall(e164(national()))
    publish([good.event("ringing", 0)])
    assert call_of(call, good.call_id, "ringing")["status"] == "in_progress"

    def parked():
        found = [m for m in iter_parked(infra.amqp_uri, "interactions", limit=500)
                 if c.call_id in m.body or m.body.startswith("{not json")]
        return found if len(found) >= 2 else None

    messages = eventually(parked, what="both bad events parked")
    errors = " ".join(m.error for m in messages)
    assert "direction" in errors and "occurred_at" in errors and "not JSON" in errors
    assert all(m.queue == "telephony.calls.interactions" for m in messages)
    with pytest.raises(NotFound):
        call(ADMIN).interactions.get_call(c.call_id)


def test_the_caller_cache_is_refreshed_by_partners_events(call, publish):
    number = e164(national())
    before = PbxCall(number, direction="outgoing")  # outgoing: an unknown callee makes no lead
    publish([before.event("ringing", 0), before.event("ended", 10, duration_s=0)])
    assert call_of(call, before.call_id, "ended")["match_state"] == "unknown"
    partner = register_partner(call, number)  # partner_registered drops the cached "nobody"

    def matched_now():
        after = PbxCall(number, direction="outgoing")
        publish([after.event("ringing", 0), after.event("ended", 5, duration_s=0)])
        view = call_of(call, after.call_id, "ended")
        return view if view["match_state"] == "matched" else None

    view = eventually(matched_now, timeout=20, what="a new call matched to the new partner")
    assert view["partner_id"] == partner["id"]


def test_while_partners_is_down_calls_are_matched_from_the_directory_and_leads_wait(call, publish, partners_service, deals_service):
    digits = national()
    partner = register_partner(call, e164(digits))
    stranger = e164(national())
    partners_service.stop()
    try:
        known, unknown = PbxCall("8" + digits), PbxCall(stranger)
        publish([known.event("ringing", 0), known.event("answered", 1), known.event("ended", 30, duration_s=29),
                 unknown.event("ringing", 0), unknown.event("missed", 20)])
        # The whole directory is held by the interactions service, kept current by partners'
        # events: a known caller is matched without asking partners.
        view = call_of(call, known.call_id, "ended", timeout=40)
        assert (view["match_state"], view["partner_id"]) == ("matched", partner["id"])
        assert call_of(call, unknown.call_id, "missed")["match_state"] == "unknown"
        pending = [lead for lead in call(ADMIN).interactions.list_call_leads("pending") if lead["number"] == stranger]
        assert len(pending) == 1  # its prospect waits for partners
    finally:
        partners_service.start()

    def lead_done():
        return [lead for lead in call(ADMIN).interactions.list_call_leads("done") if lead["number"] == stranger]

    eventually(lead_done, timeout=60, what="the prospect made once partners is back")


def test_call_back_tasks_follow_a_partners_merge(call, publish):
    digits = national()
    merged = register_partner(call, e164(digits))
    survivor = register_partner(call, e164(national()))
    c = PbxCall(e164(digits))
    publish([c.event("ringing", 0), c.event("missed", 20)])
    call_of(call, c.call_id, "missed")
    task = eventually(lambda: call(ANNA).interactions.list_tasks({"partner_id": merged["id"]})["items"], what="the task")[0]
    call(ANNA).partners.merge({"survivor_id": survivor["id"], "merged_id": merged["id"]})
    moved = eventually(lambda: call(ANNA).interactions.list_tasks({"partner_id": survivor["id"]})["items"],
                     what="the task to name the survivor")
    assert [t["id"] for t in moved] == [task["id"]]
    assert call(ANNA).interactions.get_call(c.call_id)["partner_id"] == survivor["id"]


def test_a_crash_mid_stream_loses_nothing_and_applies_nothing_twice(call, publish, interactions_service, interactions_db):
    calls = [PbxCall(e164(national()), direction="outgoing") for _ in range(300)]  # outgoing: no prospects
    events = [e for c in calls for e in (c.event("ringing", 0), c.event("answered", 2), c.event("ended", 30, duration_s=28))]
    random.Random(5).shuffle(events)
    ids = [c.call_id for c in calls]

    def stored() -> int:
        with interactions_db.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM call_events WHERE call_id = ANY(:ids)"), {"ids": ids}).scalar_one()

    publish(events[:600])
    eventually(lambda: stored() > 0, what="the first batches stored")
    interactions_service.kill()  # SIGKILL: no goodbye, unacknowledged deliveries go back to the queue
    try:
        publish([*events[600:], *events[:150]])  # the rest, and some told again
    finally:
        interactions_service.start()
    eventually(lambda: stored() == len(events), timeout=60, what="every event stored once")
    with interactions_db.connect() as conn:
        rows = conn.execute(text("SELECT call_id, call_state, duration_s FROM interactions WHERE call_id = ANY(:ids)"),
                            {"ids": ids}).all()
        registered = conn.execute(text(
            "SELECT count(*) FROM outbox WHERE event_type = 'call_registered' AND payload::json->'data'->>'call_id' = ANY(:ids)"),
            {"ids": ids}).scalar_one()
    assert sorted(r.call_id for r in rows) == sorted(ids)
    assert {(r.call_state, r.duration_s) for r in rows} == {("ended", 28)}
    assert registered == len(ids)


def followed_deal(interactions_db, deal_id: str) -> bool:
    with interactions_db.connect() as conn:
        return conn.execute(text("SELECT open FROM followed_deals WHERE deal_id = :d"), {"d": deal_id}).scalar()


def test_a_call_from_a_client_with_one_open_deal_is_linked_to_it(call, publish, deals_service, interactions_db):
    digits = national()
    partner = register_partner(call, e164(digits))
    deals = call(ANNA).deals
    closed = deals.open_deal({"title": "Прошлая", "partner_id": partner["id"], "process_code": "manual", "amount": "10"})
    deals.set_status(closed["id"], {"status": "won"})
    only = deals.open_deal({"title": "Текущая", "partner_id": partner["id"], "amount": "100"})
    eventually(lambda: followed_deal(interactions_db, only["id"]) is True, what="interactions to know the open deal")
    eventually(lambda: followed_deal(interactions_db, closed["id"]) is False, what="interactions to know the won deal")

    c = PbxCall(e164(digits), extension="199")
    publish(c.talked())
    view = call_of(call, c.call_id, "ended")
    assert (view["subject_kind"], view["subject_id"], view["partner_id"]) == ("deal", only["id"], partner["id"])
    assert [i["id"] for i in call(ANNA).interactions.list_by_subject("deal", only["id"])] == [view["id"]]
    section = call(ANNA).interactions.card_section(partner["id"])
    assert (view["id"], "deal", only["id"]) in [(i["id"], i["subject_kind"], i["subject_id"])
                                                for i in section["last_interactions"]]

    second = deals.open_deal({"title": "Ещё одна", "partner_id": partner["id"], "amount": "200"})
    eventually(lambda: followed_deal(interactions_db, second["id"]) is True, what="interactions to know the second deal")
    later = PbxCall(e164(digits), extension="199")
    later.start += timedelta(hours=1)
    publish(later.talked())
    view = call_of(call, later.call_id, "ended")
    assert (view["subject_kind"], view["subject_id"]) == ("partner", partner["id"])  # two open deals: the partner only


def test_repeated_missed_calls_make_one_task_closed_by_an_answered_call_back(call, publish, listener, interactions_db):
    digits = national()
    partner = register_partner(call, e164(digits))

    def followed() -> bool:  # partner_registered heard: where the partner sits is known here
        with interactions_db.connect() as conn:
            return conn.execute(text("SELECT region FROM partner_activity WHERE partner_id = :p"),
                                {"p": partner["id"]}).scalar() == "msk"

    eventually(followed, what="interactions to hear of the partner")
    missed = [PbxCall(e164(digits), extension="199") for _ in range(3)]
    for minutes, c in enumerate(missed):
        c.start += timedelta(minutes=10 * minutes)
    publish(missed[0].missed())
    call_of(call, missed[0].call_id, "missed")
    publish(missed[1].missed() + missed[2].missed())
    call_of(call, missed[2].call_id, "missed")

    [task] = call(ANNA).interactions.list_tasks({"partner_id": partner["id"]})["items"]
    assert (task["missed_count"], task["call_id"], task["assignee_id"]) == (3, missed[0].call_id, "anna")
    assert datetime.fromisoformat(task["last_missed_at"]) == missed[2].start + timedelta(seconds=25)
    # Nobody at extension 199: the partner's manager's, in the partner's region (a head of sales sees it).
    assert task["region"] == "msk"
    eventually(lambda: len(listener.heard("call_missed", call_id=missed[2].call_id)) == 1, what="the third call_missed")
    assert [e["data"]["task_id"] for c in missed for e in listener.heard("call_missed", call_id=c.call_id)] == [task["id"]] * 3
    assert listener.heard("call_missed", call_id=missed[2].call_id)[0]["data"]["missed_count"] == 3

    back = PbxCall(e164(digits), direction="outgoing", extension="199")
    back.start += timedelta(hours=1)
    publish(back.talked())
    call_of(call, back.call_id, "ended")
    assert eventually(lambda: not call(ANNA).interactions.list_tasks({"partner_id": partner["id"]})["items"],
                      what="the task closed by the call back")
    [done] = call(ANNA).interactions.list_tasks({"partner_id": partner["id"], "status": "done"})["items"]
    assert (done["id"], done["closed_by_call_id"], done["completed_by"]) == (task["id"], back.call_id, None)
    [event] = eventually(lambda: listener.heard("task_completed", task_id=task["id"]), what="task_completed")
    assert event["data"]["closed_by_call_id"] == back.call_id and event["data"]["completed_by"] is None
