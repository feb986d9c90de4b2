"""Use-case tests of the notifications service without broker: SQLite in memory with the
service's own migrations (the shipped kinds and templates included), a unit of work that
records the events it is asked to emit (tests/support/usecases.py), and a stand-in SMTP server."""

from __future__ import annotations

import pytest

from services.notifications.domain.delivery import Outcome
from services.notifications.smtp import Letter, SmtpSettings


@pytest.fixture
def usecase_service() -> str:
    return "notifications"


class FakeSmtp:
    """What the sender needs of smtp.SmtpConnections: settings and ``send``; ``replies`` says
    what the server answers to each address (default: accepted)."""

    def __init__(self):
        self.settings = SmtpSettings(connections=2)
        self.replies: dict[str, Outcome] = {}
        self.letters: list[Letter] = []

    def send(self, letter: Letter) -> Outcome:
        outcome = self.replies.get(letter.to, Outcome("sent", code=250))
        if outcome.result == "sent":
            self.letters.append(letter)
        return outcome


@pytest.fixture
def smtp() -> FakeSmtp:
    return FakeSmtp()
