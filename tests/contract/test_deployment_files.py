"""The deployment files agree with the services: compose, Kubernetes manifests, image entrypoint.

Static checks only (no Docker engine, no cluster): they run in the fast suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from crm_shared.deploy.manifests import render_all, stale
from crm_shared.registry import names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
K8S_DIR = ROOT / "deploy" / "k8s"
K8S_BASE = K8S_DIR / "base"
SERVICES = names()
INFRA = ("kafka", "postgres")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict)
    assert isinstance(document.get("services"), dict)
    return document


@pytest.fixture(scope="module")
def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    documents = []
    for path in sorted(K8S_DIR.rglob("*.y*ml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document is not None:
                assert isinstance(document, dict), f"{path}: a document is not a mapping"
                documents.append((path, document))
    return documents


def _service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    services: dict[str, Any] = compose["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    service: dict[str, Any] = services[name]
    return service


def _build_args(build: dict[str, Any]) -> dict[str, str]:
    args = build.get("args") or {}
    if isinstance(args, list):  # ["SERVICE=leads", ...]
        return dict(item.split("=", 1) for item in args)
    return {key: str(value) for key, value in args.items()}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def _published_ports(service: dict[str, Any]) -> set[tuple[int, int]]:
    """(host port, container port) pairs, from the short ("[ip:]host:container") or long syntax."""
    pairs = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            pairs.add((int(port["published"]), int(port["target"])))
            continue
        parts = str(port).split("/")[0].rsplit(":", 2)
        if len(parts) >= 2:
            pairs.add((int(parts[-2]), int(parts[-1])))
    return pairs


def _has_healthcheck(service: dict[str, Any]) -> bool:
    healthcheck = service.get("healthcheck") or {}
    return bool(healthcheck.get("test")) and not healthcheck.get("disable", False)


# --- docker-compose.yml ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SERVICES)
def test_compose_builds_each_service_from_the_shared_dockerfile(compose: dict[str, Any], name: str) -> None:
    build = _service(compose, name).get("build")
    assert isinstance(build, dict), f"{name}: `build` must name the Dockerfile and the SERVICE arg"
    assert Path(build.get("context", ".")) == Path(".")
    assert Path(build["dockerfile"]) == Path("deploy/Dockerfile")
    assert _build_args(build).get("SERVICE") == name


@pytest.mark.parametrize("name", SERVICES)
def test_compose_services_wait_for_healthy_infrastructure(compose: dict[str, Any], name: str) -> None:
    depends_on = _service(compose, name).get("depends_on")
    assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions (long syntax)"
    for infra in INFRA:
        assert infra in depends_on, f"{name} does not depend on {infra}"
        assert depends_on[infra].get("condition") == "service_healthy", f"{name} -> {infra}"


@pytest.mark.parametrize("name", SERVICES)
def test_compose_services_have_healthchecks(compose: dict[str, Any], name: str) -> None:
    """Compose runs every role in one process: healthy means ready for all of them."""
    service = _service(compose, name)
    assert _has_healthcheck(service)
    assert "/readyz" in " ".join(map(str, service["healthcheck"]["test"]))


@pytest.mark.parametrize("name", SERVICES)
def test_compose_publishes_the_settings_default_port(compose: dict[str, Any], name: str) -> None:
    config = pytest.importorskip(f"crm_{name}.config", reason=f"crm_{name} is not importable yet")
    fields = config.Settings.model_fields
    http_port = fields["http_port"].default
    service = _service(compose, name)
    assert (http_port, http_port) in _published_ports(service)
    env = _environment(service)
    assert env.get(f"CRM_{name.upper()}_HTTP_PORT", str(http_port)) == str(http_port)
    if "smtp_port" in fields and name == "cases":  # the inbound-mail intake
        smtp_port = fields["smtp_port"].default
        assert (smtp_port, smtp_port) in _published_ports(service)


@pytest.mark.parametrize("name", INFRA)
def test_compose_infrastructure_has_healthchecks(compose: dict[str, Any], name: str) -> None:
    assert _has_healthcheck(_service(compose, name))


def test_compose_file_is_valid_for_docker_compose() -> None:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker CLI")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip("the docker CLI has no compose plugin")
    env = os.environ | {"COMPOSE_PROJECT_NAME": "crm-config-check"}
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- deploy/k8s ------------------------------------------------------------------------------------


def test_k8s_manifests_parse(k8s_documents: list[tuple[Path, dict[str, Any]]]) -> None:
    assert k8s_documents, "no manifests under deploy/k8s"
    for path, document in k8s_documents:
        assert "kind" in document, f"{path}: a document has no kind"


def test_k8s_base_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S_BASE / "kustomization.yaml").read_text())
    listed = set(kustomization.get("resources", []))
    present = {p.name for p in K8S_BASE.glob("*.y*ml")} - {"kustomization.yaml", "kustomization.yml"}
    assert listed == present


def test_k8s_every_deployment_has_probes(k8s_documents: list[tuple[Path, dict[str, Any]]]) -> None:
    """Liveness asks the process only (an outage of a dependency must not restart pods); readiness
    asks what the pod's role needs."""
    deployments = [(p, d) for p, d in k8s_documents if d["kind"] == "Deployment"]
    assert deployments
    for path, deployment in deployments:
        containers = deployment["spec"]["template"]["spec"]["containers"]
        for container in containers:
            where = f"{path.name}: {deployment['metadata']['name']}/{container['name']}"
            for probe in ("startupProbe", "livenessProbe"):
                assert container.get(probe, {}).get("httpGet", {}).get("path") == "/livez", where
            assert container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", where


