"""Typed errors that cross RPC intact.

Each class is registered with nameko's remote-error registry, so a nameko caller catches
``NotFound`` rather than a ``RemoteError`` string. Over the wire nameko sends
``{"exc_type", "exc_path", "exc_args", "value"}``; ``exc_args`` are JSON values, and a class is
rebuilt as ``cls(*exc_args)``. The gateway reads ``exc_path`` (``crm_kit.errors.<Name>``) and
``exc_args`` to map an error to a gRPC status with details.
"""

from __future__ import annotations

import json
from typing import Any

from nameko.exceptions import deserialize_to_instance


class CrmError(Exception):
    """Base of every error a service means to send to its caller."""

    code = "error"

    def __init__(self, message: str, details: Any = None):
        if isinstance(details, str):
            # Rebuilt from the wire: details travel as one JSON string, because nameko turns
            # every non-string value inside exception arguments into text (0.93 -> "0.93").
            try:
                details = json.loads(details)
            except ValueError:
                pass
        super().__init__(message, json.dumps(details, ensure_ascii=False, default=str))
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


@deserialize_to_instance
class ValidationError(CrmError):
    """Bad input. ``details`` maps each field (dotted path) to a list of messages."""

    code = "invalid_argument"

    def __init__(self, message: str, details: dict[str, list[str]] | None = None):
        super().__init__(message, details or {})

    @classmethod
    def for_field(cls, field: str, message: str) -> ValidationError:
        return cls(f"{field}: {message}", {field: [message]})


@deserialize_to_instance
class NotFound(CrmError):
    """The record does not exist, or the caller may not know that it does."""

    code = "not_found"


@deserialize_to_instance
class Conflict(CrmError):
    """The change collides with existing records; ``details`` lists them (for duplicates: the
    ranked candidates with their reasons)."""

    code = "already_exists"


@deserialize_to_instance
class PermissionDenied(CrmError):
    """The actor may not do this to this record."""

    code = "permission_denied"


@deserialize_to_instance
class PreconditionFailed(CrmError):
    """The record is not in a state that allows this (a merged partner, an approved agreement
    edited, a stage whose precondition is missing). ``details`` names what is missing."""

    code = "failed_precondition"


@deserialize_to_instance
class Unavailable(CrmError):
    """A service this one depends on did not answer in time or is not running: try again later."""

    code = "unavailable"


@deserialize_to_instance
class Unauthenticated(CrmError):
    """A call or event behind the gateway that is not signed with the platform's internal key
    (crm_kit.trust): forged, or a process configured with another key. Nothing was done."""

    code = "unauthenticated"


@deserialize_to_instance
class DeadlineExceeded(CrmError):
    """The call's deadline had passed when it was to start: its caller has given up, so it was
    not started and nothing was written."""

    code = "deadline_exceeded"


ERROR_CLASSES: dict[str, type[CrmError]] = {
    cls.__name__: cls
    for cls in (
        ValidationError,
        NotFound,
        Conflict,
        PermissionDenied,
        PreconditionFailed,
        Unavailable,
        Unauthenticated,
        DeadlineExceeded,
    )
}
