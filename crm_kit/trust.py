"""What makes a call or an event behind the gateway believable (pure Python: the gateway imports it).

Every process of the platform holds one internal key (``CRM_INTERNAL_KEY``, at least 32 bytes;
only ``CRM_ENVIRONMENT=development`` falls back to a development key printed here). Anyone with
the broker's credentials but not the key can neither act as someone else nor forge an event.

- **A call** carries, in nameko context data, the actor header (:data:`crm_kit.actor.ACTOR_KEY`),
  its absolute ``deadline`` (milliseconds since the epoch), who signed it (``signed_by``:
  ``gateway`` or the calling service's name) and ``actor_signature``: HMAC-SHA256 over the three
  and the method called (``service.method``), so a signed call copied off the broker cannot be
  sent to another method.
  The signature expires with the deadline. The kit's ``rpc`` entrypoint checks it before a worker
  is spawned (:func:`verify_call`): a missing or bad signature is :class:`Unauthenticated`, a
  deadline passed is :class:`DeadlineExceeded`; the method never runs. A service calling another
  (crm_kit.remote, crm_kit.replay) signs as itself (:func:`stamp`), for the actor its worker acts
  as; a timer's worker acts as the local ``SYSTEM`` actor and carries no header until it calls out.
- **An internal RPC** (``@rpc(internal=True)``) refuses a call the gateway signed: only services
  call it (they may act for a user, whose row-level access still applies).
- **An event** carries ``crm-signature``: HMAC-SHA256 over its producer, its event type, its
  actor header and its body, written by the producer's outbox relay (:func:`sign_event`) and
  checked by every consumer against the producer its contract names (:func:`verify_event`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from crm_kit.actor import ACTOR_KEY, SYSTEM
from crm_kit.config import ConfigError
from crm_kit.errors import DeadlineExceeded, Unauthenticated

log = logging.getLogger(__name__)

KEY_ENV = "CRM_INTERNAL_KEY"
DEV_INTERNAL_KEY = "crm-development-internal-key-do-not-use-in-production"
# As for an HS256 secret: shorter than the hash can be brute-forced (RFC 7518, 3.2).
MIN_KEY_BYTES = 32
DEVELOPMENT = "development"

# Context data keys (nameko sends each as the header ``nameko.<key>``).
DEADLINE_KEY = "deadline"
SIGNED_BY_KEY = "signed_by"
SIGNATURE_KEY = "actor_signature"
GATEWAY = "gateway"
# The AMQP header of an event's signature (not ``nameko.``: it stays out of context data).
EVENT_SIGNATURE_HEADER = "crm-signature"
_HEADER_PREFIX = "nameko."

_key: bytes | None = None


def load_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The internal key in ``environ`` (default: the process environment); ConfigError names
    what is wrong. Outside development a key of real length is required."""
    env = os.environ if environ is None else environ
    raw = env.get(KEY_ENV) or ""
    development = (env.get("CRM_ENVIRONMENT") or "").strip().lower() == DEVELOPMENT
    if not raw:
        if not development:
            raise ConfigError(
                f"{KEY_ENV} (at least {MIN_KEY_BYTES} random bytes, the same in every process of the platform) "
                "is required; only CRM_ENVIRONMENT=development (what `crm up` sets) falls back to the development key"
            )
        return DEV_INTERNAL_KEY.encode()
    if not development:
        if raw == DEV_INTERNAL_KEY:
            raise ConfigError(f"{KEY_ENV} is the development key printed in the repository: set a key of your own")
        if len(raw.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                f"{KEY_ENV} is {len(raw.encode())} bytes: use at least {MIN_KEY_BYTES} random bytes "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
    return raw.encode()


def internal_key() -> bytes:
    """This process's internal key, read once (ConfigError when it has none it may use)."""
    global _key
    if _key is None:
        _key = load_key()
        if _key == DEV_INTERNAL_KEY.encode():
            log.warning("%s is not set: calls and events are signed with the development key", KEY_ENV)
    return _key


def now_ms() -> int:
    return int(time.time() * 1000)


def actor_signature(key: bytes, signed_by: str, deadline: str, actor_header: str, target: str) -> str:
    """The signature of a call to ``target`` (``service.method``)."""
    return hmac.new(key, f"{target}\n{signed_by}\n{deadline}\n{actor_header}".encode(), hashlib.sha256).hexdigest()


def call_headers(key: bytes, signed_by: str, actor_header: str, timeout_s: float, target: str) -> dict[str, str]:
    """The AMQP headers of a signed call to ``target`` (``service.method``; the gateway's bridge,
    which speaks the wire itself)."""
    deadline = str(now_ms() + int(timeout_s * 1000))
    return {
        _HEADER_PREFIX + ACTOR_KEY: actor_header,
        _HEADER_PREFIX + DEADLINE_KEY: deadline,
        _HEADER_PREFIX + SIGNED_BY_KEY: signed_by,
        _HEADER_PREFIX + SIGNATURE_KEY: actor_signature(key, signed_by, deadline, actor_header, target),
    }


def stamp(
    context: MutableMapping[str, Any],
    signed_by: str,
    timeout_s: float,
    target: str,
    key: bytes | None = None,
    given_deadline: Any = None,
) -> None:
    """Sign ``context`` (a worker's context data) for an outgoing call to ``target``
    (``service.method``) made within ``timeout_s``:
    as the actor it holds (``SYSTEM`` when none), signed by ``signed_by``; the deadline is the
    sooner of the call's own and ``given_deadline``, the one the worker was given (read from its
    context before the first stamp: :func:`given_deadline`)."""
    actor_header = context.get(ACTOR_KEY) or SYSTEM.to_header()
    deadline_ms = now_ms() + int(timeout_s * 1000)
    if given_deadline is not None:
        deadline_ms = min(deadline_ms, given_deadline)
    deadline = str(deadline_ms)
    context[ACTOR_KEY] = actor_header
    context[DEADLINE_KEY] = deadline
    context[SIGNED_BY_KEY] = signed_by
    context[SIGNATURE_KEY] = actor_signature(key or internal_key(), signed_by, deadline, actor_header, target)


def given_deadline(context: Mapping[str, Any]) -> int | None:
    """The deadline (ms) a worker's caller gave it, from its context data as it arrived (a
    verified call's; an event's or a timer's worker has none)."""
    try:
        return int(context[DEADLINE_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def verify_call(headers: Mapping[str, Any], key: bytes, target: str) -> str:
    """Check a call to ``target`` (``service.method``): its signed actor and deadline in its AMQP
    ``headers`` (signed for this method, not another); answers who signed it.
    Raises :class:`Unauthenticated` (missing or bad signature) or :class:`DeadlineExceeded`."""
    actor_header = headers.get(_HEADER_PREFIX + ACTOR_KEY)
    deadline = headers.get(_HEADER_PREFIX + DEADLINE_KEY)
    signed_by = headers.get(_HEADER_PREFIX + SIGNED_BY_KEY)
    signature = headers.get(_HEADER_PREFIX + SIGNATURE_KEY)
    if not (isinstance(actor_header, str) and isinstance(deadline, str) and isinstance(signed_by, str) and isinstance(signature, str)):
        raise Unauthenticated("the call carries no signed actor", {"actor_signature": ["missing"]})
    if not hmac.compare_digest(actor_signature(key, signed_by, deadline, actor_header, target), signature):
        raise Unauthenticated("the call's actor signature does not match", {"actor_signature": ["does not match"]})
    try:
        deadline_ms = int(deadline)
    except ValueError:
        raise Unauthenticated("the call's deadline is not a time", {"deadline": ["not a number"]}) from None
    if now_ms() > deadline_ms:
        raise DeadlineExceeded("the call's deadline passed before it started; nothing was done", {"deadline": [deadline]})
    return signed_by


def event_signature(key: bytes, producer: str, event_type: str, actor_header: str, body: bytes) -> str:
    mac = hmac.new(key, f"{producer}\n{event_type}\n{actor_header}\n".encode(), hashlib.sha256)
    mac.update(body)
    return mac.hexdigest()


def sign_event(headers: dict[str, Any], producer: str, event_type: str, body: bytes, key: bytes | None = None) -> dict[str, Any]:
    """``headers`` of an event ``producer`` publishes, with its signature added."""
    actor_header = headers.get(_HEADER_PREFIX + ACTOR_KEY) or ""
    headers[EVENT_SIGNATURE_HEADER] = event_signature(key or internal_key(), producer, event_type, actor_header, body)
    return headers


def verify_event(headers: Mapping[str, Any] | None, body: bytes | str, producer: str, event_type: str, key: bytes) -> None:
    """Refuse (:class:`Unauthenticated`) an event not signed by ``producer`` as ``event_type``."""
    headers = headers or {}
    signature = headers.get(EVENT_SIGNATURE_HEADER)
    if not isinstance(signature, str):
        raise Unauthenticated(f"a {event_type} event without a signature: not from {producer}", {"crm-signature": ["missing"]})
    actor_header = headers.get(_HEADER_PREFIX + ACTOR_KEY) or ""
    if not isinstance(actor_header, str):
        actor_header = ""
    if isinstance(body, str):
        body = body.encode()
    if not hmac.compare_digest(event_signature(key, producer, event_type, actor_header, body), signature):
        raise Unauthenticated(
            f"a {event_type} event whose signature is not {producer}'s: forged, or from another producer",
            {"crm-signature": ["does not match"]},
        )
