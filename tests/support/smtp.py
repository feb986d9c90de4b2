"""A real SMTP server on loopback for tests (aiosmtpd in a thread of the test process): it
records every letter it accepts, refuses for good (550) a recipient whose address starts with
``reject``, for now (451) one that starts with ``busy``, and can be stopped and started again on
its port to play an outage."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.platform import free_port


class RecordingHandler:
    def __init__(self):
        self.letters: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("busy"):
            return "451 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        letter = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.letters.append(letter)
        return "250 Message accepted for delivery"


class SmtpServer:
    """``letters_to(address)``: the letters accepted for ``address``; ``stop()``/``start()``."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def letters_to(self, address: str) -> list[EmailMessage]:
        with self.handler._lock:
            return [letter for letter in self.handler.letters if address in str(letter["To"])]
