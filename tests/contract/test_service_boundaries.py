"""Static checks of the architecture: no service imports another, domains stay pure, one skeleton for all.

Pure `ast` reading, no imports of the services themselves: fast, and a broken service cannot hide a rule.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
SERVICES = sorted(p.name for p in SERVICES_DIR.iterdir() if (p / "pyproject.toml").is_file())
PACKAGES = {f"crm_{name}" for name in SERVICES}
DOMAIN_FORBIDDEN = (
    "sqlalchemy",
    "fastapi",
    "faststream",
    "aiokafka",
    "pydantic_settings",
    "crm_shared.db",
    "crm_shared.runtime",
)
SKELETON = [
    "src/crm_{name}/config.py",
    "src/crm_{name}/bootstrap.py",
    "src/crm_{name}/domain/model.py",
    "src/crm_{name}/service_layer/unit_of_work.py",
    "src/crm_{name}/service_layer/use_cases.py",
    "src/crm_{name}/service_layer/integration_events.py",
    "src/crm_{name}/adapters/tables.py",
    "src/crm_{name}/adapters/repositories.py",
    "src/crm_{name}/entrypoints/api.py",
    "src/crm_{name}/entrypoints/schemas.py",
    "src/crm_{name}/entrypoints/consumers.py",
    "src/crm_{name}/entrypoints/cli.py",
    "migrations/env.py",
]


def imported_modules(source: str) -> Iterator[str]:
    """Every absolute module a source imports; `from a import b` yields both `a` and `a.b`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def python_files(service: str) -> list[Path]:
    root = SERVICES_DIR / service
    return sorted(p for folder in ("src", "tests") for p in (root / folder).rglob("*.py"))


def other_service_imports(source: str, own: str) -> set[str]:
    return {m for m in imported_modules(source) for p in PACKAGES - {own} if is_within(m, p)}


def forbidden_domain_imports(source: str) -> set[str]:
    return {m for m in imported_modules(source) for f in DOMAIN_FORBIDDEN if is_within(m, f)}


def test_the_checks_themselves_catch_violations():
    own = "crm_leads"
    assert other_service_imports("from crm_deals.domain.model import Deal", own) == {
        "crm_deals.domain.model",
        "crm_deals.domain.model.Deal",
    }
    assert other_service_imports("import crm_quotes", own) == {"crm_quotes"}
    assert (
        other_service_imports("from crm_leads import x\nfrom crm_shared import ids\nfrom . import y", own)
        == set()
    )
    assert forbidden_domain_imports("from sqlalchemy.orm import Session") == {
        "sqlalchemy.orm",
        "sqlalchemy.orm.Session",
    }
    assert forbidden_domain_imports("from crm_shared import runtime") == {"crm_shared.runtime"}
    assert forbidden_domain_imports("import crm_shared.db.repository") == {"crm_shared.db.repository"}
    assert forbidden_domain_imports("import pydantic\nfrom crm_shared.domain import Aggregate") == set()
    assert forbidden_domain_imports("import sqlalchemy_utils\nfrom crm_shared import dbx") == set()


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_imports_another(service: str):
    files = python_files(service)
    assert files, f"services/{service} has no Python files under src/ or tests/"
    violations = {
        str(path.relative_to(SERVICES_DIR)): sorted(found)
        for path in files
        if (found := other_service_imports(path.read_text(), f"crm_{service}"))
    }
    assert violations == {}


@pytest.mark.parametrize("service", SERVICES)
def test_domain_imports_no_infrastructure(service: str):
    domain = SERVICES_DIR / service / "src" / f"crm_{service}" / "domain"
    violations = {
        str(path.relative_to(SERVICES_DIR)): sorted(found)
        for path in sorted(domain.rglob("*.py"))
        if (found := forbidden_domain_imports(path.read_text()))
    }
    assert violations == {}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_skeleton(service: str):
    root = SERVICES_DIR / service
    if not (root / "src" / f"crm_{service}" / "bootstrap.py").is_file():
        pytest.skip(f"services/{service} has no bootstrap.py yet: still being written")
    missing = [p for p in (s.format(name=service) for s in SKELETON) if not (root / p).is_file()]
    assert missing == []
