"""Email over SMTP: the settings, and a pool of reused connections to the SMTP server.

smtplib over eventlet's green sockets (the service process is monkey-patched): a send waiting on
the server yields to the hub, and up to ``NOTIFICATIONS_SMTP_CONNECTIONS`` letters go out in
parallel, each on a connection of its own, kept open between sends (and ticks) and replaced
when the server has dropped it. (aiosmtplib would need an asyncio event loop, which eventlet's
hub does not run in a nameko worker; blocking smtplib on green sockets is what cooperates.)

Settings (environment): ``NOTIFICATIONS_SMTP_HOST`` (127.0.0.1), ``NOTIFICATIONS_SMTP_PORT``
(8025, the local server of ``make run``), ``NOTIFICATIONS_SMTP_SECURITY`` (``none`` |
``starttls`` | ``ssl``), ``NOTIFICATIONS_SMTP_USER`` / ``NOTIFICATIONS_SMTP_PASSWORD`` (AUTH
when a user is set), ``NOTIFICATIONS_SMTP_FROM``, ``NOTIFICATIONS_SMTP_TIMEOUT_S`` (10),
``NOTIFICATIONS_SMTP_CONNECTIONS`` (4), ``NOTIFICATIONS_SMTP_CA_FILE`` (the CA that signed the
server's certificate, when not a public one), ``NOTIFICATIONS_UNSUBSCRIBE_URL`` (the page a
marketing letter's ``List-Unsubscribe`` link points at, its token appended as ``?token=``; HTTPS
in production, as RFC 8058 requires).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

import eventlet.queue
from nameko.extensions import DependencyProvider

from crm_kit.clock import utcnow
from crm_kit.config import ConfigError, env, env_float, env_int
from services.notifications.domain.delivery import OUTAGE, RETRY, SENT, Outcome, classify_reply

log = logging.getLogger(__name__)

SECURITY = ("none", "starttls", "ssl")
# A pooled connection idle longer than this is checked with NOOP before a letter goes on it.
IDLE_CHECK_S = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 8025
    security: str = "none"
    user: str | None = None
    password: str | None = None
    sender: str = "CRM <crm@localhost>"
    timeout_s: float = 10.0
    connections: int = 4
    ca_file: str | None = None
    unsubscribe_url: str = "http://127.0.0.1:8080/unsubscribe"

    @classmethod
    def from_env(cls) -> SmtpSettings:
        security = (env("NOTIFICATIONS_SMTP_SECURITY", "none") or "none").lower()
        if security not in SECURITY:
            raise ConfigError(f"NOTIFICATIONS_SMTP_SECURITY={security!r} must be one of {', '.join(SECURITY)}")
        sender = env("NOTIFICATIONS_SMTP_FROM", cls.sender)
        if "@" not in parseaddr(sender)[1]:
            raise ConfigError(f"NOTIFICATIONS_SMTP_FROM={sender!r} is not an email address")
        return cls(
            host=env("NOTIFICATIONS_SMTP_HOST", cls.host),
            port=env_int("NOTIFICATIONS_SMTP_PORT", cls.port, minimum=1, maximum=65535),
            security=security,
            user=env("NOTIFICATIONS_SMTP_USER"),
            password=env("NOTIFICATIONS_SMTP_PASSWORD"),
            sender=sender,
            timeout_s=env_float("NOTIFICATIONS_SMTP_TIMEOUT_S", cls.timeout_s, minimum=0.1),
            connections=env_int("NOTIFICATIONS_SMTP_CONNECTIONS", cls.connections, minimum=1, maximum=100),
            ca_file=env("NOTIFICATIONS_SMTP_CA_FILE"),
            unsubscribe_url=env("NOTIFICATIONS_UNSUBSCRIBE_URL", cls.unsubscribe_url),
        )

    def tls_context(self) -> ssl.SSLContext:
        """The server's certificate is verified, against ``ca_file`` when set (a private relay)."""
        return ssl.create_default_context(cafile=self.ca_file)

    @property
    def domain(self) -> str:
        return parseaddr(self.sender)[1].rsplit("@", 1)[-1]


