"""A call folded from its PBX events: the same call whatever the order or repetition."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta, timezone

from contracts import partners as partner_events
from services.interactions.caller_directory import PhoneCache
from services.interactions.domain import calls

MSK = timezone(timedelta(hours=3))
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=MSK)


def event(kind: str, after_s: int, **extra) -> tuple[dict, datetime]:
    body = {"call_id": "c1", "event_id": f"c1:{kind}:{after_s}", "kind": kind, "direction": "incoming",
            "caller": "+74951234567", "callee": "+74951500000", "extension": "101", **extra}
    return body, T0 + timedelta(seconds=after_s)


def fold(events):
    call = None
    for body, at in events:
        call = calls.start(body, at) if call is None else calls.apply(call, body, at)
    return call


ANSWERED_CALL = [
    event("ringing", 0), event("answered", 5), event("transferred", 20, transferred_to="102"),
    event("ended", 80, duration_s=75, recording_url="https://pbx.example/r.mp3"),
]


def test_every_order_and_repetition_gives_the_same_call():
    expected = fold(ANSWERED_CALL)
    assert expected.state == calls.ENDED and expected.finished
    assert (expected.started_at, expected.answered_at, expected.ended_at) == (
        T0, T0 + timedelta(seconds=5), T0 + timedelta(seconds=80))
    assert expected.duration_s == 75 and expected.recording_url == "https://pbx.example/r.mp3"
    assert expected.current_extension == "102" and expected.extension == "101"
    for order in itertools.permutations(ANSWERED_CALL):
        assert fold(order) == expected
        assert fold([*order, *order[:2]]) == expected  # duplicates change nothing


def test_states_as_events_arrive():
    assert fold([event("ringing", 0)]).state == calls.RINGING
    assert fold([event("answered", 3)]).state == calls.ANSWERED
    assert not fold([event("answered", 3)]).finished
    missed = fold([event("missed", 30), event("ringing", 0)])
    assert missed.state == calls.MISSED and missed.ended_at == T0 + timedelta(seconds=30)
    assert calls.needs_call_back(missed)


def test_an_earlier_event_tells_who_called():
    late, _ = event("ended", 60, duration_s=10)
    early, at = event("ringing", 0)
    early = {**early, "extension": "100"}
    call = fold([(late, T0 + timedelta(seconds=60)), (early, at)])
    assert call.extension == "100" and call.started_at == T0


def test_outgoing_and_missed_outgoing_make_no_call_back_and_no_lead():
    body, at = event("missed", 10)
    outgoing = calls.start({**body, "direction": "outgoing", "caller": "101", "callee": "+74951234567"}, at)
    assert outgoing.external == "+74951234567"
    assert not calls.needs_call_back(outgoing)
    assert not calls.makes_lead(outgoing, calls.UNKNOWN)
    incoming = fold([event("ringing", 0)])
    assert calls.makes_lead(incoming, calls.UNKNOWN) and not calls.makes_lead(incoming, calls.MATCHED)


P1, P2, P3 = (str(uuid.UUID(int=n)) for n in (1, 2, 3))
C1 = str(uuid.UUID(int=11))


def partners_event(contract, **data) -> dict:
    """A partners event as it travels: its contract's example with ``data`` over it."""
    data = {**contract.example, **data}
    contract.check(data)
    return {"event_id": str(uuid.uuid4()), "event_type": contract.name, "version": contract.version,
            "occurred_at": "2026-11-23T10:00:00+00:00", "source": "partners",
            "actor": {"user_id": "anna", "roles": ["manager"], "regions": [], "department": None},
            "subject": contract.subject_of(data), "data": data}


def partner(partner_id: str, name: str, manager_id: str, phones: list[str], contacts=(), status: str = "active") -> dict:
    """A partner view (contracts.partners.PartnerView) with these numbers and contacts."""
    return {**partner_events.PARTNER, "id": partner_id, "short_name": name, "manager_id": manager_id, "status": status,
            "phones": [{"number": n, "kind": "work", "extension": None} for n in phones], "contacts": list(contacts)}


