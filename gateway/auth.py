"""Bearer tokens: verifying the JWTs callers send, and minting them for development.

A token carries ``sub`` (the user id), ``roles``, ``regions``, ``department`` and ``scopes``
(machine callers such as the PBX adapter or a BI tool get the ``service`` role and the scopes
they may use), plus ``exp``, ``iat``, ``iss`` and ``aud``. It is signed HS256 with a shared
secret or RS256 with a private key whose public half the gateway holds; a verifier given both
keys accepts both algorithms, each with its own key only.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import jwt

from crm_kit.actor import Actor

DEFAULT_ISSUER = "crm"
DEFAULT_AUDIENCE = "crm-gateway"
REQUIRED_CLAIMS = ("sub", "exp")


class AuthError(Exception):
    """The caller is not authenticated: no token, or one that cannot be trusted."""


class TokenVerifier:
    """Turns a bearer token into the :class:`Actor` it vouches for, or raises :class:`AuthError`."""

    KNOWN_TOKENS = 10_000  # verified tokens kept (least recently used dropped first)

    def __init__(
        self,
        secret: str | bytes | None = None,
        public_key: str | bytes | None = None,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
        leeway_seconds: float = 10.0,
    ):
        if not secret and not public_key:
            raise ValueError("TokenVerifier needs a secret (HS256) or a public key (RS256)")
        self._keys: dict[str, Any] = {}
        if secret:
            self._keys["HS256"] = secret
        if public_key:
            self._keys["RS256"] = public_key
        self.issuer = issuer
        self.audience = audience
        self.leeway_seconds = leeway_seconds
        self._verified: OrderedDict[str, tuple[Actor, float]] = OrderedDict()

    def verify(self, token: str | None) -> Actor:
        """The actor ``token`` identifies. Raises :class:`AuthError` saying what is wrong.

        A token verified once is known again until it expires (a client sends the same token
        with every call; checking its signature and claims each time was a twentieth of a
        client card's gateway time). Only expiry can make a verified token invalid: the
        signature, issuer and audience do not change, and ``nbf``/``iat`` only become valid."""
        if not token:
            raise AuthError("missing bearer token: send metadata 'authorization: Bearer <jwt>'")
        known = self._verified.get(token)
        if known is not None:
            actor, valid_until = known
            if time.time() < valid_until:
                self._verified.move_to_end(token)
                return actor
            del self._verified[token]
            raise AuthError("token expired")
        actor, expires = self._verify(token)
        self._verified[token] = (actor, expires + self.leeway_seconds)
        if len(self._verified) > self.KNOWN_TOKENS:
            self._verified.popitem(last=False)
        return actor

    def _verify(self, token: str) -> tuple[Actor, float]:
        """The actor and the expiry (``exp``) of a token not verified before."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.DecodeError:
            raise AuthError("malformed bearer token") from None
        key = self._keys.get(algorithm)
        if key is None:
            raise AuthError(f"token algorithm {algorithm!r} is not accepted (accepted: {', '.join(self._keys)})")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("token expired") from None
        except jwt.InvalidSignatureError:
            raise AuthError("token signature is invalid") from None
        except jwt.InvalidAudienceError:
            raise AuthError(f"token is not meant for this gateway (audience must be {self.audience!r})") from None
        except jwt.InvalidIssuerError:
            raise AuthError(f"token issuer is not trusted (issuer must be {self.issuer!r})") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthError(f"token lacks the {exc.claim!r} claim") from None
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        return actor_from_claims(claims), float(claims["exp"])


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    """The actor a verified set of claims describes."""
    user_id = claims.get("sub")
    if not isinstance(user_id, str) or not user_id:
        raise AuthError("token 'sub' claim must be a non-empty string")
    return Actor(
        user_id=user_id,
        roles=_strings(claims, "roles"),
        regions=_strings(claims, "regions"),
        department=claims.get("department") or None,
        scopes=_strings(claims, "scopes"),
    )


def _strings(claims: dict[str, Any], name: str) -> tuple[str, ...]:
    value = claims.get(name) or ()
    if isinstance(value, str):
        # Space-separated, as OAuth writes "scope".
        return tuple(value.split())
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise AuthError(f"token {name!r} claim must be a list of strings")
    return tuple(value)


def mint_token(
    secret: str | bytes,
    user_id: str,
    roles: Iterable[str],
    regions: Iterable[str] = (),
    department: str | None = None,
    scopes: Iterable[str] = (),
    ttl_seconds: int = 3600,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    algorithm: str = "HS256",
) -> str:
    """A signed token for ``user_id``, for development and for scoped service callers.

    ``secret`` is the HS256 secret, or a PEM private key with ``algorithm="RS256"``.
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        "roles": list(roles),
        "regions": list(regions),
        "scopes": list(scopes),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + int(ttl_seconds),
    }
    if department:
        claims["department"] = department
    return jwt.encode(claims, secret, algorithm=algorithm)
