"""Real infrastructure for integration tests: PostgreSQL databases, a RabbitMQ vhost, and
services running as their own processes (as in production).

The test process itself never monkey-patches eventlet (the gateway tests run grpc.aio in it);
services run as subprocesses (``python -m crm_ops.serve``) and tests call them with nameko's
standalone RPC proxy, which works in plain threads.

Where the infrastructure comes from, in order: ``CRM_TEST_PG`` / ``CRM_TEST_AMQP`` when set;
the local PostgreSQL and RabbitMQ when reachable; otherwise containers (testcontainers) when a
Docker engine is there.

Processes started here get the test environment's short waits (``TEST_SERVICE_ENV``: retry
steps, reconnect backoffs, the outbox timer), so a retry never makes a test slow. A package's
processes stop side by side: a fixture's teardown asks its process to stop (``stop_soon``) and
the next process any test starts, or the end of the session, waits until they have all exited,
so two packages' services never share the vhost's queues.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import grpc
import psycopg2
from psycopg2 import sql

from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
# Two test runs on one machine (two checkouts) set CRM_TEST_NAMESPACE to different words, so each
# has its own vhost and databases and neither drops the other's.
TEST_NAMESPACE = os.environ.get("CRM_TEST_NAMESPACE", "").strip().lower()
TEST_VHOST = f"crm-test-{TEST_NAMESPACE}" if TEST_NAMESPACE else "crm-test"
TEST_DB_PREFIX = f"crm_test_{TEST_NAMESPACE}" if TEST_NAMESPACE else "crm_test"


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sqlalchemy_url(url: str) -> str:
    """A libpq URL as SQLAlchemy's psycopg2 URL."""
    return url.replace("postgresql://", "postgresql+psycopg2://")


# Every process of a test run (services, gateways, this one's RPC proxies) signs and checks calls
# and events with this internal key (crm_kit.trust); a test that wants another sets its own.
TEST_INTERNAL_KEY = "crm-test-internal-key-0123456789abcdef-not-secret"
os.environ.setdefault("CRM_INTERNAL_KEY", TEST_INTERNAL_KEY)
# The name test proxies sign as: a service's, so internal RPCs answer them too.
TEST_SIGNER = "tests"

# What every process a test starts runs with, unless its package says otherwise: retries,
# reconnects and timers in fractions of a second instead of the production seconds and minutes.
TEST_SERVICE_ENV = {
    "RETRY_DELAYS_S": "0.2,0.5,1",  # crm_kit.dead_letters: a failing handler's backoff steps
    "BATCH_MAX_BACKOFF_S": "1",  # crm_kit.batch: reconnecting, and waiting out an outage
    "INTERACTIONS_CALL_LEAD_MAX_BACKOFF_S": "1",  # a prospect retried while partners is down
    "OUTBOX_INTERVAL_S": "0.5",
    "CRM_STOP_GRACE_S": "5",
    "CRM_CHECK_EVENTS": "1",  # an event against its contract fails the worker (crm_kit.contracts)
    "LOG_LEVEL": "WARNING",
}
STOP_TIMEOUT_S = 15.0

# Processes asked to stop and not yet waited for (see the module docstring).
_stopping: list[subprocess.Popen] = []


def _ask_to_stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        _stopping.append(proc)


