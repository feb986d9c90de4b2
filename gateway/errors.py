"""What a failed call tells the gRPC client: exceptions mapped to status codes with details.

Servicers just raise; the interceptor calls :func:`abort_with`. Rich details follow Google's
error model (``grpc-status-details-bin``, read by ``grpc_status.rpc_status.from_call``):

============================  ===================  =========================================
exception                     status               details
============================  ===================  =========================================
ValidationError               INVALID_ARGUMENT     google.rpc.BadRequest, a field violation
                                                   per (field, message)
NotFound                      NOT_FOUND
Conflict                      ALREADY_EXISTS       google.rpc.ErrorInfo (see below)
PermissionDenied              PERMISSION_DENIED
ResourceExhausted             RESOURCE_EXHAUSTED   (a caller over its share: gateway/limits.py)
PreconditionFailed            FAILED_PRECONDITION  google.rpc.PreconditionFailure
AuthError                     UNAUTHENTICATED
Unauthenticated (a service    INTERNAL             none (the internal keys differ: logged)
refused the signed actor)
DeadlineExceeded (a service   DEADLINE_EXCEEDED
saw the deadline pass)
DownstreamTimeout, TimeoutErr DEADLINE_EXCEEDED
DownstreamUnavailable         UNAVAILABLE
RemoteError, anything else    INTERNAL             none: a generic message; the remote type
                                                   and value go to the log, never a trace
============================  ===================  =========================================

Conflict: the details (for a duplicate partner: the ranked candidates with their reasons)
travel as one JSON document, in two places a client may read:

- the standard one, a ``google.rpc.ErrorInfo`` in the status details with
  ``reason="CONFLICT"``, ``domain="crm"``, ``metadata["details"]`` = the JSON (and
  ``metadata["truncated"] = "true"`` when items were cut); :func:`conflict_details` reads it;
- the plain one, trailing metadata ``crm-conflict-bin`` = the JSON as UTF-8 bytes, for
  clients without the google.rpc protos (grpc-web, ``grpcurl -v``). A ``-bin`` key because
  ASCII metadata cannot carry Cyrillic names.

Status details are trailing metadata too, which clients cap (8 KiB by default), so a details
list longer than :data:`MAX_DETAILS_JSON_BYTES` is cut to its leading items.
"""

from __future__ import annotations

import json
import logging
from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from crm_kit.errors import (
    Conflict,
    CrmError,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    Unauthenticated,
    ValidationError,
)
from gateway.auth import AuthError
from gateway.bridge import DownstreamUnavailable, RemoteError
from gateway.limits import ResourceExhausted

log = logging.getLogger(__name__)

ERROR_DOMAIN = "crm"
CONFLICT_REASON = "CONFLICT"
CONFLICT_METADATA_KEY = "crm-conflict-bin"
# Both copies of the details travel in trailing metadata, which gRPC clients cap at 8 KiB
# by default: 3 KiB each leaves room for the message and the other trailers.
MAX_DETAILS_JSON_BYTES = 3072
INTERNAL_MESSAGE = "internal error; the gateway logged the cause"
# What an error echoes at most (it is trailing metadata too): the message, each field violation.
MAX_MESSAGE_CHARS = 1000
MAX_FIELD_CHARS = 200
MAX_DESCRIPTION_CHARS = 300
MAX_VIOLATIONS = 20


def status_for(exc: BaseException) -> status_pb2.Status:
    """The google.rpc.Status a client receives for ``exc``."""
    if isinstance(exc, ValidationError):
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=capped(field, MAX_FIELD_CHARS), description=capped(description, MAX_DESCRIPTION_CHARS)
                )
                for field, description in field_messages(exc.details)[:MAX_VIOLATIONS]
            ]
        )
        return _status(code_pb2.INVALID_ARGUMENT, exc.message, bad_request)
    if isinstance(exc, NotFound):
        return _status(code_pb2.NOT_FOUND, exc.message)
    if isinstance(exc, Conflict):
        return _status(code_pb2.ALREADY_EXISTS, exc.message, _conflict_info(exc.details))
    if isinstance(exc, PermissionDenied):
        return _status(code_pb2.PERMISSION_DENIED, exc.message)
    if isinstance(exc, PreconditionFailed):
        failure = error_details_pb2.PreconditionFailure(violations=_precondition_violations(exc))
        return _status(code_pb2.FAILED_PRECONDITION, exc.message, failure)
    if isinstance(exc, ResourceExhausted):
        return _status(code_pb2.RESOURCE_EXHAUSTED, exc.message)
    if isinstance(exc, Unauthenticated):
        # A service refused the gateway's signature: CRM_INTERNAL_KEY differs between them. Not
        # the client's fault, and nothing to tell it beyond "internal".
        log.error("a service refused the gateway's signed actor (is CRM_INTERNAL_KEY the same everywhere?): %s", exc.message)
        return _status(code_pb2.INTERNAL, INTERNAL_MESSAGE)
    if isinstance(exc, CrmError):
        # A typed error added to crm_kit after this table: its ``code`` names the status.
        return _status(
            getattr(code_pb2, exc.code.upper(), code_pb2.FAILED_PRECONDITION),
            exc.message,
        )
    if isinstance(exc, AuthError):
        return _status(code_pb2.UNAUTHENTICATED, str(exc))
    if isinstance(exc, DownstreamUnavailable):
        return _status(code_pb2.UNAVAILABLE, str(exc))
    if isinstance(exc, TimeoutError):  # DownstreamTimeout and asyncio.TimeoutError
        return _status(
            code_pb2.DEADLINE_EXCEEDED,
            str(exc) or "a downstream service did not answer in time",
        )
    if isinstance(exc, RemoteError):
        log.error("downstream service failed: %s %s", exc.exc_type, exc.value)
        return _status(code_pb2.INTERNAL, INTERNAL_MESSAGE)
    log.error("unexpected error in the gateway", exc_info=exc)
    return _status(code_pb2.INTERNAL, INTERNAL_MESSAGE)


