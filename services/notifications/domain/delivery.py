"""What happens to a message after a send attempt: sent, tried again later, or failed for good.

An SMTP reply code says it: 2xx accepted; 4xx a temporary refusal (mailbox busy, greylisting:
try again later, up to ``max_attempts``); 5xx a permanent one (no such mailbox: final). When
the server cannot be reached at all the message is not the problem: it stays queued, without
spending an attempt, and waits out the outage (nothing is lost); the sender backs off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SENT, RETRY, FAILED, OUTAGE = "sent", "retry", "failed", "outage"


@dataclass(frozen=True)
class Outcome:
    """What one send attempt came to: ``result`` is one of SENT, RETRY, FAILED, OUTAGE;
    ``at_rcpt``: the server refused the recipient (RCPT TO), not the letter."""

    result: str
    error: str | None = None
    code: int | None = None
    at_rcpt: bool = False


def classify_reply(code: int, text: str) -> Outcome:
    """An outcome from an SMTP reply code and its text."""
    error = f"{code} {text}".strip()
    if 200 <= code < 300:
        return Outcome(SENT, code=code)
    if 400 <= code < 500:
        return Outcome(RETRY, error, code)
    return Outcome(FAILED, error, code)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``base_s`` after the first failure, doubling, at most ``max_s``."""

    base_s: float = 5.0
    max_s: float = 600.0
    max_attempts: int = 8

    def delay(self, attempts: int) -> timedelta:
        """How long to wait before the next attempt after ``attempts`` (>= 1) tries."""
        exponent = max(0, attempts - 1)
        return timedelta(seconds=min(self.max_s, self.base_s * (2 ** min(exponent, 30))))

    def after(self, outcome: Outcome, attempts: int, now: datetime) -> tuple[str, datetime | None]:
        """The message's next status and next attempt time after ``outcome`` of attempt
        number ``attempts`` (an outage spends none: ``attempts`` is what was spent before)."""
        if outcome.result == SENT:
            return "sent", None
        if outcome.result == FAILED:
            return "failed", None
        if outcome.result == RETRY and attempts >= self.max_attempts:
            return "failed", None
        return "queued", now + self.delay(max(1, attempts))
