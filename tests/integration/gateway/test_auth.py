"""Bearer-token verification: what passes, and the reason given for what does not."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from crm_kit.actor import Actor
from gateway.auth import AuthError, TokenVerifier, mint_token

SECRET = "test-secret-of-sufficient-length-for-hs256"


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[bytes, bytes]:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private_pem, public_pem


def test_a_valid_token_gives_the_actor() -> None:
    token = mint_token(SECRET, "u-1", ["manager"], regions=["north", "south"], department="sales", scopes=["cards"])

    actor = TokenVerifier(secret=SECRET).verify(token)

    assert actor == Actor(user_id="u-1", roles=("manager",), regions=("north", "south"), department="sales", scopes=("cards",))


def test_an_rs256_token_is_checked_with_the_public_key(rsa_keys: tuple[bytes, bytes]) -> None:
    private_pem, public_pem = rsa_keys
    token = mint_token(private_pem, "pbx", ["service"], scopes=["calls:write"], algorithm="RS256")

    actor = TokenVerifier(public_key=public_pem).verify(token)

    assert actor.is_service and actor.has_scope("calls:write")


def test_an_expired_token_is_refused() -> None:
    token = mint_token(SECRET, "u-1", ["manager"], ttl_seconds=-60)

    with pytest.raises(AuthError, match="expired"):
        TokenVerifier(secret=SECRET).verify(token)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = mint_token("some-other-secret-of-sufficient-length", "u-1", ["admin"])

    with pytest.raises(AuthError, match="signature"):
        TokenVerifier(secret=SECRET).verify(token)


def test_a_tampered_token_is_refused() -> None:
    header, _claims, signature = mint_token(SECRET, "u-1", ["manager"]).split(".")
    forged_claims = jwt.utils.base64url_encode(b'{"sub":"u-1","roles":["admin"],"exp":9999999999}').decode()

    with pytest.raises(AuthError):
        TokenVerifier(secret=SECRET).verify(f"{header}.{forged_claims}.{signature}")


@pytest.mark.parametrize("token", [None, ""])
def test_a_missing_token_is_refused(token: str | None) -> None:
    with pytest.raises(AuthError, match="missing bearer token"):
        TokenVerifier(secret=SECRET).verify(token)


def test_a_malformed_token_is_refused() -> None:
    with pytest.raises(AuthError, match="malformed"):
        TokenVerifier(secret=SECRET).verify("not-a-jwt")


def test_an_unsigned_token_is_refused() -> None:
    token = jwt.encode(
        {"sub": "u-1", "roles": ["admin"], "exp": int(time.time()) + 60, "iss": "crm", "aud": "crm-gateway"},
        None,
        algorithm="none",
    )

    with pytest.raises(AuthError, match="algorithm"):
        TokenVerifier(secret=SECRET).verify(token)


def test_the_public_key_cannot_be_used_as_an_hmac_secret(rsa_keys: tuple[bytes, bytes]) -> None:
    _private_pem, public_pem = rsa_keys
    claims = {"sub": "u-1", "roles": ["admin"], "exp": int(time.time()) + 60, "iss": "crm", "aud": "crm-gateway"}
    # The classic algorithm-confusion forgery; PyJWT itself refuses to sign with a PEM as HMAC key.
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(claims).encode())
    signature = jwt.utils.base64url_encode(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    token = b".".join((header, payload, signature)).decode()

    with pytest.raises(AuthError, match="algorithm"):
        TokenVerifier(public_key=public_pem).verify(token)


def test_a_token_for_another_audience_is_refused() -> None:
    token = mint_token(SECRET, "u-1", ["manager"], audience="bi-tools")

    with pytest.raises(AuthError, match="audience"):
        TokenVerifier(secret=SECRET).verify(token)


def test_a_token_from_another_issuer_is_refused() -> None:
    token = mint_token(SECRET, "u-1", ["manager"], issuer="someone-else")

    with pytest.raises(AuthError, match="issuer"):
        TokenVerifier(secret=SECRET).verify(token)


def test_a_token_without_expiry_is_refused() -> None:
    token = jwt.encode({"sub": "u-1", "iss": "crm", "aud": "crm-gateway"}, SECRET, algorithm="HS256")

    with pytest.raises(AuthError, match="exp"):
        TokenVerifier(secret=SECRET).verify(token)


def test_roles_must_be_a_list_of_strings() -> None:
    claims = {"sub": "u-1", "roles": [1, 2], "exp": int(time.time()) + 60, "iss": "crm", "aud": "crm-gateway"}
    token = jwt.encode(claims, SECRET, algorithm="HS256")

    with pytest.raises(AuthError, match="roles"):
        TokenVerifier(secret=SECRET).verify(token)


def test_a_verifier_needs_a_key() -> None:
    with pytest.raises(ValueError, match="secret"):
        TokenVerifier()
