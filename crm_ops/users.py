"""A RabbitMQ user per process, allowed only what that process declares, publishes and consumes.

``crm topology --users`` creates or updates, in the vhost of AMQP_URI, one user per service
(``crm-<service>``), one for the gateway (``crm-gateway``) and one for the PBX adapter
(``crm-pbx``), with ``rabbitmqctl`` (set RABBITMQCTL to reach a remote node, e.g.
``kubectl exec -i rabbitmq-0 -- rabbitmqctl``). What each may do is computed from the registry
and the services' entrypoints, the same source ``declare`` uses:

- configure (declare): its own queues (RPC, reply, event handler, batch, replay, their retry
  queues and its dead-letter queue) and the exchanges it declares;
- write (publish; bind *to* a queue): the exchanges it publishes to and its own queues;
- read (consume, purge; bind *from* an exchange): its own queues and the exchanges it binds from;
- topic permissions, on every topic exchange (``nameko-rpc``, each ``<service>.events``,
  ``telephony.calls``): publish only the routing keys it sends (the RPCs of the services it calls,
  replies, its own event types), bind only the keys it consumes (its ``<service>.*``, its
  reply key, the event types it handles). A topic exchange with no topic permission for a user
  allows every key, so every user gets one on every topic exchange (``^$``: nothing).

A user's password comes from ``AMQP_PASSWORD_<PROCESS>`` (e.g. AMQP_PASSWORD_DEALS; production:
from its secret store), else a new user gets a random one, printed once as its AMQP URI; an
existing user keeps its password. Applying is idempotent.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from nameko.containers import ServiceContainer
from nameko.events import SERVICE_POOL, EventHandler
from nameko.rpc import Rpc, RpcProxy

from crm_kit import dead_letters
from crm_ops.registry import service_class, service_names

RPC_EXCHANGE = "nameko-rpc"
DEFAULT_EXCHANGE = "amq.default"  # what publishing to "" is checked against
REPLAY_EXCHANGE = "replay"
GATEWAY = "gateway"
PBX = "pbx"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTHING = "^$"
DEFAULT_PREFIX = "crm-"
USERS_IN_PARALLEL = 4


@dataclass
class Grant:
    """What one process's user may do: regular expressions as ``rabbitmqctl`` takes them."""

    process: str
    configure: list[str] = field(default_factory=list)  # each an unanchored alternative
    write: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    topic_write: dict[str, list[str]] = field(default_factory=dict)  # exchange -> routing keys
    topic_read: dict[str, list[str]] = field(default_factory=dict)

    def permissions(self) -> tuple[str, str, str]:
        return _regex(self.configure), _regex(self.write), _regex(self.read)

    def topics(self, exchanges: list[str]) -> list[tuple[str, str, str]]:
        """(exchange, write, read) for every topic exchange: ``^$`` where the process has nothing."""
        return [(name, _regex(self.topic_write.get(name, [])), _regex(self.topic_read.get(name, []))) for name in exchanges]


def _regex(alternatives: list[str]) -> str:
    unique = sorted(set(alternatives))
    return f"^({'|'.join(unique)})$" if unique else NOTHING


def _exact(name: str) -> str:
    return re.escape(name)


def _with_retries(queue: str) -> str:
    """The queue and its retry (delay) queues, whatever RETRY_DELAYS_S is."""
    return f"{re.escape(queue)}(\\.retry\\.[0-9]+\\.[0-9]+ms)?"


def own_event_types(service: str) -> list[str]:
    """The routing keys of the events ``service`` publishes: its contracts in contracts/<service>.py."""
    import importlib

    from crm_kit.contracts import EventContract

    try:
        module = importlib.import_module(f"contracts.{service}")
    except ModuleNotFoundError:
        return []
    return sorted({value.routing_key for value in vars(module).values() if isinstance(value, EventContract) and value.source == service})


def exposed_rpcs(service: str) -> list[str]:
    """``<service>.<method>`` of every RPC not marked internal: what the gateway may call."""
    names = []
    for name, member in vars(service_class(service)).items():
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, Rpc) and not getattr(entrypoint, "internal", False):
                names.append(f"{service}.{name}")
    return sorted(names)


def _replay_consumers(source: str, config: dict) -> list[str]:
    """The services whose Backfill asks ``source`` for a replay (it declares their replay queue)."""
    from crm_kit.replay import Backfill

    consumers = []
    for name in service_names():
        container = ServiceContainer(service_class(name), config)
        if any(isinstance(dep, Backfill) and source in dep.sources for dep in container.dependencies):
            consumers.append(name)
    return consumers


