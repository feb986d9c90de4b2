"""The ``crm`` command: run the platform locally and operate it.

This process never monkey-patches: each service runs in its own process
(``python -m crm_ops.serve <name>``) and the gateway in another (``python -m gateway``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crm_kit.config import ROOT, VAR_DIR, ConfigError, env, env_int, metrics_port, nameko_config, redact
from crm_ops.preflight import Unreachable, check_broker, check_database
from crm_ops.registry import service_names

app = typer.Typer(help="Run and operate the CRM platform.", no_args_is_help=True, add_completion=False)
dlq_app = typer.Typer(help="Parked (dead-lettered) event deliveries.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
pbx_app = typer.Typer(help="The PBX side of telephony: publish call events.", no_args_is_help=True)
app.add_typer(pbx_app, name="pbx")
deploy_app = typer.Typer(help="The deploy files (deploy/), rendered from the service registry.", no_args_is_help=True)
app.add_typer(deploy_app, name="deploy")
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the terminal


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _config() -> dict:
    try:
        return nameko_config()
    except ConfigError as exc:
        _fail(str(exc))


def _services(only: list[str] | None) -> list[str]:
    known = service_names()
    unknown = sorted(set(only or []) - set(known))
    if unknown:
        _fail(f"unknown service(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return only or known


@app.command()
def migrate(services: Annotated[list[str] | None, typer.Argument(help="default: every service")] = None) -> None:
    """Apply each service's alembic migrations to its own database."""
    from crm_ops.migrations import upgrade

    for name in _services(services):
        try:
            check_database(name)
            upgrade(name)
        except (Unreachable, ConfigError) as exc:
            _fail(str(exc))
        console.print(f"migrated [bold]{name}[/bold]")


@app.command()
def topology(
    users: Annotated[
        bool, typer.Option("--users", help="also create or update each process's RabbitMQ user and permissions (crm_ops.users)")
    ] = False,
    user_prefix: Annotated[str, typer.Option(help="user names are <prefix><process>")] = "crm-",
    process: Annotated[
        list[str] | None,
        typer.Option("--process", help="with --users, only these processes' users (e.g. to set one new password)"),
    ] = None,
) -> None:
    """Declare every consumer's queues and exchanges (before any publisher runs); with --users,
    give each process its own RabbitMQ user allowed only what it declares, publishes and consumes."""
    from crm_ops.topology import declare

    config = _config()
    try:
        check_broker(config["AMQP_URI"])
        declared = declare(config)
    except Unreachable as exc:
        _fail(str(exc))
    console.print(f"declared {len(declared)} exchanges and queues on {redact(config['AMQP_URI'])}")
    if users:
        _users(config, user_prefix, process)


def _users(config: dict, prefix: str, processes: list[str] | None) -> None:
    from crm_ops.users import RabbitmqctlError, apply, uri_for, vhost_of

    try:
        applied = apply(config, prefix=prefix, only=processes or None)
    except RabbitmqctlError as exc:
        _fail(str(exc))
    vhost = vhost_of(config["AMQP_URI"])
    for user in applied:
        console.print(f"user {user.user}: permissions of {user.process} set in vhost {vhost}", highlight=False)
    new = [user for user in applied if user.new_password]
    if new:
        # Printed once: the broker keeps only a hash. Put each into the process's secret.
        console.print("new users (their passwords are shown only now):")
        for user in new:
            print(f"{user.uri_variable}={uri_for(config['AMQP_URI'], user.user, user.new_password)}")


def _gateway_exists() -> bool:
    return (ROOT / "gateway" / "__main__.py").exists()