def contact(contact_id: str, partner_id: str, name: str, phones: list[str]) -> dict:
    return {**partner_events.CONTACT, "id": contact_id, "partner_id": partner_id, "full_name": name,
            "phones": [{"number": n, "kind": "work", "extension": None} for n in phones]}


def about(partner_id: str, manager_id: str) -> dict:
    return {"partner_id": partner_id, "manager_id": manager_id}


def test_phone_cache_expires_and_forgets_by_number_and_partner():
    now = [0.0]
    cache = PhoneCache(ttl_s=10, clock=lambda: now[0])
    match = [{"partner_id": P1, "manager_id": "anna"}]
    cache.put({"+74951234567": match, "+74950000000": []}, cache.generation)
    assert cache.get_many(["+74951234567", "+74950000000", "+79990000000"]) == (
        {"+74951234567": match, "+74950000000": []}, ["+79990000000"])
    cache.forget(partner_ids=[P1])
    assert cache.get_many(["+74951234567"])[1] == ["+74951234567"]
    registered = partner_events.PARTNER_REGISTERED
    cache.forget_for_event(partners_event(registered, **about(P2, "anna"), partner=partner(P2, "Ромашка", "anna", ["8 (495) 000-00-00"])),
                           lambda n: "+74950000000" if "000-00-00" in n else None)
    assert cache.get_many(["+74950000000"])[1] == ["+74950000000"]
    cache.put({"+74951111111": []}, cache.generation)
    now[0] = 11
    assert cache.get_many(["+74951111111"])[1] == ["+74951111111"]


def test_an_event_against_its_contract_drops_every_cached_answer():
    cache = PhoneCache(ttl_s=60)
    cache.put({"+74951234567": [{"partner_id": P1, "manager_id": "anna"}]}, cache.generation)
    broken = partners_event(partner_events.CONTACT_REMOVED, **about(P1, "anna"), contact_id=C1)
    broken["data"]["contact_id"] = "not an id"
    cache.forget_for_event(broken, key_of)
    assert len(cache) == 0


def test_an_answer_fetched_across_an_invalidation_is_not_kept():
    cache = PhoneCache(ttl_s=60)
    generation = cache.generation
    cache.forget(numbers=["+74951234567"])  # an event arrives while find_by_phones is in flight
    cache.put({"+74951234567": []}, generation)
    assert len(cache) == 0


def key_of(number):
    return number if number and number.startswith("+") else None


def test_the_whole_directory_answers_without_asking_and_follows_partners_events():
    cache = PhoneCache(ttl_s=60)
    page = [{"number": "+74951234567", "partner_id": P1, "partner_name": "Лютик", "contact_id": None,
             "contact_name": None, "manager_id": "anna"}]
    assert cache.load([page], key_of) == 1 and cache.complete
    found, missing = cache.get_many(["+74951234567", "+79990000000"])
    assert missing == [] and found["+79990000000"] == [] and found["+74951234567"][0]["partner_id"] == P1

    view = partner(P2, "Ромашка", "boris", ["+79990000000", "+79161112233"],
                   contacts=[contact(C1, P2, "Иван", ["+79161112233"])])
    cache.forget_for_event(partners_event(partner_events.PARTNER_REGISTERED, **about(P2, "boris"), partner=view), key_of)
    assert cache.complete
    assert cache.get_many(["+79990000000"])[0]["+79990000000"] == [
        {"partner_id": P2, "contact_id": None, "contact_name": None, "partner_name": "Ромашка", "manager_id": "boris"}]
    assert [m["contact_id"] for m in cache.get_many(["+79161112233"])[0]["+79161112233"]] == [C1]

    cache.forget_for_event(partners_event(partner_events.PARTNER_REASSIGNED, **about(P2, "vera")), key_of)
    assert cache.get_many(["+79990000000"])[0]["+79990000000"][0]["manager_id"] == "vera"
    cache.forget_for_event(partners_event(partner_events.CONTACT_REMOVED, **about(P2, "vera"), contact_id=C1), key_of)
    assert cache.get_many(["+79161112233"])[0]["+79161112233"] == []
    archived = {**view, "status": "archived"}
    cache.forget_for_event(partners_event(partner_events.PARTNER_UPDATED, **about(P2, "vera"), partner=archived), key_of)
    assert cache.get_many(["+79990000000"])[0]["+79990000000"] == []
    back = {**view, "contacts": [], "manager_id": "vera"}
    cache.forget_for_event(partners_event(partner_events.PARTNER_UNARCHIVED, **about(P2, "vera"), reason=None, partner=back), key_of)
    assert cache.get_many(["+79990000000"])[0]["+79990000000"][0]["partner_id"] == P2
    cache.forget_for_event(partners_event(partner_events.PARTNER_ARCHIVED, **about(P2, "vera"), reason="закрылась",
                                          partner={**back, "status": "archived"}), key_of)
    assert cache.get_many(["+79990000000"])[0]["+79990000000"] == [] and cache.complete

    # Something it cannot apply exactly: back to asking per number, and a reload is wanted.
    merged = partners_event(partner_events.PARTNERS_MERGED, **about(P1, "anna"), survivor_id=P1, merged_id=P2,
                            partner=partner(P1, "Лютик", "anna", ["+74951234567"]))
    cache.forget_for_event(merged, key_of)
    assert not cache.complete and cache.reload_wanted
    assert cache.get_many(["+74951234567"])[1] == ["+74951234567"]