def wait_until_stopped() -> None:
    """Wait until every process asked to stop has exited; kill one that outlives its grace."""
    while _stopping:
        proc = _stopping.pop()
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Infrastructure:
    """The PostgreSQL server and RabbitMQ vhost one test session uses."""

    def __init__(self):
        self._containers = []
        self.pg_admin_url = os.environ.get("CRM_TEST_PG")
        self.amqp_uri = os.environ.get("CRM_TEST_AMQP")
        if not self.pg_admin_url:
            if port_open("127.0.0.1", 5432):
                self.pg_admin_url = "postgresql://postgres@127.0.0.1:5432/postgres"
            else:
                self.pg_admin_url = self._container_pg()
        if not self.amqp_uri:
            if port_open("127.0.0.1", 5672):
                self.amqp_uri = self._local_vhost()
            else:
                self.amqp_uri = self._container_rabbit()

    # --- PostgreSQL ---------------------------------------------------------------------
    def _container_pg(self) -> str:
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:15", driver=None).start()
        self._containers.append(container)
        return container.get_connection_url()

    def database(self, name: str) -> str:
        """A fresh, empty database ``name`` (``crm_test_*`` names put in this run's namespace)."""
        if name.startswith("crm_test"):
            name = TEST_DB_PREFIX + name[len("crm_test"):]
        conn = psycopg2.connect(self.pg_admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.close()
        base = self.pg_admin_url.rsplit("/", 1)[0]
        return f"{base}/{name}"

    def service_database(self, name: str, *, service: str | None = None, metadata=None) -> str:
        """A fresh database migrated for ``service`` (alembic) or created from ``metadata``."""
        url = self.database(name)
        if service is not None:
            from crm_ops.migrations import upgrade

            upgrade(service, sqlalchemy_url(url))
        if metadata is not None:
            from sqlalchemy import create_engine

            engine = create_engine(sqlalchemy_url(url))
            metadata.create_all(engine)
            engine.dispose()
        return url

    # --- RabbitMQ -----------------------------------------------------------------------
    def _local_vhost(self) -> str:
        """A vhost of our own, emptied, so tests never meet a running `make run`'s queues."""
        ctl = shutil.which("rabbitmqctl")
        if ctl is None:
            return "amqp://guest:guest@127.0.0.1:5672/"
        subprocess.run([ctl, "-q", "delete_vhost", TEST_VHOST], capture_output=True)
        subprocess.run([ctl, "-q", "add_vhost", TEST_VHOST], capture_output=True, check=True)
        subprocess.run(
            [ctl, "-q", "set_permissions", "-p", TEST_VHOST, "guest", ".*", ".*", ".*"], capture_output=True, check=True
        )
        return f"amqp://guest:guest@127.0.0.1:5672/{TEST_VHOST}"

    def _container_rabbit(self) -> str:
        from testcontainers.rabbitmq import RabbitMqContainer

        container = RabbitMqContainer("rabbitmq:3.13").start()
        self._containers.append(container)
        params = container.get_connection_params()
        return f"amqp://guest:guest@{params.host}:{params.port}/"

    def close(self) -> None:
        for container in self._containers:
            container.stop()


class ServiceProcess:
    """A service running as its own process, as ``crm up`` runs it: with the test settings
    (TEST_SERVICE_ENV: short backoffs, every emitted event checked against its contract) unless
    ``test_settings`` is False, as benchmarks ask, so that they measure what production runs."""

    def __init__(self, target: str, env: dict[str, str], name: str | None = None, *, test_settings: bool = True):
        self.target = target
        self.test_settings = test_settings
        self.name = name or target
        self.env = env
        self.metrics_port = int(env.get("CRM_TEST_METRICS_PORT") or free_port())
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.NamedTemporaryFile(prefix=f"crm-{self.name.replace(':', '_')}-", suffix=".log", delete=False)

    def start(self, wait: bool = True, extra_env: dict[str, str] | None = None) -> ServiceProcess:
        wait_until_stopped()
        env = dict(os.environ)
        if self.test_settings:
            env.update(TEST_SERVICE_ENV)
        env.update(self.env)
        env.update(extra_env or {})
        env["METRICS_PORT"] = str(self.metrics_port)
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crm_ops.serve", self.target],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready()
        return self

    def health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/health/ready", timeout=2) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read())
        except (OSError, ValueError):
            return None

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            return response.read().decode()

    def wait_ready(self, timeout: float = 60.0) -> None:
        def ready() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()[-4000:]}")
            health = self.health()
            return bool(health and health.get("status") == "ready")

        try:
            eventually(ready, timeout=timeout, interval=0.2, what=f"{self.name} to be ready")
        except AssertionError as exc:
            raise RuntimeError(f"{exc}:\n{self.output()[-4000:]}") from None

    def wait_exit(self, timeout: float = 30.0) -> int:
        return self.proc.wait(timeout=timeout)

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        """Stop it gracefully (SIGTERM) and wait until it has exited: a test that stops a service
        restarts it in ``finally``."""
        self.stop_soon()
        wait_until_stopped()

    def stop_soon(self) -> None:
        """Ask it to stop and go on (a fixture's teardown): see the module docstring."""
        _ask_to_stop(self.proc)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class GatewayProcess:
    """The gateway as its own process (``python -m gateway``) on free ports."""

    def __init__(self, jwt_secret: str, env: dict[str, str]):
        self.port = free_port()
        self.metrics_port = free_port()
        self.env = dict(os.environ, **env, GATEWAY_PORT=str(self.port), GATEWAY_METRICS_PORT=str(self.metrics_port),
                        GATEWAY_HOST="127.0.0.1", JWT_SECRET=jwt_secret, PYTHONUNBUFFERED="1")
        self.log = tempfile.NamedTemporaryFile(prefix="crm-gateway-", suffix=".log", delete=False)
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        wait_until_stopped()
        self.proc = subprocess.Popen([sys.executable, "-m", "gateway"], env=self.env, cwd=ROOT,
                                     stdout=self.log, stderr=subprocess.STDOUT)

        def serving() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited: {Path(self.log.name).read_text()[-3000:]}")
            with grpc.insecure_channel(f"127.0.0.1:{self.port}") as channel:
                grpc.channel_ready_future(channel).result(timeout=0.5)
            return True

        eventually(serving, timeout=30, what="the gateway to serve", ignoring=(grpc.FutureTimeoutError,))

    def stop(self) -> None:
        self.stop_soon()
        wait_until_stopped()

    def stop_soon(self) -> None:
        _ask_to_stop(self.proc)


