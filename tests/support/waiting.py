"""The one way tests wait: ``eventually(check)`` asks again until the platform has done what the
test expects, and fails with what it saw last.

Events cross the outbox, the broker and another service's inbox; call events are taken in
batches; a restarted process needs a moment before it answers. A test never sleeps a guessed
time for these, and never asserts how long they took: it waits for the outcome, with a generous
limit that only a broken platform reaches. tenacity does the asking; this module only says what
counts as "not yet".
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tenacity import AsyncRetrying, RetryError, Retrying, retry_if_exception_type, retry_if_result, stop_after_delay, wait_fixed

T = TypeVar("T")

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_INTERVAL_S = 0.1


def _not_yet(value: Any) -> bool:
    return not value


def _policy(timeout: float, interval: float, ignoring: tuple[type[BaseException], ...]) -> dict[str, Any]:
    return {
        "stop": stop_after_delay(timeout),
        "wait": wait_fixed(interval),
        # A falsy answer, a failed assertion inside ``check`` or one of the errors the caller
        # expects meanwhile (NOT_FOUND before a batch lands) all mean "not yet".
        "retry": retry_if_result(_not_yet) | retry_if_exception_type((AssertionError, *ignoring)),
        "reraise": False,
    }


def _gave_up(error: RetryError, timeout: float, what: str) -> AssertionError:
    last = error.last_attempt
    if last.failed:
        seen = f"it last raised {type(last.exception()).__name__}: {last.exception()}"
    else:
        seen = f"it last answered {last.result()!r}"
    return AssertionError(f"{what} did not happen within {timeout:g}s; {seen}")


def _last_error(error: RetryError) -> BaseException | None:
    return error.last_attempt.exception() if error.last_attempt.failed else None


def _name(check: Callable[..., Any]) -> str:
    return getattr(check, "__name__", "the condition")


def eventually(
    check: Callable[[], T],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    interval: float = DEFAULT_INTERVAL_S,
    what: str | None = None,
    ignoring: tuple[type[BaseException], ...] = (),
) -> T:
    """The first truthy value ``check()`` returns within ``timeout`` seconds.

    ``check`` may also assert: an ``AssertionError``, or an exception of a type in ``ignoring``,
    counts as "not yet". Any other exception fails the test at once (a refused RPC is an
    answer, not a delay). Out of time, the test fails naming ``what`` and the last answer or
    error.
    """
    try:
        return Retrying(**_policy(timeout, interval, ignoring))(check)
    except RetryError as error:
        raise _gave_up(error, timeout, what or _name(check)) from _last_error(error)


async def eventually_async(
    check: Callable[[], Awaitable[T] | T],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    interval: float = DEFAULT_INTERVAL_S,
    what: str | None = None,
    ignoring: tuple[type[BaseException], ...] = (),
) -> T:
    """``eventually`` waiting without blocking the event loop (the gateway's tests run grpc.aio
    and the RPC bridge in the test's own loop); ``check`` may answer a value or an awaitable."""

    async def attempt() -> T:
        value = check()
        return await value if inspect.isawaitable(value) else value

    try:
        return await AsyncRetrying(**_policy(timeout, interval, ignoring))(attempt)
    except RetryError as error:
        raise _gave_up(error, timeout, what or _name(check)) from _last_error(error)