def test_events_during_a_load_are_applied_after_it():
    cache = PhoneCache(ttl_s=60)
    view = partner(P3, "Астра", "anna", ["+74957654321"])

    def pages():
        yield []
        cache.forget_for_event(partners_event(partner_events.PARTNER_REGISTERED, **about(P3, "anna"), partner=view),
                               key_of)  # arrives mid-load
        yield []

    cache.load(pages(), key_of)
    assert cache.get_many(["+74957654321"])[0]["+74957654321"][0]["partner_id"] == P3


def test_follow_ups_wait_while_the_consumer_is_flooded_but_not_forever():
    from services.interactions.usecases.flood import Flood

    now = [0.0]
    flood = Flood(calm_s=5, max_defer_s=60, clock=lambda: now[0])
    assert not flood.defer_follow_ups()
    flood.batch(999, 1000)
    assert not flood.defer_follow_ups()  # a batch not full is no flood
    flood.batch(1000, 1000)
    now[0] = 2
    assert flood.defer_follow_ups()
    for moment in range(3, 62):  # full batches all the time
        now[0] = moment
        flood.batch(1000, 1000)
        if moment < 62 - 1:
            assert flood.defer_follow_ups() == (moment - 2 < 60)
    now[0] = 62
    flood.batch(1000, 1000)
    assert not flood.defer_follow_ups()  # a minute deferred: one round now
    now[0] = 63
    assert flood.defer_follow_ups()
    now[0] = 70
    assert not flood.defer_follow_ups()  # calm again


def test_the_extension_is_that_of_the_earliest_event_naming_one():
    ringing, t0 = event("ringing", 0)
    ringing = {**ringing, "extension": None}
    answered, t1 = event("answered", 3)
    ended, t2 = event("ended", 60, duration_s=57)
    ended = {**ended, "extension": "105"}
    told = [(ringing, t0), (answered, t1), (ended, t2)]
    for order in itertools.permutations(told):
        call = fold(order)
        assert (call.extension, call.extension_at) == ("101", t1), order


def test_matching_asks_partners_in_chunks_and_leaves_numbers_pending_when_it_fails():
    from services.interactions.usecases.caller_matching import FIND_BY_PHONES_MAX, match_numbers

    asked = []

    class Partners:
        def find_by_phones(self, numbers):
            asked.append(len(numbers))
            if len(asked) == 2:
                raise RuntimeError("partners answered with an error")
            return {"results": {n: {"number": n, "matches": []} for n in numbers}, "invalid": []}

    keys = {f"+7495{i:07d}" for i in range(FIND_BY_PHONES_MAX + 20)}
    found = match_numbers(PhoneCache(ttl_s=60), Partners(), keys)
    assert asked == [FIND_BY_PHONES_MAX, 20]
    assert sum(1 for v in found.values() if v == []) == FIND_BY_PHONES_MAX  # answered: nobody's
    assert sum(1 for v in found.values() if v is None) == 20  # not answered: pending, matched later
