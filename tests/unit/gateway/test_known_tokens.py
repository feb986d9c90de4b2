"""A token verified once is known again without a second check, until it expires."""

import time

import pytest

from gateway import auth
from gateway.auth import AuthError, TokenVerifier, mint_token

SECRET = "unit-secret-of-at-least-thirty-two-bytes!"


def test_a_known_token_answers_its_actor_until_it_expires(monkeypatch):
    verifier = TokenVerifier(secret=SECRET, leeway_seconds=0)
    token = mint_token(SECRET, "anna", ["manager"], regions=["msk"], ttl_seconds=60)
    first = verifier.verify(token)
    assert verifier.verify(token) is first and first.user_id == "anna" and first.regions == ("msk",)
    now = time.time()
    monkeypatch.setattr(auth.time, "time", lambda: now + 61)
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)


def test_a_bad_token_is_refused_every_time():
    verifier = TokenVerifier(secret=SECRET)
    forged = mint_token("another-secret-of-at-least-thirty-two-bytes", "anna", ["manager"])
    for _ in range(2):
        with pytest.raises(AuthError, match="signature"):
            verifier.verify(forged)
