"""What a send attempt comes to, and who of a client gets a debt notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notifications.domain import audience
from services.notifications.domain.delivery import OUTAGE, RETRY, Outcome, RetryPolicy, classify_reply

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
POLICY = RetryPolicy(base_s=5, max_s=60, max_attempts=3)


def test_reply_codes_say_sent_retry_or_failed():
    assert classify_reply(250, "OK").result == "sent"
    assert classify_reply(451, "try later") == Outcome(RETRY, "451 try later", 451)
    assert classify_reply(550, "no such user").result == "failed"


def test_a_temporary_refusal_is_retried_with_growing_waits_until_the_last_attempt():
    busy = classify_reply(451, "busy")
    assert POLICY.after(busy, 1, NOW) == ("queued", NOW + timedelta(seconds=5))
    assert POLICY.after(busy, 2, NOW) == ("queued", NOW + timedelta(seconds=10))
    assert POLICY.after(busy, 3, NOW) == ("failed", None)
    assert POLICY.delay(20) == timedelta(seconds=60)


def test_a_permanent_refusal_is_final_at_once_and_an_accepted_letter_is_sent():
    assert POLICY.after(classify_reply(550, "no"), 1, NOW) == ("failed", None)
    assert POLICY.after(classify_reply(250, "ok"), 1, NOW) == ("sent", None)


def test_an_outage_never_fails_a_message():
    assert POLICY.after(Outcome(OUTAGE, "unreachable"), 99, NOW)[0] == "queued"


PARTNER = {
    "id": "p1",
    "short_name": "Ромашка",
    "emails": [{"address": "info@r.example", "kind": "personal"}, {"address": "office@r.example", "kind": "work"}],
}
ACCOUNTANT = {
    "id": "c1",
    "full_name": "Мария",
    "roles": ["accountant"],
    "status": "active",
    "emails": [{"address": "m@r.example", "kind": "personal"}, {"address": "buh@r.example", "kind": "billing"}],
}


def test_a_debt_notice_goes_to_the_billing_email_then_the_accountants_then_the_main_email():
    billing = {**PARTNER, "emails": [*PARTNER["emails"], {"address": "pay@r.example", "kind": "billing"}]}
    assert [(r.key, r.address) for r in audience.client_billing(billing, [ACCOUNTANT])] == [("partner:p1", "pay@r.example")]
    assert [(r.key, r.address, r.name) for r in audience.client_billing(PARTNER, [ACCOUNTANT])] == [
        ("contact:c1", "buh@r.example", "Мария")
    ]
    left = {**ACCOUNTANT, "status": "left"}
    director = {**ACCOUNTANT, "id": "c2", "roles": ["director"]}
    assert [(r.key, r.address) for r in audience.client_billing(PARTNER, [left, director])] == [("partner:p1", "office@r.example")]
    assert [(r.key, r.address) for r in audience.client_billing({**PARTNER, "emails": []}, [])] == [("partner:p1", None)]
