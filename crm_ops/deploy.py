"""The deploy files, rendered from the service registry: ``crm deploy render`` (or
``python -m crm_ops.deploy``).

Every folder under ``services/`` with a ``service.py`` gets, with no edit anywhere else: its
compose service, database, migrate variable and Prometheus job; its Kubernetes Deployment,
PodDisruptionBudget and KEDA ScaledObject (a RabbitMQ trigger per queue it consumes, as
crm_ops.topology knows them); its database URL in the Secret and in the migrate Job; its entry in
the gateway's health checks (``GATEWAY_HEALTH_SERVICES``); its metrics port in the image.

The templates are ``deploy/templates/**.j2`` (Jinja2); each renders to the same path under
``deploy/`` without ``.j2``, and a path with ``__service__`` renders once per service. Files of
deploy/ without a template are written by hand (the gateway, the overlays, the init script).
``--check`` fails when a committed file differs from what the registry renders (a new service
folder without a render, or a hand edit of a rendered file); ``--validate`` checks the files
against the Kubernetes and compose schemas, offline (crm_ops.deploy_validation).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2

from crm_kit.config import ROOT, default_metrics_port, nameko_config
from crm_ops.registry import service_class, service_names
from crm_ops.topology import ConsumedQueue, consumed_queues

DEPLOY_DIR = ROOT / "deploy"
TEMPLATES = "templates"
PER_SERVICE = "__service__"

# A service's replicas in the base (a development cluster); overlays patch both.
BASE_MIN_REPLICAS = 2
BASE_MAX_REPLICAS = 4

# Ready messages one replica is expected to work off before KEDA adds another. An RPC waits
# for its answer, so its queue should stay short; an event may wait a little; the PBX call
# events arrive in thousands a second and one replica takes them in batches of a thousand.
MESSAGES_PER_REPLICA = {"rpc": 20, "event": 200, "batch": 5000}
QUEUE_PURPOSE = {
    "rpc": "its RPC queue: calls from the gateway and the other services",
    "event": "an event handler's queue",
    "batch": "a batch consumer's queue",
}


@dataclass(frozen=True)
class ScaledQueue:
    name: str
    kind: str
    messages_per_replica: int
    why: str


@dataclass(frozen=True)
class DeployedService:
    """What the deploy files say about one service folder."""

    name: str
    metrics_port: int
    queues: tuple[ScaledQueue, ...]

    @property
    def k8s_name(self) -> str:
        # Kubernetes names are DNS labels: no underscores.
        return self.name.replace("_", "-")

    @property
    def database(self) -> str:
        """Its PostgreSQL database and role (deploy/postgres-init makes one per service)."""
        return self.name

    @property
    def database_url_variable(self) -> str:
        return f"{self.name.upper()}_DATABASE_URL"

    @property
    def amqp_uri_variable(self) -> str:
        """The secret's key holding the service's own broker URI (its user: crm_ops.users)."""
        return f"AMQP_URI_{self.name.upper()}"


def scaled_queue(queue: ConsumedQueue) -> ScaledQueue:
    why = f"{QUEUE_PURPOSE[queue.kind]}, {MESSAGES_PER_REPLICA[queue.kind]} ready messages a replica"
    return ScaledQueue(queue.name, queue.kind, MESSAGES_PER_REPLICA[queue.kind], why)


def deployed_services() -> list[DeployedService]:
    """Every service in the registry, with the port and queues its deploy files carry."""
    services = []
    for name in service_names():
        queues = consumed_queues(service_class(name), nameko_config(name))
        services.append(DeployedService(name, default_metrics_port(name), tuple(scaled_queue(q) for q in queues)))
    return services


def render(services: list[DeployedService], deploy_dir: Path = DEPLOY_DIR) -> dict[Path, str]:
    """{path relative to deploy/: text} for every template under ``deploy_dir/templates``."""
    templates = deploy_dir / TEMPLATES
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,  # a misspelt field fails the render, not the cluster
        keep_trailing_newline=True,
        autoescape=False,
    )
    context = {
        "services": services,
        "gateway_health_services": ",".join(service.name for service in services),
        "scaling": {"min_replicas": BASE_MIN_REPLICAS, "max_replicas": BASE_MAX_REPLICAS},
    }
    rendered: dict[Path, str] = {}
    for source in sorted(templates.rglob("*.j2")):
        relative = source.relative_to(templates)
        template = environment.get_template(relative.as_posix())
        target = relative.with_suffix("")
        if PER_SERVICE in target.name:
            for service in services:
                name = target.name.replace(PER_SERVICE, service.name)
                rendered[target.with_name(name)] = template.render(context, service=service)
        else:
            rendered[target] = template.render(context)
    return rendered


def _per_service_dirs(deploy_dir: Path) -> list[Path]:
    """The folders (relative to deploy/) that hold one rendered file per service: a file there
    that no service renders is left over from a removed service."""
    templates = deploy_dir / TEMPLATES
    return sorted({path.relative_to(templates).parent for path in templates.rglob(f"*{PER_SERVICE}*.j2")})


def _leftovers(rendered: dict[Path, str], deploy_dir: Path) -> list[Path]:
    leftovers = []
    for folder in _per_service_dirs(deploy_dir):
        for path in sorted((deploy_dir / folder).glob("*")):
            relative = path.relative_to(deploy_dir)
            if path.is_file() and relative not in rendered:
                leftovers.append(relative)
    return leftovers


def differences(rendered: dict[Path, str], deploy_dir: Path = DEPLOY_DIR) -> list[str]:
    """What differs between ``rendered`` and the files under ``deploy_dir``, one line each."""
    found = []
    for relative, text in rendered.items():
        path = deploy_dir / relative
        if not path.exists():
            found.append(f"deploy/{relative.as_posix()} is missing")
        elif path.read_text() != text:
            found.append(f"deploy/{relative.as_posix()} differs from its template's render")
    found.extend(f"deploy/{relative.as_posix()} belongs to no service" for relative in _leftovers(rendered, deploy_dir))
    return found


def write(rendered: dict[Path, str], deploy_dir: Path = DEPLOY_DIR) -> list[str]:
    """Write what differs and remove leftovers; returns the paths changed."""
    changed = []
    for relative, text in rendered.items():
        path = deploy_dir / relative
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(f"wrote deploy/{relative.as_posix()}")
    for relative in _leftovers(rendered, deploy_dir):
        (deploy_dir / relative).unlink()
        changed.append(f"removed deploy/{relative.as_posix()}")
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_ops.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; fail if a rendered file differs")
    parser.add_argument("--validate", action="store_true", help="also check the files against the Kubernetes and compose schemas")
    args = parser.parse_args(argv)
    rendered = render(deployed_services())
    if args.check:
        problems = differences(rendered)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            print("the deploy files are stale: run `crm deploy render` (or python -m crm_ops.deploy)", file=sys.stderr)
            return 1
    else:
        for line in write(rendered):
            print(line)
    if args.validate:
        from crm_ops.deploy_validation import validate

        problems = validate(DEPLOY_DIR)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        print("deploy files valid: the Kubernetes manifests (kustomize build), the ScaledObjects and the compose file")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
