"""Who may be sent what (subscriptions, the suppression list) and the signed unsubscribe link."""

from __future__ import annotations

import pytest

from crm_kit.trust import internal_key
from services.notifications.domain import consent
from services.notifications.smtp import Letter, SmtpConnections, SmtpSettings
from services.notifications.usecases.sending import unsubscribe_headers

KEY = b"k" * 32


def test_marketing_goes_only_to_subscribed_unsuppressed_addresses():
    assert consent.refusal("news", [], consent.SUBSCRIBED) is None
    assert consent.refusal("news", [], None) == "not subscribed to news"
    assert consent.refusal("news", [], consent.UNSUBSCRIBED) == "not subscribed to news"
    for reason in consent.SUPPRESSION_REASONS:
        assert consent.refusal("news", [reason], consent.SUBSCRIBED) == f"address suppressed: {reason}"


def test_transactional_ignores_the_marketing_opt_out_but_not_a_hard_bounce():
    for reason in (consent.UNSUBSCRIBED, consent.COMPLAINT, consent.MANUAL):
        assert consent.refusal(None, [reason], consent.UNSUBSCRIBED) is None
    assert consent.refusal(None, [consent.UNSUBSCRIBED, consent.HARD_BOUNCE], None) == "address suppressed: hard_bounce"


@pytest.mark.parametrize(
    ("code", "at_rcpt", "hard"),
    [
        (550, True, True),
        (551, True, True),
        (553, True, True),
        (552, True, False),
        (554, True, False),
        (550, False, False),
        (451, True, False),
    ],
)
def test_a_user_unknown_refusal_at_rcpt_is_a_hard_bounce(code, at_rcpt, hard):
    assert consent.is_hard_bounce(code, at_rcpt) is hard


def test_the_token_names_its_address_and_topic_and_cannot_be_forged():
    token = consent.unsubscribe_token(KEY, " Anna@Example.COM ", "news")
    assert consent.read_token(KEY, token) == ("anna@example.com", "news")
    body, signature = token.split(".")
    other_body = consent.unsubscribe_token(KEY, "boss@example.com", "news").split(".")[0]
    for forged in (f"{other_body}.{signature}", f"{body}.{signature[:-2]}AA", "garbage", "", f"{body}."):
        with pytest.raises(consent.BadToken):
            consent.read_token(KEY, forged)
    with pytest.raises(consent.BadToken):
        consent.read_token(b"x" * 32, token)  # another key


def test_a_marketing_letter_carries_one_click_unsubscribe_headers_and_a_transactional_one_none():
    assert unsubscribe_headers("https://crm.example/unsubscribe", "anna@example.com", None) == ()
    headers = dict(unsubscribe_headers("https://crm.example/unsubscribe", "anna@example.com", "news"))
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = headers["List-Unsubscribe"]
    assert link.startswith("<https://crm.example/unsubscribe?token=") and link.endswith(">")
    assert consent.read_token(internal_key(), link[1:-1].split("token=", 1)[1]) == ("anna@example.com", "news")

    letter = Letter("<1@x>", "anna@example.com", None, "Hi", "text", None, tuple(headers.items()))
    email = SmtpConnections(SmtpSettings()).build(letter)
    assert email["List-Unsubscribe"] == link and email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
