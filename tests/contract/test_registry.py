"""The registry of services is the one list: every other place that names services agrees with it."""

import re
import tomllib
from pathlib import Path

import pytest

from crm_shared.registry import SERVICES, names, service
from crm_shared.runtime import ProcessRole

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_registry_lists_exactly_the_service_folders():
    folders = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").is_file())
    assert sorted(names()) == folders


def test_names_and_ports_are_unique():
    ports = [s.http_port for s in SERVICES] + [x.port for s in SERVICES for x in s.listeners]
    assert len(set(names())) == len(SERVICES)
    assert len(set(ports)) == len(ports)
    with pytest.raises(KeyError, match="no service 'nope'"):
        service("nope")


@pytest.mark.parametrize("spec", SERVICES, ids=names())
def test_each_service_is_part_of_the_workspace(spec):
    assert f"crm-{spec.name}" in PYPROJECT["project"]["dependencies"]
    assert spec.script in PYPROJECT["tool"]["uv"]["sources"]
    mypy = PYPROJECT["tool"]["mypy"]
    assert f"services/{spec.name}/src" in mypy["mypy_path"]
    assert f"services/{spec.name}/src" in mypy["files"]
    assert spec.package in PYPROJECT["tool"]["ruff"]["lint"]["isort"]["known-first-party"]
    service_pyproject = tomllib.loads((ROOT / "services" / spec.name / "pyproject.toml").read_text())
    assert service_pyproject["project"]["scripts"] == {spec.script: f"{spec.package}.entrypoints.cli:main"}


@pytest.mark.parametrize("spec", SERVICES, ids=names())
def test_each_service_runs_as_the_registry_says(spec):
    definition = spec.definition()
    assert definition.name == spec.name
    assert definition.settings.http_port == spec.http_port
    assert {ProcessRole(r) for r in spec.roles} >= {ProcessRole.API, ProcessRole.CONSUMERS, ProcessRole.RELAY}
    assert (ProcessRole.INGEST.value in spec.roles) == bool(definition.ingesters)
    for listener in spec.listeners:
        assert getattr(definition.settings, listener.port_setting) == listener.port
        assert getattr(definition.settings, listener.host_setting)
        assert listener.role in spec.roles


def test_the_readme_table_of_services_is_the_registry():
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| .* \| :(\d+) \| `([\w.]+)` \|$", readme, flags=re.MULTILINE)
    assert [(name, int(port), topic) for name, port, topic in rows] == [
        (s.name, s.http_port, s.topic) for s in SERVICES
    ]