def to_grpc_status(exc: BaseException) -> grpc.Status:
    """``exc`` as the grpc.Status (code, details, trailing metadata) to abort with."""
    status = rpc_status.to_status(status_for(exc))
    if isinstance(exc, Conflict):
        encoded, _truncated = _conflict_json(exc.details)
        if encoded is not None:
            return _GrpcStatus(
                status.code,
                status.details,
                (*status.trailing_metadata, (CONFLICT_METADATA_KEY, encoded.encode())),
            )
    return status


class _GrpcStatus(grpc.Status):
    def __init__(self, code: grpc.StatusCode, details: str, trailing_metadata: tuple):
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


async def abort_with(context: grpc.aio.ServicerContext, exc: BaseException) -> NoReturn:
    """Abort the current RPC with the status that ``exc`` maps to (raises ``grpc.aio.AbortError``)."""
    status = to_grpc_status(exc)
    await context.abort(status.code, status.details, status.trailing_metadata)
    raise AssertionError("context.abort returned")  # pragma: no cover - abort always raises


def conflict_details(status: status_pb2.Status | None) -> Any:
    """The details of a Conflict (the duplicates) from the rich status of a failed call.

    ``status`` is what ``grpc_status.rpc_status.from_call(call)`` (or
    ``rpc_status.aio.from_call`` for grpc.aio) returns. None when it carries no conflict.
    """
    if status is None:
        return None
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Is(info.DESCRIPTOR) and detail.Unpack(info) and info.reason == CONFLICT_REASON:
            raw = info.metadata.get("details")
            return json.loads(raw) if raw else None
    return None


def capped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying so: what a client sent is echoed back in
    messages and field violations, and trailing metadata is capped by clients (8 KiB)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


def _status(code: int, message: str, *details: Any) -> status_pb2.Status:
    message = capped(message, MAX_MESSAGE_CHARS)
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    return status_pb2.Status(code=code, message=message, details=packed)


def field_messages(details: Any) -> list[tuple[str, str]]:
    """``(field, message)`` pairs of a ValidationError's details; nested fields as dotted paths."""
    if isinstance(details, dict):
        pairs = []
        for field, messages in details.items():
            if isinstance(messages, list | tuple):
                pairs.extend((str(field), str(message)) for message in messages)
            elif isinstance(messages, dict):
                # marshmallow nests messages of nested schemas: flatten to dotted paths.
                pairs.extend((f"{field}.{sub}", message) for sub, message in field_messages(messages))
            else:
                pairs.append((str(field), str(messages)))
        return pairs
    if details:
        return [("", str(details))]
    return []


def _conflict_json(details: Any) -> tuple[str | None, bool]:
    """``details`` as compact JSON within the size cap, and whether items were left out."""
    if details is None:
        return None, False
    encoded = json.dumps(details, default=str, separators=(",", ":"), ensure_ascii=False)
    if len(encoded.encode()) <= MAX_DETAILS_JSON_BYTES or not isinstance(details, list):
        return encoded, False
    kept: list[str] = []
    size = 2  # the brackets
    for item in details:
        item_json = json.dumps(item, default=str, separators=(",", ":"), ensure_ascii=False)
        size += len(item_json.encode()) + 1
        if size > MAX_DETAILS_JSON_BYTES:
            break
        kept.append(item_json)
    return "[" + ",".join(kept) + "]", True


def _conflict_info(details: Any) -> error_details_pb2.ErrorInfo:
    encoded, truncated = _conflict_json(details)
    metadata: dict[str, str] = {}
    if encoded is not None:
        metadata["details"] = encoded
    if truncated:
        metadata["truncated"] = "true"
    return error_details_pb2.ErrorInfo(reason=CONFLICT_REASON, domain=ERROR_DOMAIN, metadata=metadata)


def _precondition_violations(
    exc: PreconditionFailed,
) -> list[error_details_pb2.PreconditionFailure.Violation]:
    """Violations from the error's details: ``{subject: message(s)}``, a list, or a string."""
    violation = error_details_pb2.PreconditionFailure.Violation
    details = exc.details
    if isinstance(details, dict):
        return [violation(type=ERROR_DOMAIN, subject=subject, description=description) for subject, description in field_messages(details)]
    if isinstance(details, list | tuple):
        violations = []
        for item in details:
            if isinstance(item, dict):
                violations.append(
                    violation(
                        type=str(item.get("type") or ERROR_DOMAIN),
                        subject=str(item.get("subject") or ""),
                        description=str(item.get("description") or exc.message),
                    )
                )
            else:
                violations.append(violation(type=ERROR_DOMAIN, subject=str(item), description=exc.message))
        return violations
    if details:
        return [violation(type=ERROR_DOMAIN, subject=str(details), description=exc.message)]
    return [violation(type=ERROR_DOMAIN, description=exc.message)]
