"""The deploy files follow the service registry: every service appears in every artefact, the
committed files are what the registry renders, they pass the offline schema checks, and a new
service folder is all a new service needs."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import crm_kit.config
import services
from crm_kit.config import DEFAULT_METRICS_PORTS, default_metrics_port
from crm_ops.deploy import DEPLOY_DIR, deployed_services, differences, render, write
from crm_ops.deploy_validation import built_kustomizations, validate
from crm_ops.registry import service_class, service_names
from tests.unit.deploy.artefacts import kustomize, missing_artefacts

SERVICES = {service.name: service for service in deployed_services()}


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return kustomize(DEPLOY_DIR / "k8s" / "base")


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY_DIR, copy, ignore=shutil.ignore_patterns("secrets.env"))
    return copy


def test_the_registry_holds_todays_services():
    assert {"partners", "deals", "interactions"} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_appears_in_every_deploy_artefact(name: str, base: list[dict]):
    assert missing_artefacts(DEPLOY_DIR, SERVICES[name], base) == []


def test_the_committed_deploy_files_are_what_the_registry_renders():
    assert differences(render(list(SERVICES.values()))) == []


def test_the_committed_deploy_files_pass_the_offline_checks():
    assert validate(DEPLOY_DIR) == []


def test_interactions_scales_on_its_rpc_queue_and_the_pbx_call_events(base: list[dict]):
    scaled = next(o for o in base if o["kind"] == "ScaledObject" and o["metadata"]["name"] == "interactions")
    queues = {trigger["metadata"]["queueName"]: trigger["metadata"] for trigger in scaled["spec"]["triggers"]}

    assert {"rpc-interactions", "telephony.calls.interactions"} <= set(queues)
    assert all(t["type"] == "rabbitmq" and t["metadata"]["mode"] == "QueueLength" for t in scaled["spec"]["triggers"])
    assert int(queues["telephony.calls.interactions"]["value"]) > int(queues["rpc-interactions"]["value"])


def test_production_bounds_every_service_and_the_gateway():
    production = dict(built_kustomizations(DEPLOY_DIR / "k8s"))["k8s/overlays/production"]  # secrets.env from its example
    scaled = {o["metadata"]["name"]: o["spec"] for o in production if o["kind"] == "ScaledObject"}
    gateway = next(o["spec"] for o in production if o["kind"] == "HorizontalPodAutoscaler")

    assert set(scaled) == {service.k8s_name for service in SERVICES.values()}
    assert {(spec["minReplicaCount"], spec["maxReplicaCount"]) for spec in scaled.values()} == {(3, 10)}
    assert (gateway["minReplicas"], gateway["maxReplicas"]) == (3, 10)
    assert all("replicas" not in o["spec"] for o in production if o["kind"] == "Deployment")  # the autoscalers own it


def test_every_service_has_a_metrics_port_of_its_own():
    ports = [service.metrics_port for service in SERVICES.values()]

    assert len(set(ports)) == len(ports)
    assert all(default_metrics_port(name) == port for name, port in DEFAULT_METRICS_PORTS.items())


def test_check_reports_a_hand_edit_and_a_file_of_no_service(deploy_copy: Path):
    rendered = render(list(SERVICES.values()), deploy_copy)
    compose = deploy_copy / "compose.yaml"
    compose.write_text(compose.read_text().replace("METRICS_PORT: \"9201\"", "METRICS_PORT: \"9999\""))
    (deploy_copy / "k8s" / "base" / "services" / "ghost.yaml").write_text("# a removed service\n")

    assert differences(rendered, deploy_copy) == [
        "deploy/compose.yaml differs from its template's render",
        "deploy/k8s/base/services/ghost.yaml belongs to no service",
    ]
    assert write(rendered, deploy_copy) == ["wrote deploy/compose.yaml", "removed deploy/k8s/base/services/ghost.yaml"]
    assert differences(rendered, deploy_copy) == []


def _edit_yaml(path: Path, change) -> None:
    documents = list(yaml.safe_load_all(path.read_text()))
    change(documents)
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))


@pytest.mark.parametrize(
    ("what", "change", "complaint"),
    [
        (
            "an unknown Deployment field",
            lambda docs: docs[0]["spec"].update(replica=3),
            "k8s/base: Deployment/partners: spec: Additional properties are not allowed ('replica' was unexpected)",
        ),
        (
            "a KEDA target that is not a string",
            lambda docs: docs[2]["spec"]["triggers"][0]["metadata"].update(value=20),
            "k8s/base: ScaledObject/partners: spec.triggers.0.metadata.value: 20 is not of type 'string'",
        ),
        (
            "a rabbitmq trigger without its queue",
            lambda docs: docs[2]["spec"]["triggers"][0]["metadata"].pop("queueName"),
            "k8s/base: ScaledObject/partners: spec.triggers.0.metadata: 'queueName' is a required property",
        ),
        (
            "a Secret key nobody provides",
            lambda docs: docs[0]["spec"]["template"]["spec"]["containers"][0]["env"][2]["valueFrom"]["secretKeyRef"].update(
                key="PARTNER_DATABASE_URL"
            ),
            "k8s/base: Deployment/partners: container partners reads PARTNER_DATABASE_URL, not in Secret crm-secrets-",
        ),
        (
            "a Deployment nothing scales",
            lambda docs: docs.pop(2),
            "k8s/base: Deployment/partners: wants exactly one autoscaler (ScaledObject or HPA), has none",
        ),
    ],
)
def test_validation_refuses(deploy_copy: Path, what: str, change, complaint: str):
    _edit_yaml(deploy_copy / "k8s" / "base" / "services" / "partners.yaml", change)

    problems = validate(deploy_copy)

    assert any(problem.startswith(complaint) for problem in problems), (what, problems)


def test_validation_refuses_a_compose_key_the_specification_does_not_know(deploy_copy: Path):
    compose = deploy_copy / "compose.yaml"
    compose.write_text(compose.read_text().replace("    command: [\"topology\"]\n", "    command: [\"topology\"]\n    comand: x\n"))

    problems = validate(deploy_copy)

    assert any("$.services.topology" in problem and "'comand' was unexpected" in problem for problem in problems), problems


FAKE_SERVICE = '''
    """A service that exists only in this test: its folder is all it brings."""

    from nameko.events import event_handler

    from crm_kit.entrypoints import rpc


    class BillingService:
        name = "billing"

        @rpc
        def health_ping(self) -> str:
            """Answers "pong"."""
            return "pong"

        @event_handler("deals", "deal_won")
        def on_deal_won(self, payload: dict) -> None:
            """A won deal is to be invoiced."""
'''


@pytest.fixture
def registry_with_a_new_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """services/ as it is, plus services/billing/service.py, as the registry sees it."""
    for name in service_names():
        service_class(name)  # imported from the real folder before the registry looks elsewhere
    folder = tmp_path / "services"
    folder.mkdir()
    for name in service_names():
        (folder / name).symlink_to(crm_kit.config.SERVICES_DIR / name, target_is_directory=True)
    (folder / "billing").mkdir()
    (folder / "billing" / "__init__.py").write_text("")
    (folder / "billing" / "service.py").write_text(textwrap.dedent(FAKE_SERVICE))
    monkeypatch.setattr(crm_kit.config, "SERVICES_DIR", folder)
    monkeypatch.setattr(services, "__path__", [str(folder), *services.__path__])
    try:
        yield
    finally:
        for module in [name for name in sys.modules if name.startswith("services.billing")]:
            del sys.modules[module]


def test_a_new_service_folder_and_a_render_are_all_it_takes(registry_with_a_new_folder, deploy_copy: Path):
    deployed = {service.name: service for service in deployed_services()}
    billing = deployed["billing"]
    rendered = render(list(deployed.values()), deploy_copy)

    # Before the render, --check fails: the committed files do not know the new service yet.
    assert "deploy/k8s/base/services/billing.yaml is missing" in differences(rendered, deploy_copy)
    write(rendered, deploy_copy)

    assert differences(rendered, deploy_copy) == []
    assert validate(deploy_copy) == []
    assert missing_artefacts(deploy_copy, billing, kustomize(deploy_copy / "k8s" / "base")) == []
    assert [queue.name for queue in billing.queues] == ["rpc-billing", "evt-deals-deal_won--billing.on_deal_won"]
    # The first port after the listed ones: the services that had theirs keep them.
    assert billing.metrics_port == max(DEFAULT_METRICS_PORTS.values()) + 1
    assert all(deployed[name].metrics_port == port for name, port in DEFAULT_METRICS_PORTS.items() if name in deployed)
