"""Exception → gRPC status mapping, for every error the gateway knows."""

from __future__ import annotations

import json

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from crm_kit.errors import Conflict, NotFound, PermissionDenied, PreconditionFailed, ValidationError
from gateway.auth import AuthError
from gateway.bridge import DownstreamTimeout, DownstreamUnavailable, RemoteError, rebuild_error
from gateway.errors import (
    CONFLICT_METADATA_KEY,
    MAX_DETAILS_JSON_BYTES,
    conflict_details,
    status_for,
    to_grpc_status,
)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (ValidationError("bad", {"name": ["required"]}), grpc.StatusCode.INVALID_ARGUMENT),
        (NotFound("no such partner"), grpc.StatusCode.NOT_FOUND),
        (Conflict("duplicate", [{"partner_id": "p1"}]), grpc.StatusCode.ALREADY_EXISTS),
        (PermissionDenied("not your client"), grpc.StatusCode.PERMISSION_DENIED),
        (PreconditionFailed("merged"), grpc.StatusCode.FAILED_PRECONDITION),
        (AuthError("token expired"), grpc.StatusCode.UNAUTHENTICATED),
        (DownstreamTimeout("partners did not answer"), grpc.StatusCode.DEADLINE_EXCEEDED),
        (TimeoutError(), grpc.StatusCode.DEADLINE_EXCEEDED),
        (DownstreamUnavailable("broker down"), grpc.StatusCode.UNAVAILABLE),
        (RemoteError("KeyError", "'x'"), grpc.StatusCode.INTERNAL),
        (ZeroDivisionError("division by zero"), grpc.StatusCode.INTERNAL),
    ],
)
def test_each_error_has_its_code(exc: Exception, code: grpc.StatusCode) -> None:
    assert to_grpc_status(exc).code == code


def test_internal_errors_say_nothing_of_their_cause() -> None:
    status = to_grpc_status(RemoteError("KeyError", "'database password'"))

    assert "password" not in status.details
    assert "KeyError" not in status.details


def test_nested_validation_messages_get_dotted_fields() -> None:
    status = status_for(ValidationError("bad", {"contacts": {"0": {"phone": ["not a phone"]}}}))

    bad_request = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad_request)
    assert [(v.field, v.description) for v in bad_request.field_violations] == [("contacts.0.phone", "not a phone")]


def test_conflict_details_travel_in_error_info_and_in_a_binary_trailer() -> None:
    duplicates = [{"partner_id": "p1", "name": "ООО Ромашка", "score": 0.93}]

    status = to_grpc_status(Conflict("duplicate partner", duplicates))

    trailers = dict(status.trailing_metadata)
    assert json.loads(trailers[CONFLICT_METADATA_KEY].decode()) == duplicates
    rich = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    assert conflict_details(rich) == duplicates


def test_a_long_duplicate_list_is_cut_to_fit_the_metadata() -> None:
    duplicates = [{"partner_id": f"p{i}", "reasons": ["name", "phone"] * 10} for i in range(200)]

    status = to_grpc_status(Conflict("duplicate partner", duplicates))

    trailers = dict(status.trailing_metadata)
    assert len(trailers[CONFLICT_METADATA_KEY]) <= MAX_DETAILS_JSON_BYTES
    rich = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    info = error_details_pb2.ErrorInfo()
    rich.details[0].Unpack(info)
    assert info.metadata["truncated"] == "true"
    kept = conflict_details(rich)
    assert 0 < len(kept) < len(duplicates)
    assert kept == duplicates[: len(kept)]


def test_a_precondition_failure_lists_its_violations() -> None:
    status = status_for(PreconditionFailed("cannot move to won", {"agreement": "no signed agreement"}))

    failure = error_details_pb2.PreconditionFailure()
    status.details[0].Unpack(failure)
    assert [(v.subject, v.description) for v in failure.violations] == [("agreement", "no signed agreement")]


def test_rebuild_error_reads_nameko_payloads() -> None:
    payload = {
        "exc_type": "NotFound",
        "exc_path": "crm_kit.errors.NotFound",
        "exc_args": ["gone", "null"],  # crm_kit errors send details as a JSON string
        "value": "gone",
    }
    foreign = {"exc_type": "NotFound", "exc_path": "elsewhere.NotFound", "exc_args": ["x"], "value": "x"}

    rebuilt = rebuild_error(payload)

    assert isinstance(rebuilt, NotFound) and rebuilt.details is None
    assert isinstance(rebuild_error(foreign), RemoteError)


def test_what_an_error_echoes_is_capped() -> None:
    huge = "x" * 2_000_000
    status = to_grpc_status(ValidationError(f"invalid partner: {huge}", {huge: [huge]} | {f"f{i}": ["bad"] for i in range(500)}))
    trailers = dict(status.trailing_metadata)
    assert len(status.details) < 1_100
    assert len(trailers["grpc-status-details-bin"]) < 16_000
    rich = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    bad = error_details_pb2.BadRequest()
    rich.details[0].Unpack(bad)
    assert len(bad.field_violations) == 20 and "more characters" in bad.field_violations[0].description


def test_a_log_line_is_capped(capsys) -> None:
    import logging

    from crm_kit.logs import MAX_MESSAGE_CHARS, JsonFormatter

    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "bad input %s", ("y" * 4_500_000,), None)
    line = json.loads(JsonFormatter("probe").format(record))
    assert len(line["message"]) < MAX_MESSAGE_CHARS + 100 and line["message"].endswith("more characters)")