def _ready(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            return json.loads(exc.read())
        except ValueError:
            return {"status": f"http {exc.code}"}
    except (OSError, ValueError):
        return None


def _local_mail_port(names: list[str]) -> int | None:
    """The port of the local SMTP server `crm up` starts for notifications: none when
    notifications is not started, sends elsewhere (NOTIFICATIONS_SMTP_HOST), or a server
    already listens there."""
    if "notifications" not in names or env("NOTIFICATIONS_SMTP_HOST") not in (None, "127.0.0.1", "localhost"):
        return None
    port = env_int("NOTIFICATIONS_SMTP_PORT", 8025, minimum=1, maximum=65535)
    if _port_taken(port):
        console.print(f"an SMTP server already listens on 127.0.0.1:{port}; notifications sends there")
        return None
    return port


def _port_taken(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _gateway_ready(port: int) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
            return reply.status == health_pb2.HealthCheckResponse.SERVING
    except grpc.RpcError:
        return False


@app.command()
def up(
    services: Annotated[list[str] | None, typer.Argument(help="default: every service")] = None,
    gateway: Annotated[bool, typer.Option(help="also start the gRPC gateway")] = True,
    mail: Annotated[bool, typer.Option(help="start a local SMTP server for notifications (letters under var/mail/)")] = True,
    timeout: Annotated[float, typer.Option(help="seconds to wait for each process to be healthy")] = 60.0,
) -> None:
    """Migrate, declare the topology, start every service and the gateway, wait until healthy;
    Ctrl-C stops them all."""
    names = _services(services)
    config = _config()
    try:
        check_broker(config["AMQP_URI"])
        for name in names:
            check_database(name)
    except Unreachable as exc:
        _fail(str(exc))
    migrate(names)
    topology()

    processes: dict[str, subprocess.Popen] = {}
    env = dict(os.environ, PYTHONUNBUFFERED="1")

    def stop_all(code: int = 0) -> None:
        console.print("stopping...")
        for proc in processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, proc in processes.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                err.print(f"{name} did not stop in time; killing it")
                proc.kill()
        raise typer.Exit(code)

    signal.signal(signal.SIGTERM, lambda *_: stop_all(0))
    # Also when started in the background, where a shell leaves SIGINT ignored.
    signal.signal(signal.SIGINT, lambda *_: stop_all(0))
    busy = [f"{name} (:{metrics_port(name)})" for name in names if _ready(metrics_port(name)) is not None]
    if gateway and _gateway_exists() and _port_taken(env_int("GATEWAY_PORT", 50051)):
        busy.append(f"gateway (:{env_int('GATEWAY_PORT', 50051)})")
    if busy:
        _fail(f"already running here: {', '.join(busy)}; stop that platform first (or set the *_PORT variables)")
    try:
        mail_port = _local_mail_port(names) if mail else None
        if mail_port is not None:
            # aiosmtpd's Mailbox handler: every letter a Maildir file under var/mail/new/.
            processes["mail"] = subprocess.Popen(
                [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{mail_port}",
                 "-c", "aiosmtpd.handlers.Mailbox", str(VAR_DIR / "mail")], env=env, cwd=ROOT,
            )
        for name in names:
            # `crm up` is the development platform: the development internal key may be used.
            service_env = {"CRM_ENVIRONMENT": "development", **env}
            processes[name] = subprocess.Popen([sys.executable, "-m", "crm_ops.serve", name], env=service_env, cwd=ROOT)
        if gateway and _gateway_exists():
            # The gateway health-checks every service of the registry unless told otherwise.
            # `crm up` is the development platform: the gateway may use the development secret.
            gateway_env = {"GATEWAY_HEALTH_SERVICES": ",".join(service_names()), "CRM_ENVIRONMENT": "development", **env}
            processes["gateway"] = subprocess.Popen([sys.executable, "-m", "gateway"], env=gateway_env, cwd=ROOT)

        table = Table(title="CRM platform")
        for column in ("process", "pid", "health", "metrics"):
            table.add_column(column)
        for name, proc in processes.items():
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    err.print(f"[red]{name} exited with code {proc.returncode}[/red]; stopping the others")
                    stop_all(1)
                if name == "mail":
                    healthy = _port_taken(mail_port)
                    where = (f"smtp 127.0.0.1:{mail_port}", f"letters in {VAR_DIR / 'mail' / 'new'}")
                elif name == "gateway":
                    port = env_int("GATEWAY_PORT", 50051)
                    healthy = _gateway_ready(port)
                    where = (f"grpc 127.0.0.1:{port} (grpc.health.v1)", f"http://127.0.0.1:{env_int('GATEWAY_METRICS_PORT', 9100)}/metrics")
                else:
                    port = metrics_port(name)
                    ready = _ready(port)
                    healthy = bool(ready and ready.get("status") == "ready")
                    where = (f"http://127.0.0.1:{port}/health/ready", f"http://127.0.0.1:{port}/metrics")
                if healthy:
                    table.add_row(name, str(proc.pid), *where)
                    break
                if time.monotonic() > deadline:
                    err.print(f"[red]{name} is not healthy after {timeout:.0f}s[/red]; stopping everything")
                    stop_all(1)
                time.sleep(0.3)
        console.print(table)
        console.print("all healthy; Ctrl-C stops them all")
        while True:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    err.print(f"[red]{name} exited with code {proc.returncode}[/red]; stopping the others")
                    stop_all(1)
            time.sleep(1)
    except KeyboardInterrupt:
        stop_all(0)


@app.command()
def status() -> None:
    """Each service's health, queue depths, outbox backlog and parked messages."""
    from kombu import Connection

    from crm_kit import dead_letters
    from crm_ops.registry import service_class
    from crm_ops.topology import batch_queues, handler_queues

    config = _config()
    table = Table(title="services")
    for column in ("service", "health", "database", "broker", "outbox backlog", "parked", "queues (ready/consumers)"):
        table.add_column(column)
    try:
        check_broker(config["AMQP_URI"])
    except Unreachable as exc:
        _fail(str(exc))
    with Connection(config["AMQP_URI"], connect_timeout=3) as conn:
        channel = conn.channel()

        def depth(queue_name: str) -> tuple[int, int] | None:
            nonlocal channel
            try:
                _, messages, consumers = channel.queue_declare(queue_name, passive=True)
                return messages, consumers
            except Exception:
                channel = conn.channel()  # a passive declare of a missing queue closes the channel
                return None

        for name in service_names():
            ready = _ready(metrics_port(name))
            checks = (ready or {}).get("checks", {})
            parked = depth(dead_letters.dlq_name(name))
            queues = []
            for handler in handler_queues(service_class(name), config):
                found = depth(handler.name)
                queues.append(f"{handler.event_type}: " + (f"{found[0]}/{found[1]}" if found else "missing"))
            for queue_name in batch_queues(service_class(name), config):
                found = depth(queue_name)
                queues.append(f"{queue_name}: " + (f"{found[0]}/{found[1]}" if found else "missing"))
            table.add_row(
                name,
                (ready or {}).get("status", "down"),
                checks.get("database", "-"),
                checks.get("broker", "-"),
                str((ready or {}).get("outbox_backlog", "-")),
                str(parked[0]) if parked else "0",
                "\n".join(queues) or "-",
            )
    console.print(table)


@dlq_app.command("list")
def dlq_list(
    service: Annotated[str, typer.Argument(help="the service whose parked messages to show")],
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """Show parked messages with their error, origin queue and attempts (they stay parked)."""
    from crm_kit.dead_letters import iter_parked

    _services([service])
    config = _config()
    try:
        check_broker(config["AMQP_URI"])
    except Unreachable as exc:
        _fail(str(exc))
    parked = list(iter_parked(config["AMQP_URI"], service, limit))
    if as_json:
        for item in parked:
            print(json.dumps(item.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"parked messages of {service} ({len(parked)})")
    for column in ("queue", "attempts", "parked at", "error", "body"):
        table.add_column(column, overflow="fold")
    for item in parked:
        table.add_row(item.queue, str(item.attempts), item.parked_at, item.error, item.body[:200])
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(
    service: Annotated[str, typer.Argument(help="the service whose parked messages to replay")],
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 1000,
) -> None:
    """Send parked messages back to the queues they came from, with fresh attempts."""
    from crm_kit.dead_letters import replay_parked

    _services([service])
    config = _config()
    try:
        check_broker(config["AMQP_URI"])
    except Unreachable as exc:
        _fail(str(exc))
    count = replay_parked(config["AMQP_URI"], service, limit)
    console.print(f"replayed {count} message(s) of {service}")


def _pbx_publisher():
    """A connected call-event publisher for AMQP_URI, or one clear line and exit 2."""
    from telephony.publisher import CallEventPublisher

    config = _config()
    try:
        check_broker(config["AMQP_URI"])
    except Unreachable as exc:
        _fail(str(exc))
    return CallEventPublisher(config["AMQP_URI"]), redact(config["AMQP_URI"])


@pbx_app.command("simulate")
def pbx_simulate(
    calls: Annotated[int, typer.Option(min=1, max=1_000_000, help="how many calls to simulate")] = 10,
    rate: Annotated[float, typer.Option(min=0.01, help="events per second")] = 10.0,
    seed: Annotated[int | None, typer.Option(help="for a repeatable stream")] = None,
) -> None:
    """Publish realistic call-event streams (with duplicates and out-of-order events) at RATE events/s."""
    import random

    from pika.exceptions import AMQPError, NackError, UnroutableError

    from telephony.simulator import send_chunks_at_rate, simulate

    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    events = simulate(calls, seed)
    publisher, where = _pbx_publisher()
    counts = {"published": 0, "confirmed": 0}

    def send(chunk: list[dict]) -> None:
        counts["published"] += len(chunk)
        try:
            publisher.publish_many(chunk)
        except (NackError, UnroutableError) as exc:
            err.print(f"not confirmed: events {chunk[0]['event_id']}.. ({type(exc).__name__})", highlight=False)
            return
        counts["confirmed"] += len(chunk)

    try:
        with publisher:
            send_chunks_at_rate(send, events, rate)
    except AMQPError as exc:
        _fail(f"lost RabbitMQ at {where} after {counts['confirmed']} confirmed event(s) ({type(exc).__name__}: {exc})")
    except KeyboardInterrupt:
        console.print(f"interrupted: published {counts['published']}, confirmed {counts['confirmed']}")
        raise typer.Exit(130) from None
    console.print(
        f"published {counts['published']} event(s) of {calls} call(s), {counts['confirmed']} confirmed (seed {seed})",
        highlight=False,
    )
    if counts["confirmed"] != counts["published"]:
        raise typer.Exit(1)


@pbx_app.command("send")
def pbx_send(
    call_id: Annotated[str, typer.Option(help="the PBX's call id")],
    kind: Annotated[str, typer.Option(help="ringing, answered, ended, missed or transferred")],
    caller: Annotated[str, typer.Option(help="the calling number, as the PBX gives it")],
    callee: Annotated[str, typer.Option(help="the called number, as the PBX gives it")],
    extension: Annotated[str | None, typer.Option(help="the internal extension")] = None,
    direction: Annotated[str, typer.Option(help="incoming or outgoing")] = "incoming",
    duration: Annotated[int | None, typer.Option("--duration", min=0, help="seconds, for an ended call")] = None,
    transferred_to: Annotated[str | None, typer.Option(help="for a transferred call")] = None,
    recording_url: Annotated[str | None, typer.Option(help="a link to the recording")] = None,
    event_id: Annotated[str | None, typer.Option(help="default: a new UUID")] = None,
    occurred_at: Annotated[str | None, typer.Option(help="ISO 8601 with offset; default: now")] = None,
) -> None:
    """Publish one call event and wait for the broker's confirm."""
    import uuid
    from datetime import UTC, datetime

    from pika.exceptions import AMQPError

    from contracts.telephony import validate_call_event
    from crm_kit.errors import ValidationError

    event = {
        "call_id": call_id, "event_id": event_id or str(uuid.uuid4()), "kind": kind, "direction": direction,
        "caller": caller, "callee": callee, "extension": extension,
        "occurred_at": occurred_at or datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "duration_s": duration, "transferred_to": transferred_to, "recording_url": recording_url,
    }
    try:
        event = validate_call_event(event)
    except ValidationError as exc:
        _fail("; ".join(f"{field} {', '.join(msgs)}" for field, msgs in exc.details.items()))
    publisher, where = _pbx_publisher()
    try:
        with publisher:
            publisher.publish(event)
    except AMQPError as exc:
        _fail(f"RabbitMQ at {where} did not confirm the event ({type(exc).__name__}: {exc})")
    console.print(f"published and confirmed {event['kind']} of call {event['call_id']} (event {event['event_id']})", highlight=False)


@app.command()
def token(
    user: Annotated[str, typer.Option(help="user id (the token's subject)")] = "dev",
    role: Annotated[list[str] | None, typer.Option(help="admin, head_of_sales, manager, service; repeat for more")] = None,
    region: Annotated[list[str] | None, typer.Option(help="a region the user works in; repeat for more")] = None,
    department: Annotated[str | None, typer.Option(help="the user's department")] = None,
    scope: Annotated[list[str] | None, typer.Option(help="for service tokens: pbx, bi...; repeat for more")] = None,
    ttl: Annotated[int, typer.Option(min=60, max=31_536_000, help="seconds the token is valid")] = 8 * 3600,
) -> None:
    """Mint a development token (HS256, JWT_SECRET or the development secret) for the gateway."""
    from gateway.auth import mint_token
    from gateway.config import ConfigError as GatewayConfigError
    from gateway.config import load_config

    roles = role or ["manager"]
    unknown = sorted(set(roles) - {"admin", "head_of_sales", "manager", "service"})
    if unknown:
        _fail(f"unknown role(s): {', '.join(unknown)}; use admin, head_of_sales, manager or service")
    try:
        # A development tool: it mints with the development secret unless JWT_SECRET is set.
        config = load_config({"CRM_ENVIRONMENT": "development", **os.environ})
    except GatewayConfigError as exc:
        _fail(str(exc))
    if not config.jwt_secret:
        _fail("JWT_SECRET is not set (the gateway checks RS256 tokens only): mint tokens with your identity provider")
    print(mint_token(
        config.jwt_secret, user, roles, regions=region or (), department=department, scopes=scope or (),
        ttl_seconds=ttl, issuer=config.jwt_issuer, audience=config.jwt_audience,
    ))


@app.command()
def serve(service: Annotated[str, typer.Argument(help="the service to run in this process")]) -> None:
    """Run one service in the foreground (what `crm up` starts for each)."""
    _services([service])
    os.execv(sys.executable, [sys.executable, "-m", "crm_ops.serve", service])


@deploy_app.command("render")
def deploy_render(
    check: Annotated[bool, typer.Option("--check", help="change nothing; fail if a rendered file differs")] = False,
    validate: Annotated[bool, typer.Option("--validate", help="also check against the Kubernetes and compose schemas")] = False,
) -> None:
    """Write deploy/ from deploy/templates for every service in the registry (crm_ops/deploy.py)."""
    from crm_ops.deploy import main as render_main

    code = render_main([*(["--check"] if check else []), *(["--validate"] if validate else [])])
    if code:
        raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