def test_the_mail_intake_runs_in_its_own_deployment(k8s_documents: list[tuple[Path, dict[str, Any]]]) -> None:
    """The SMTP receiver and IMAP pollers run with `--role ingest`, apart from the consumers."""
    deployments = {d["metadata"]["name"]: d for _, d in k8s_documents if d["kind"] == "Deployment"}
    args = {
        name: [a for c in d["spec"]["template"]["spec"]["containers"] for a in c.get("args", [])]
        for name, d in deployments.items()
    }
    assert args["crm-cases-ingest"][-2:] == ["--role", "ingest"]
    smtp = next(d for _, d in k8s_documents if d["metadata"].get("name") == "crm-cases-smtp")
    assert smtp["spec"]["selector"]["app.kubernetes.io/component"] == "ingest"


def test_k8s_has_a_deployment_per_role_and_consumer_autoscaling(
    k8s_documents: list[tuple[Path, dict[str, Any]]],
) -> None:
    names = {(d["kind"], d.get("metadata", {}).get("name")) for _, d in k8s_documents}
    scaled = {d["metadata"]["name"]: d for _, d in k8s_documents if d["kind"] == "ScaledObject"}
    for service in SERVICES:
        for role in ("api", "consumers", "relay"):
            assert ("Deployment", f"crm-{service}-{role}") in names
        assert ("Service", f"crm-{service}") in names
        triggers = scaled[f"crm-{service}-consumers"]["spec"]["triggers"]
        assert any(
            t["type"] == "kafka" and t["metadata"]["consumerGroup"] == f"crm-{service}" for t in triggers
        )


# --- deploy/Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_entrypoint_script_exists_and_is_executable() -> None:
    text = DOCKERFILE.read_text()
    copied = re.search(r"^COPY\s+(?:--\S+\s+)*(deploy/docker-entrypoint\.sh)\s+(\S+)", text, re.MULTILINE)
    assert copied, "the Dockerfile does not copy deploy/docker-entrypoint.sh"
    entrypoint = re.search(r"^ENTRYPOINT\s+(.+)$", text, re.MULTILINE)
    assert entrypoint
    assert copied.group(2) in entrypoint.group(1)
    script = ROOT / copied.group(1)
    assert script.is_file()
    assert os.access(script, os.X_OK), f"{script} is not executable (chmod +x)"
    assert script.read_text().startswith("#!")


def test_generated_deployment_files_are_current() -> None:
    """Compose, the Kubernetes base and the database script are rendered from the registry."""
    assert stale(ROOT) == [], "run `crm render` (make render)"


def test_a_new_service_in_the_registry_gets_every_deployment_file() -> None:
    from dataclasses import replace

    from crm_shared.registry import SERVICES, Listener

    billing = replace(
        SERVICES[0], name="billing", http_port=8009, listeners=(Listener("sftp", 2222, "api", "h", "p"),)
    )
    rendered = render_all((*SERVICES, billing))
    assert "deploy/k8s/base/billing.yaml" in rendered
    assert "  - billing.yaml\n" in rendered["deploy/k8s/base/kustomization.yaml"]
    assert "CREATE DATABASE crm_billing;" in rendered["deploy/postgres/init-databases.sql"]
    compose = yaml.safe_load(rendered["docker-compose.yml"])
    assert compose["services"]["billing"]["ports"] == ["8009:8009", "2222:2222"]
    documents = list(yaml.safe_load_all(rendered["deploy/k8s/base/billing.yaml"]))
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in documents if d)
    assert kinds == [
        ("Deployment", "crm-billing-api"),
        ("Deployment", "crm-billing-consumers"),
        ("Deployment", "crm-billing-relay"),
        ("ScaledObject", "crm-billing-consumers"),
        ("Service", "crm-billing"),
        ("Service", "crm-billing-sftp"),
    ]