def service_grant(cls: type, config: dict, topic_exchanges: list[str]) -> Grant:
    from crm_kit.batch import BatchConsumer
    from crm_kit.replay import Backfill, Replayer

    container = ServiceContainer(cls, config)
    service = container.service_name
    grant = Grant(service)
    own_queues = [_exact(dead_letters.dlq_name(service))]
    events = f"{service}.events"
    # Its events exchange (the outbox and nameko's dispatcher declare it) and the default
    # exchange (retries and parking republish there, by queue name).
    grant.configure += [_exact(events), _exact(RPC_EXCHANGE)]
    grant.write += [_exact(events), _exact(DEFAULT_EXCHANGE)]
    grant.topic_write[events] = [_exact(key) for key in own_event_types(service)]
    entrypoints = container.entrypoints
    if any(isinstance(ep, Rpc) for ep in entrypoints):
        own_queues.append(_exact(f"rpc-{service}"))
        grant.read.append(_exact(RPC_EXCHANGE))
        grant.write.append(_exact(RPC_EXCHANGE))  # replies
        grant.topic_read.setdefault(RPC_EXCHANGE, []).append(_exact(f"{service}.*"))
        # Replies go to the caller's reply_to: a uuid (nameko) or the gateway's queue name.
        grant.topic_write.setdefault(RPC_EXCHANGE, []).extend([UUID, f"rpc\\.reply-[a-z_]+-{UUID}"])
    for ep in entrypoints:
        if isinstance(ep, EventHandler):
            queue = f"evt-{ep.source_service}-{ep.event_type}--{service}.{ep.method_name}"
            own_queues.append(_with_retries(queue) if ep.handler_type == SERVICE_POOL else f"{re.escape(queue)}-.+")
            source = f"{ep.source_service}.events"
            grant.configure.append(_exact(source))
            grant.read.append(_exact(source))
            grant.topic_read.setdefault(source, []).append(_exact(ep.event_type))
        elif isinstance(ep, BatchConsumer):
            own_queues.append(_with_retries(ep.queue_name))
            grant.configure.append(_exact(ep.exchange_name))
            grant.read.append(_exact(ep.exchange_name))
            grant.topic_read.setdefault(ep.exchange_name, []).append(_exact(ep.routing_key))
    callees = sorted({dep.target_service for dep in container.dependencies if isinstance(dep, RpcProxy)})
    backfill = [dep for dep in container.dependencies if isinstance(dep, Backfill)]
    callees = sorted(set(callees) | {source for dep in backfill for source in dep.sources})
    if callees:
        grant.write.append(_exact(RPC_EXCHANGE))
        grant.read.append(_exact(RPC_EXCHANGE))
        grant.topic_write.setdefault(RPC_EXCHANGE, []).extend(f"{re.escape(name)}\\.[a-z_][a-z0-9_]*" for name in callees)
        grant.topic_read.setdefault(RPC_EXCHANGE, []).append(UUID)  # its reply queues' binding
        own_queues.append(f"rpc\\.reply-{re.escape(service)}-{UUID}")
    if backfill:  # asks with nameko's standalone proxy, whose reply queue is named for it
        own_queues.append(f"rpc\\.reply-standalone_rpc_proxy-{UUID}")
    if any(isinstance(dep, Replayer) for dep in container.dependencies):
        grant.configure.append(_exact(REPLAY_EXCHANGE))
        grant.write.append(_exact(REPLAY_EXCHANGE))
        grant.read.append(_exact(REPLAY_EXCHANGE))  # it declares and binds the consumer's queue
        for consumer in _replay_consumers(service, config):
            grant.configure.append(_exact(f"replay.{consumer}"))
            grant.write.append(_exact(f"replay.{consumer}"))
    grant.configure += own_queues
    grant.write += own_queues
    grant.read += own_queues
    return grant


def gateway_grant(services: list[str]) -> Grant:
    from contracts.telephony import BINDING_KEY, EXCHANGE, QUEUE

    grant = Grant(GATEWAY)
    reply = f"rpc\\.reply-gateway-{UUID}"
    card = f"gateway-card-cache-{UUID}"
    events = [_exact(f"{name}.events") for name in services]
    grant.configure = [reply, card, _exact(RPC_EXCHANGE), _exact(EXCHANGE), _exact(QUEUE), *events]
    grant.write = [reply, card, _exact(RPC_EXCHANGE), _exact(EXCHANGE), _exact(QUEUE)]
    grant.read = [reply, card, _exact(RPC_EXCHANGE), _exact(EXCHANGE), *events]
    grant.topic_write[RPC_EXCHANGE] = [_exact(name) for service in services for name in exposed_rpcs(service)]
    grant.topic_read[RPC_EXCHANGE] = [reply]
    grant.topic_write[EXCHANGE] = ["call\\.[a-z_]+"]
    grant.topic_read[EXCHANGE] = [_exact(BINDING_KEY)]
    for name in services:  # the card cache hears every event of the services it shows
        grant.topic_read[f"{name}.events"] = [_exact("#")]
    return grant


