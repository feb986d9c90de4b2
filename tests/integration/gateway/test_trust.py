"""The gateway's side of the trust behind it (crm_kit.trust): it refuses to start without an
internal key outside development, and maps what a service refuses."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import grpc
import pytest

from crm_kit.errors import DeadlineExceeded, Unauthenticated
from crm_kit.trust import DEV_INTERNAL_KEY
from gateway.config import ConfigError, load_internal_key
from gateway.errors import INTERNAL_MESSAGE, status_for
from tests.support.platform import ROOT


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "CRM_INTERNAL_KEY (at least 32 random bytes"),
        ({"CRM_ENVIRONMENT": "production"}, "is required"),
        ({"CRM_INTERNAL_KEY": DEV_INTERNAL_KEY}, "the development key printed in the repository"),
        ({"CRM_INTERNAL_KEY": "short-key"}, "CRM_INTERNAL_KEY is 9 bytes"),
    ],
)
def test_outside_development_a_real_internal_key_is_required(env: dict, says: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_internal_key(env)
    assert load_internal_key({"CRM_INTERNAL_KEY": "k" * 32}) == b"k" * 32
    assert load_internal_key({"CRM_ENVIRONMENT": "development"}) == DEV_INTERNAL_KEY.encode()


def test_the_gateway_refuses_to_start_without_an_internal_key() -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("CRM_INTERNAL_KEY", "CRM_ENVIRONMENT")}
    started = subprocess.run(
        [sys.executable, "-m", "gateway"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "JWT_SECRET": "s" * 32, "GATEWAY_PORT": "1"},
    )
    assert started.returncode == 2
    assert "CRM_INTERNAL_KEY" in started.stderr and "Traceback" not in started.stderr


def test_a_service_refusing_the_gateway_s_signature_is_internal_and_a_passed_deadline_is_deadline_exceeded() -> None:
    refused = status_for(Unauthenticated("the call's actor signature does not match", {}))
    assert (refused.code, refused.message) == (grpc.StatusCode.INTERNAL.value[0], INTERNAL_MESSAGE)
    late = status_for(DeadlineExceeded("the call's deadline passed before it started; nothing was done", {}))
    assert late.code == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
