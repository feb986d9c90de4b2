"""Where a service must appear in the deploy files, read back from the files themselves."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from crm_ops.deploy import DeployedService
from crm_ops.deploy_validation import kubectl


def kustomize(folder: Path) -> list[dict]:
    built = subprocess.run([kubectl(), "kustomize", str(folder)], capture_output=True, text=True, check=True)
    return [obj for obj in yaml.safe_load_all(built.stdout) if obj]


def _one(objects: list[dict], kind: str, name: str) -> dict | None:
    return next((o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name), None)


def _env_names(container: dict) -> set[str]:
    return {variable["name"] for variable in container.get("env", [])}


def missing_artefacts(deploy_dir: Path, service: DeployedService, base: list[dict]) -> list[str]:
    """The artefacts of ``deploy_dir`` that lack ``service`` (``base``: k8s/base, built)."""
    missing = []
    name, variable, port = service.name, service.database_url_variable, service.metrics_port

    compose = yaml.safe_load((deploy_dir / "compose.yaml").read_text())["services"]
    own = compose.get(name)
    if not own or own.get("command") != ["serve", name] or own["environment"].get("METRICS_PORT") != str(port):
        missing.append("compose service")
    elif variable not in own["environment"] or str(port) not in str(own["healthcheck"]["test"]):
        missing.append("compose service's database or healthcheck")
    if variable not in compose["migrate"]["environment"]:
        missing.append("compose migrate variable")
    if name not in compose["postgres"]["environment"]["CRM_SERVICE_DATABASES"].split():
        missing.append("compose database")
    if name not in compose["gateway"]["environment"]["GATEWAY_HEALTH_SERVICES"].split(","):
        missing.append("compose gateway health entry")
    if name not in compose["prometheus"]["depends_on"]:
        missing.append("compose prometheus dependency")

    jobs = yaml.safe_load((deploy_dir / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    if not any(job["job_name"] == name and job["dns_sd_configs"][0]["port"] == port for job in jobs):
        missing.append("prometheus scrape job")

    deployment = _one(base, "Deployment", service.k8s_name)
    if deployment is None:
        missing.append("Kubernetes Deployment")
    else:
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        if container["args"] != ["serve", name] or {"METRICS_PORT", "AMQP_URI", variable} - _env_names(container):
            missing.append("Kubernetes Deployment's command or environment")
    if _one(base, "PodDisruptionBudget", service.k8s_name) is None:
        missing.append("PodDisruptionBudget")
    scaled = _one(base, "ScaledObject", service.k8s_name)
    wanted_queues = {queue.name for queue in service.queues}
    if scaled is None or {t["metadata"].get("queueName") for t in scaled["spec"]["triggers"]} != (wanted_queues or {None}):
        missing.append("KEDA ScaledObject with a trigger per queue")
    secret = next(o for o in base if o["kind"] == "Secret")
    if variable not in secret["data"]:
        missing.append("database URL in the Secret")
    migrate = _one(base, "Job", "crm-migrate")
    if variable not in _env_names(migrate["spec"]["template"]["spec"]["initContainers"][0]):
        missing.append("migrate Job variable")
    config = next(o for o in base if o["kind"] == "ConfigMap")
    if name not in config["data"]["GATEWAY_HEALTH_SERVICES"].split(","):
        missing.append("gateway health entry (ConfigMap)")

    example = (deploy_dir / "k8s" / "overlays" / "production" / "secrets.env.example").read_text()
    if not re.search(rf"^{variable}=", example, re.MULTILINE):
        missing.append("database URL in secrets.env.example")
    expose = next(line for line in (deploy_dir / "Dockerfile").read_text().splitlines() if line.startswith("EXPOSE"))
    if str(port) not in expose.split():
        missing.append("metrics port in the image's EXPOSE")
    return missing
