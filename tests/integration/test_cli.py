"""The `crm` command as an operator meets it: clear one-line failures, tokens, status, parked messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gateway.auth import TokenVerifier
from tests.support.platform import ROOT, free_port

pytestmark = pytest.mark.integration


def crm(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crm_ops.cli", *args],
        cwd=ROOT, env={**os.environ, "COLUMNS": "200", **env}, capture_output=True, text=True, timeout=120,
    )


def test_token_is_accepted_by_the_gateway_verifier():
    secret = "cli-test-secret-of-at-least-thirty-two-bytes"
    result = crm("token", "--user", "anna", "--role", "manager", "--region", "msk", "--department", "north",
                 JWT_SECRET=secret)
    assert result.returncode == 0, result.stderr
    actor = TokenVerifier(secret=secret).verify(result.stdout.strip())
    assert (actor.user_id, actor.roles, actor.regions, actor.department) == ("anna", ("manager",), ("msk",), "north")
    refused = crm("token", "--role", "king")
    assert refused.returncode == 2 and "unknown role" in refused.stderr


def test_unreachable_broker_and_database_are_one_clear_line():
    dead_port = free_port()
    result = crm("topology", AMQP_URI=f"amqp://guest:secret@127.0.0.1:{dead_port}/")
    assert result.returncode == 2
    assert "cannot reach RabbitMQ" in result.stderr and str(dead_port) in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr
    result = crm("migrate", "partners", PARTNERS_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{dead_port}/nowhere")
    assert result.returncode == 2
    assert "cannot reach the partners database" in result.stderr and "PARTNERS_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
    result = crm("status", AMQP_URI="http://example.invalid")
    assert result.returncode == 2 and "AMQP_URI" in result.stderr


def test_status_and_dead_letters_on_the_test_broker(infra):
    declared = crm("topology", AMQP_URI=infra.amqp_uri)
    assert declared.returncode == 0, declared.stderr
    status = crm("status", AMQP_URI=infra.amqp_uri)
    assert status.returncode == 0, status.stderr
    assert "partners" in status.stdout and "deals" in status.stdout
    assert "telephony.calls.interactions" in status.stdout  # the PBX queue's depth and consumers
    listed = crm("dlq", "list", "deals", "--json", AMQP_URI=infra.amqp_uri)
    assert listed.returncode == 0, listed.stderr
    assert all(json.loads(line)["queue"] for line in listed.stdout.splitlines())
    assert crm("dlq", "list", "nonsense", AMQP_URI=infra.amqp_uri).returncode == 2
    replayed = crm("dlq", "replay", "deals", AMQP_URI=infra.amqp_uri)
    assert replayed.returncode == 0 and "replayed" in replayed.stdout