def pbx_grant() -> Grant:
    from contracts.telephony import BINDING_KEY, EXCHANGE, QUEUE

    grant = Grant(PBX)
    grant.configure = [_exact(EXCHANGE), _exact(QUEUE)]
    grant.write = [_exact(EXCHANGE), _exact(QUEUE)]
    grant.read = [_exact(EXCHANGE)]
    grant.topic_write[EXCHANGE] = ["call\\.[a-z_]+"]
    grant.topic_read[EXCHANGE] = [_exact(BINDING_KEY)]
    return grant


def topic_exchanges(services: list[str]) -> list[str]:
    from contracts.telephony import EXCHANGE

    return [RPC_EXCHANGE, EXCHANGE, *(f"{name}.events" for name in services)]


def grants(config: dict, services: list[str] | None = None) -> list[Grant]:
    """Every process's grant: each service's, the gateway's and the PBX adapter's."""
    names = services if services is not None else service_names()
    exchanges = topic_exchanges(names)
    found = [service_grant(service_class(name), config, exchanges) for name in names]
    return [*found, gateway_grant(names), pbx_grant()]


def password_variable(process: str) -> str:
    return f"AMQP_PASSWORD_{process.upper().replace('-', '_')}"


def uri_variable(process: str) -> str:
    """The deploy secret's key holding the process's AMQP URI."""
    return f"AMQP_URI_{process.upper().replace('-', '_')}"


def uri_for(amqp_uri: str, user: str, password: str) -> str:
    """``amqp_uri`` (host, port, vhost) with another user and password."""
    parts = urlsplit(amqp_uri)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def vhost_of(amqp_uri: str) -> str:
    path = urlsplit(amqp_uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


class RabbitmqctlError(RuntimeError):
    pass


def rabbitmqctl() -> list[str]:
    """The command that reaches the node: RABBITMQCTL (split like a shell) or rabbitmqctl on PATH."""
    configured = os.environ.get("RABBITMQCTL", "").strip()
    if configured:
        return shlex.split(configured)
    found = shutil.which("rabbitmqctl")
    if not found:
        raise RabbitmqctlError("rabbitmqctl not found: install it or set RABBITMQCTL (e.g. 'kubectl exec -i rabbitmq-0 -- rabbitmqctl')")
    return [found]


def _ctl(*args: str, stdin: str | None = None) -> str:
    # A password travels on stdin, never on the command line (ps shows arguments).
    done = subprocess.run([*rabbitmqctl(), "-q", *args], input=stdin, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RabbitmqctlError(f"rabbitmqctl {args[0]} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def existing_users() -> set[str]:
    out = _ctl("list_users", "--no-table-headers")
    return {line.split("\t")[0].strip() for line in out.splitlines() if line.strip()}


@dataclass(frozen=True)
class Applied:
    process: str
    user: str
    uri_variable: str
    new_password: str | None  # set when it was generated here (print it once)


def apply(
    config: dict,
    *,
    prefix: str = DEFAULT_PREFIX,
    services: list[str] | None = None,
    environ: dict[str, str] | None = None,
    only: list[str] | None = None,
) -> list[Applied]:
    """Create or update every process's user (or ``only`` those processes') and its permissions
    in AMQP_URI's vhost. RabbitmqctlError names a process in ``only`` that does not exist."""
    environ = os.environ if environ is None else environ
    vhost = vhost_of(config["AMQP_URI"])
    names = services if services is not None else service_names()
    exchanges = topic_exchanges(names)
    users = existing_users()

    def apply_one(grant: Grant) -> Applied:
        user = f"{prefix}{grant.process}"
        given = environ.get(password_variable(grant.process))
        generated = None
        if user not in users:
            generated = None if given else secrets.token_urlsafe(24)
            _ctl("add_user", user, stdin=f"{given or generated}\n")
        elif given:
            _ctl("change_password", user, stdin=f"{given}\n")
        _ctl("set_permissions", "-p", vhost, user, *grant.permissions())
        _ctl("clear_topic_permissions", "-p", vhost, user)
        for exchange, write, read in grant.topics(exchanges):
            _ctl("set_topic_permissions", "-p", vhost, user, exchange, write, read)
        return Applied(grant.process, user, uri_variable(grant.process), generated)

    # Each rabbitmqctl call starts an Erlang VM (about a second): the users are set side by side,
    # each user's own calls in order.
    chosen = grants(config, names)
    if only is not None:
        unknown = sorted(set(only) - {grant.process for grant in chosen})
        if unknown:
            raise RabbitmqctlError(f"no such process: {', '.join(unknown)} (processes: {', '.join(g.process for g in chosen)})")
        chosen = [grant for grant in chosen if grant.process in only]
    with ThreadPoolExecutor(max_workers=USERS_IN_PARALLEL) as pool:
        return list(pool.map(apply_one, chosen))