def publish_event(amqp_uri: str, envelope, routing_key: str, source: str, *, signed: bool = True, actor_header: str = "") -> None:
    """Publish ``envelope`` (JSON) to ``<source>.events`` as ``routing_key``, signed as
    ``source``'s outbox signs (crm_kit.trust) unless ``signed`` is False (a forger's)."""
    from kombu import Connection, Exchange, Producer

    from crm_kit import trust

    body = json.dumps(envelope).encode()
    headers = {"nameko.actor": actor_header} if actor_header else {}
    if signed:
        trust.sign_event(headers, source, routing_key, body)
    exchange = Exchange(f"{source}.events", type="topic", durable=True, auto_delete=False)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.channel(), exchange=exchange)
        producer.publish(body, routing_key=routing_key, delivery_mode=2, mandatory=True, headers=headers,
                         content_type="application/json", content_encoding="utf-8")


class _Signing:
    """A standalone proxy (or a service or method of one) whose every call is signed afresh
    (crm_kit.trust) for the actor in its context data and the method called (``service.method``,
    the last two names reached): a signature lives until its deadline."""

    def __init__(self, target, context: dict, timeout: float, signed_by: str, path: tuple[str, ...] = ()):
        self._target, self._context, self._timeout, self._signed_by = target, context, timeout, signed_by
        self._path = path

    def __getattr__(self, name: str):
        return _Signing(getattr(self._target, name), self._context, self._timeout, self._signed_by, (*self._path, name))

    def __getitem__(self, name: str):
        return _Signing(self._target[name], self._context, self._timeout, self._signed_by, (*self._path, name))

    def __call__(self, *args, **kwargs):
        from crm_kit import trust

        names = [name for name in self._path if name != "call_async"]  # proxy.svc.method.call_async(...)
        trust.stamp(self._context, self._signed_by, self._timeout, ".".join(names[-2:]))
        return self._target(*args, **kwargs)


@contextmanager
def rpc_proxy(amqp_uri: str, actor=None, timeout: float = 15.0, *, signed_by: str | None = TEST_SIGNER):
    """nameko's standalone proxy, carrying ``actor`` as context data (the anonymous actor when
    none), each call signed by ``signed_by`` (``gateway`` to call as the gateway would; None:
    unsigned, as a forger would)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    import crm_kit  # noqa: F401  (quiets eventlet's banner)
    from crm_kit.actor import ANONYMOUS, context_for

    config = {"AMQP_URI": amqp_uri, "serializer": "json"}
    context = context_for(actor or ANONYMOUS) if signed_by else (context_for(actor) if actor else {})
    with ClusterRpcProxy(config, context_data=context, timeout=timeout) as proxy:
        if signed_by is None:
            yield proxy
            return
        # The proxy keeps the dict it was given as its context data; signing updates it.
        yield _Signing(proxy, proxy._worker_ctx.data if hasattr(proxy, "_worker_ctx") else context, timeout, signed_by)


class ActorProxies:
    """``proxies(actor)``: an RPC proxy carrying ``actor`` in the context header (none without
    one), opened on first use and kept for the next calls as that actor; ``close()`` closes
    them all."""

    def __init__(self, amqp_uri: str, timeout: float = 15.0):
        self.amqp_uri, self.timeout = amqp_uri, timeout
        self._stack = ExitStack()
        self._proxies: dict = {}

    def __call__(self, actor=None):
        if actor not in self._proxies:
            self._proxies[actor] = self._stack.enter_context(rpc_proxy(self.amqp_uri, actor, timeout=self.timeout))
        return self._proxies[actor]

    def close(self) -> None:
        self._proxies.clear()
        self._stack.close()
