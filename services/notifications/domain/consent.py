"""Consent: who may be sent what, and the signed unsubscribe link.

- A **subscription** is an address's consent to a marketing topic (``news``, ``offers``...):
  when, how (``source``: a web form, a call, paper, an import...) and by whom it was given; an
  unsubscribe keeps the row, marked ``unsubscribed`` with when and how.
- The **suppression list** holds addresses not to write to, each with a reason and a time:
  ``unsubscribed`` (from all marketing), ``hard_bounce`` (the server said the mailbox does not
  exist), ``complaint`` (marked as spam), ``manual`` (an administrator's decision).

:func:`refusal` is the rule: a marketing message (one with a ``topic``) goes only to an address
subscribed to its topic and on no suppression list; a transactional one (a debt notice, a
reminder: no topic) ignores the marketing opt-out but not a hard bounce.

The unsubscribe token is HMAC-SHA256, under a key derived from the service's key (the
platform's internal key), over the address and the topic: whoever holds the link may
unsubscribe that address from that topic and nothing else, and nobody can make one up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable

SUBSCRIBED, UNSUBSCRIBED = "subscribed", "unsubscribed"
HARD_BOUNCE, COMPLAINT, MANUAL = "hard_bounce", "complaint", "manual"
SUPPRESSION_REASONS = (UNSUBSCRIBED, HARD_BOUNCE, COMPLAINT, MANUAL)
# Reasons that stop transactional letters too: the mailbox does not exist.
STOPS_TRANSACTIONAL = frozenset({HARD_BOUNCE})
CONSENT_SOURCES = ("web_form", "phone", "paper", "email", "import", "in_person", "api")
# RCPT refusals that say the mailbox does not exist (RFC 5321 4.2.3): a hard bounce.
USER_UNKNOWN_CODES = frozenset({550, 551, 553})
_TOKEN_PURPOSE = b"notifications/unsubscribe/v1"


def normalized(address: str) -> str:
    """The form an address is kept and compared in (trimmed, lower case)."""
    return address.strip().lower()


def refusal(topic: str | None, suppressions: Iterable[str], subscription_status: str | None) -> str | None:
    """Why a message may not go to an address (None: it may). ``topic`` is the message's
    marketing topic (None: transactional), ``suppressions`` the reasons the address is
    suppressed for, ``subscription_status`` its subscription to ``topic`` (None: none)."""
    reasons = sorted(set(suppressions))
    if topic is None:
        stopping = [reason for reason in reasons if reason in STOPS_TRANSACTIONAL]
        return f"address suppressed: {stopping[0]}" if stopping else None
    if reasons:
        return f"address suppressed: {reasons[0]}"
    if subscription_status != SUBSCRIBED:
        return f"not subscribed to {topic}"
    return None


def is_hard_bounce(code: int | None, at_rcpt: bool) -> bool:
    """Whether an SMTP refusal says the mailbox does not exist (550/551/553 to RCPT TO)."""
    return at_rcpt and code in USER_UNKNOWN_CODES


def _token_key(service_key: bytes) -> bytes:
    return hmac.new(service_key, _TOKEN_PURPOSE, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsubscribe_token(service_key: bytes, address: str, topic: str) -> str:
    """The token of the unsubscribe link of ``address`` from ``topic``."""
    payload = f"{normalized(address)}\n{topic}".encode()
    signature = hmac.new(_token_key(service_key), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


class BadToken(ValueError):
    """A token that was not made by :func:`unsubscribe_token` with this key."""


def read_token(service_key: bytes, token: str) -> tuple[str, str]:
    """The ``(address, topic)`` a token unsubscribes; :class:`BadToken` when it is not genuine."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 2000:
        raise BadToken("not an unsubscribe token")
    body, signature = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(signature)
    except (binascii.Error, ValueError) as exc:
        raise BadToken("not an unsubscribe token") from exc
    expected = hmac.new(_token_key(service_key), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        raise BadToken("the token's signature does not match")
    try:
        address, topic = payload.decode().split("\n")
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadToken("not an unsubscribe token") from exc
    return address, topic