@dataclass(frozen=True)
class Letter:
    """One email to send: ``message_id`` (the Message-ID header, stable across attempts, so a
    letter sent twice after a crash is recognisably one)."""

    message_id: str
    to: str
    to_name: str | None
    subject: str
    text: str
    html: str | None
    headers: tuple[tuple[str, str], ...] = ()


class SmtpConnections:
    """The pool: ``send(letter)`` answers an :class:`Outcome` and never raises for the
    server's sake."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._idle: eventlet.queue.LightQueue = eventlet.queue.LightQueue()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=s.tls_context())
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        try:
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=s.tls_context())
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password or "")
        except BaseException:
            _close(conn)
            raise
        return conn

    def _take(self) -> tuple[smtplib.SMTP, bool]:
        """An idle connection (and True: it was reused) or a new one."""
        while True:
            try:
                conn, since = self._idle.get_nowait()
            except eventlet.queue.Empty:
                return self._connect(), False
            if time.monotonic() - since < IDLE_CHECK_S:
                return conn, True
            try:
                if conn.noop()[0] == 250:
                    return conn, True
            except (smtplib.SMTPException, OSError):
                pass
            _close(conn)

    def _give_back(self, conn: smtplib.SMTP) -> None:
        if self._idle.qsize() < self.settings.connections:
            self._idle.put((conn, time.monotonic()))
        else:
            _close(conn)

    def build(self, letter: Letter) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = formataddr((letter.to_name or "", letter.to))
        email["Subject"] = letter.subject
        email["Message-ID"] = letter.message_id
        email["Date"] = format_datetime(utcnow())
        for name, value in letter.headers:
            email[name] = value
        email.set_content(letter.text)
        if letter.html:
            email.add_alternative(letter.html, subtype="html")
        return email

    def send(self, letter: Letter) -> Outcome:
        email = self.build(letter)
        for _ in range(2):  # a reused connection the server dropped meanwhile: once more on a new one
            try:
                conn, reused = self._take()
            except smtplib.SMTPResponseException as exc:
                return Outcome(OUTAGE, f"SMTP server refused the connection: {exc.smtp_code} {_text(exc.smtp_error)}")
            except (smtplib.SMTPException, OSError) as exc:
                return Outcome(OUTAGE, f"SMTP server unreachable at {self.settings.host}:{self.settings.port}: {exc}")
            try:
                conn.send_message(email, from_addr=parseaddr(self.settings.sender)[1], to_addrs=[letter.to])
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                self._give_back(conn)
                return replace(classify_reply(code, _text(text)), at_rcpt=True)
            except smtplib.SMTPResponseException as exc:
                self._reset_or_close(conn)
                if exc.smtp_code == 421:  # the server is closing the channel: an outage, not the letter
                    return Outcome(OUTAGE, f"421 {_text(exc.smtp_error)}")
                return classify_reply(exc.smtp_code, _text(exc.smtp_error))
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                _close(conn)
                if reused:  # the server dropped it: likely the other idle ones too, so once more on a new one
                    self.close()
                    continue
                return Outcome(OUTAGE, f"SMTP connection lost: {exc}")
            except smtplib.SMTPException as exc:
                _close(conn)
                return Outcome(RETRY, f"SMTP: {exc}")
            self._give_back(conn)
            return Outcome(SENT, code=250)
        return Outcome(OUTAGE, "SMTP connection lost twice")

    def _reset_or_close(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
            self._give_back(conn)
        except (smtplib.SMTPException, OSError):
            _close(conn)

    def close(self) -> None:
        while True:
            try:
                conn, _ = self._idle.get_nowait()
            except eventlet.queue.Empty:
                return
            _close(conn)


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        try:
            conn.close()
        except OSError:
            pass


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class Mailer(DependencyProvider):
    """The service's SMTP connections (:class:`SmtpConnections`), settings read at start-up."""

    def setup(self) -> None:
        self.connections = SmtpConnections(SmtpSettings.from_env())

    def stop(self) -> None:
        self.connections.close()

    kill = stop

    def get_dependency(self, worker_ctx) -> SmtpConnections:
        return self.connections
