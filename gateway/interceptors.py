"""grpc.aio server interceptors: authentication with error mapping, and metrics.

A grpc.aio server interceptor only chooses the handler for a call, so both interceptors wrap
the handler's behaviour (unary or streaming, either direction) in a guard that runs around
the servicer's code:

- :class:`AuthInterceptor` verifies ``authorization: Bearer <jwt>`` for every method except
  the health and reflection services, puts the :class:`Actor` into :data:`current_actor` for
  the servicer, and turns whatever the servicer raises (crm_kit typed errors, bridge errors)
  into a gRPC status via :func:`gateway.errors.abort_with`. Servicers never catch to map.
- :class:`MetricsInterceptor` counts calls by method and status code and times them.

Give the metrics interceptor first, so it sees the status the auth guard produced:
``grpc.aio.server(interceptors=[MetricsInterceptor(), AuthInterceptor(verifier)])``.
Behaviours are expected to be async (coroutines or async generators); a synchronous one is
still guarded, but runs on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import grpc
from prometheus_client import Counter, Histogram

from crm_kit.actor import Actor
from gateway import scopes
from gateway.auth import AuthError, TokenVerifier
from gateway.errors import abort_with
from gateway.limits import CallerLimits
from gateway.request_checks import check_request

# Services anyone may call: probes and grpcurl need no token.
PUBLIC_SERVICE_PREFIXES: tuple[str, ...] = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)

current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("current_actor", default=None)

REQUESTS = Counter(
    "crm_gateway_requests_total",
    "gRPC calls handled by the gateway",
    ["method", "code"],
)
LATENCY = Histogram(
    "crm_gateway_request_seconds",
    "Time the gateway spent on a gRPC call",
    ["method"],
    buckets=(
        0.001,
        0.0025,
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.25,
        0.5,
        1.0,
        2.5,
        5.0,
        10.0,
    ),
)

Guard = Callable[[str, grpc.aio.ServicerContext], contextlib.AbstractAsyncContextManager[None]]


def require_actor() -> Actor:
    """The authenticated caller of the current RPC (raises AuthError outside an authenticated call)."""
    actor = current_actor.get()
    if actor is None:
        raise AuthError("no authenticated caller")
    return actor


def downstream_timeout(context: grpc.aio.ServicerContext, default: float, floor: float = 0.05) -> float:
    """Seconds a downstream call may take: the client's remaining deadline, capped by ``default``.

    A little is kept back so the gateway can still answer before the client gives up; never
    less than ``floor`` (a call that short will most likely time out, which is the truth).
    """
    remaining = context.time_remaining()
    if remaining is None:
        return default
    return max(floor, min(default, remaining - 0.01))


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Requires a valid bearer token, exposes the caller as :data:`current_actor`, maps errors."""

    def __init__(
        self,
        verifier: TokenVerifier,
        public_prefixes: Iterable[str] = PUBLIC_SERVICE_PREFIXES,
        limits: CallerLimits | None = None,
    ):
        self.verifier = verifier
        self.public_prefixes = tuple(public_prefixes)
        self.limits = limits

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(self.public_prefixes):
            return handler
        return wrap_handler(handler, method, self._guard, check=True)

    @contextlib.asynccontextmanager
    async def _guard(self, method: str, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
        try:
            actor = self.verifier.verify(bearer_token(context.invocation_metadata()))
            scopes.check(actor, method)
            limited = self.limits is not None and not actor.is_service
            admitted = self.limits.admit(actor.user_id) if limited else contextlib.nullcontext()
            with admitted:
                reset = current_actor.set(actor)
                try:
                    yield
                finally:
                    with contextlib.suppress(ValueError):  # an async generator closed from another context
                        current_actor.reset(reset)
        except grpc.aio.AbortError:
            raise
        except Exception as exc:  # every error becomes a status
            await abort_with(context, exc)


class MetricsInterceptor(grpc.aio.ServerInterceptor):
    """``crm_gateway_requests_total{method,code}`` and ``crm_gateway_request_seconds{method}``."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        return wrap_handler(handler, handler_call_details.method, _measure)


@contextlib.asynccontextmanager
async def _measure(method: str, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
    started = time.perf_counter()
    code = grpc.StatusCode.UNKNOWN
    try:
        yield
        code = context.code() or grpc.StatusCode.OK
    except grpc.aio.AbortError:
        code = context.code() or grpc.StatusCode.UNKNOWN
        raise
    except (asyncio.CancelledError, GeneratorExit):
        code = grpc.StatusCode.CANCELLED
        raise
    finally:
        if not isinstance(code, grpc.StatusCode):
            code = _status_code(code)
        REQUESTS.labels(method, code.name).inc()
        LATENCY.labels(method).observe(time.perf_counter() - started)


def _status_code(value: Any) -> grpc.StatusCode:
    for status_code in grpc.StatusCode:
        if value in (status_code.value[0], status_code):
            return status_code
    return grpc.StatusCode.UNKNOWN


def bearer_token(metadata: Iterable[tuple[str, Any]] | None) -> str | None:
    """The token of the ``authorization: Bearer <token>`` entry in ``metadata``, if any."""
    for key, value in metadata or ():
        if key.lower() != "authorization":
            continue
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("authorization metadata must be 'Bearer <jwt>'")
        return token.strip()
    return None


def wrap_handler(handler: grpc.RpcMethodHandler, method: str, guard: Guard, *, check: bool = False) -> grpc.RpcMethodHandler:
    """``handler`` with its behaviour run inside ``guard(method, context)``; with ``check``, a
    unary request is checked first (gateway/request_checks.py), inside the guard."""
    serializers = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(_guard_unary(handler.unary_unary, method, guard, check), **serializers)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(_guard_stream(handler.unary_stream, method, guard, check), **serializers)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(_guard_unary(handler.stream_unary, method, guard, False), **serializers)
    if handler.stream_stream:
        return grpc.stream_stream_rpc_method_handler(_guard_stream(handler.stream_stream, method, guard, False), **serializers)
    return handler


def _guard_unary(behavior: Callable[..., Any], method: str, guard: Guard, check: bool) -> Callable[..., Awaitable[Any]]:
    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> Any:
        async with guard(method, context):
            if check:
                check_request(request)
            result = behavior(request, context)
            if inspect.isawaitable(result):
                result = await result
            return result

    return guarded


def _guard_stream(behavior: Callable[..., Any], method: str, guard: Guard, check: bool) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(behavior):
        # Writes its responses with context.write() and returns nothing.
        return _guard_unary(behavior, method, guard, check)

    async def guarded(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        async with guard(method, context):
            if check:
                check_request(request)
            responses = behavior(request, context)
            if hasattr(responses, "__aiter__"):
                async for response in responses:
                    yield response
            else:
                for response in responses:
                    yield response

    return guarded
