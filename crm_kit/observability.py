"""Metrics and health over HTTP on each service's own port, and per-worker measurements.

``GET /metrics``        Prometheus: calls and latency per RPC method and event handler,
                        failures by error type, outbox backlog.
``GET /health/live``    the process answers (liveness).
``GET /health/ready``   the database answers ``SELECT 1`` and the broker accepts a connection.

The server is an eventlet WSGI server started by the dependency, so it answers even when every
worker slot is busy.
"""

from __future__ import annotations

import json
import logging
import time
import weakref

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Gauge, Histogram, generate_latest

from crm_kit.config import metrics_port
from crm_kit.logs import bind_worker, unbind_worker

log = logging.getLogger(__name__)

CALLS = Counter("crm_worker_calls_total", "Worker calls by entrypoint and outcome", ["service", "kind", "method", "outcome"])
LATENCY = Histogram(
    "crm_worker_seconds",
    "Worker latency by entrypoint",
    ["service", "kind", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge("crm_outbox_backlog", "Committed events not yet published", ["service"])


class Observability(DependencyProvider):
    """Measures every worker and serves /metrics and /health on the service's port."""

    def __init__(self):
        self._started: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._server = None
        self.port: int | None = None

    @property
    def service(self) -> str:
        return self.container.service_name

    def setup(self) -> None:
        configured = self.container.config.get("METRICS_PORT")
        self.port = int(configured) if configured is not None else metrics_port(self.service)

    def start(self) -> None:
        if self.port is None or self.port < 0:
            return
        # Loopback unless told otherwise (METRICS_HOST=0.0.0.0 in a container, for Prometheus):
        # /metrics names every RPC, and nothing outside the machine needs it by default.
        sock = eventlet.listen((self.container.config.get("METRICS_HOST") or "127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        self._server = eventlet.spawn(
            eventlet.wsgi.server, sock, self._app, log_output=False, log=logging.getLogger("crm.http")
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.kill()
            self._server = None

    kill = stop

    def worker_setup(self, worker_ctx) -> None:
        self._started[worker_ctx] = time.perf_counter()
        bind_worker(worker_ctx)

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:
        started = self._started.pop(worker_ctx, None)
        entrypoint = worker_ctx.entrypoint
        kind = "rpc" if isinstance(entrypoint, Rpc) else type(entrypoint).__name__.lower()
        method = entrypoint.method_name
        if started is not None:
            LATENCY.labels(self.service, kind, method).observe(time.perf_counter() - started)
        outcome = "ok" if exc_info is None else type(exc_info[1]).__name__
        CALLS.labels(self.service, kind, method, outcome).inc()
        unbind_worker()

    # --- HTTP ---------------------------------------------------------------------------
    def _database(self):
        for provider in self.container.dependencies:
            if hasattr(provider, "outbox_backlog"):
                return provider
        return None

    def readiness(self) -> dict:
        checks: dict[str, str] = {}
        database = self._database()
        if database is not None:
            try:
                database.ping()
                checks["database"] = "ok"
            except Exception as exc:
                checks["database"] = f"failed: {type(exc).__name__}: {exc}"[:300]
        try:
            with Connection(self.container.config["AMQP_URI"], connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"failed: {type(exc).__name__}: {exc}"[:300]
        return checks

    def _app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            database = self._database()
            if database is not None:
                try:
                    OUTBOX_BACKLOG.labels(self.service).set(database.outbox_backlog())
                except Exception:
                    log.warning("could not read the outbox backlog", exc_info=True)
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest(REGISTRY)]
        if path == "/health/live":
            return self._json(start_response, "200 OK", {"service": self.service, "status": "alive"})
        if path in ("/health/ready", "/health"):
            checks = self.readiness()
            ready = all(value == "ok" for value in checks.values())
            status = "200 OK" if ready else "503 Service Unavailable"
            body = {"service": self.service, "status": "ready" if ready else "not ready", "checks": checks}
            if database := self._database():
                try:
                    body["outbox_backlog"] = database.outbox_backlog()
                except Exception:
                    body["outbox_backlog"] = None
            return self._json(start_response, status, body)
        return self._json(start_response, "404 Not Found", {"error": f"no such path: {path}"})

    @staticmethod
    def _json(start_response, status: str, body: dict):
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]
