"""The SMTP connection pool against a real server (aiosmtpd) on loopback with STARTTLS and
AUTH: letters go over TLS with the configured login, a connection is reused for the next
letter, and a wrong password or a server that is not there is an outage, not a failed letter."""

from __future__ import annotations

import ssl

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from services.notifications.domain.delivery import OUTAGE, SENT
from services.notifications.smtp import Letter, SmtpConnections, SmtpSettings
from tests.integration.gateway.test_server import _self_signed
from tests.support.platform import free_port


class Recorder:
    def __init__(self):
        self.letters: list[tuple[tuple, str, bool]] = []  # (peer, login, over TLS)

    async def handle_DATA(self, server, session, envelope):
        self.letters.append((session.peer, session.authenticated and session.auth_data.login, session.ssl is not None))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"crm" and auth_data.password == b"secret"
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    cert, key, _ = _self_signed(tmp_path_factory.mktemp("smtp-tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    recorder = Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    yield controller, recorder, str(cert)
    controller.stop()


def letter(number: int) -> Letter:
    return Letter(f"<m{number}@crm.example>", "buh@romashka.example", None, f"Письмо {number}", "Текст", None)


def test_starttls_and_auth_with_one_connection_reused(tls_server):
    controller, recorder, ca_file = tls_server
    settings = SmtpSettings(host="localhost", port=controller.port, security="starttls", user="crm", password="secret", ca_file=ca_file)
    pool = SmtpConnections(settings)
    try:
        assert [pool.send(letter(n)).result for n in range(3)] == [SENT, SENT, SENT]
    finally:
        pool.close()
    assert len(recorder.letters) == 3
    assert {peer for peer, _, _ in recorder.letters} == {recorder.letters[0][0]}  # one connection for the three
    assert all(login == b"crm" and tls for _, login, tls in recorder.letters)


def test_a_wrong_password_an_untrusted_certificate_or_no_server_is_an_outage(tls_server):
    controller, recorder, ca_file = tls_server
    before = len(recorder.letters)
    wrong = SmtpSettings(host="localhost", port=controller.port, security="starttls", user="crm", password="nope", ca_file=ca_file)
    untrusted = SmtpSettings(host="localhost", port=controller.port, security="starttls", user="crm", password="secret")
    nobody = SmtpSettings(host="127.0.0.1", port=free_port())
    for settings in (wrong, untrusted, nobody):
        outcome = SmtpConnections(settings).send(letter(9))
        assert outcome.result == OUTAGE, outcome
    assert len(recorder.letters) == before
