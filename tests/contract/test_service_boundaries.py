"""Static checks of the architecture: no service imports another, domains stay pure, one skeleton for all.

Pure `ast` reading, no imports of the services themselves: fast, and a broken service cannot hide a rule.
"""

import ast
from collections.abc import Iterable, Iterator, Mapping
from graphlib import CycleError, TopologicalSorter
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


def load_time_imports(body: Iterable[ast.stmt], package: str = "") -> Iterator[str]:
    """The modules importing this code imports at once: not those under `if TYPE_CHECKING:` nor inside
    functions (both run later, if ever). `package` resolves relative imports."""
    for node in body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from load_time_imports(node.orelse, package)
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.ClassDef):
            for block in ("body", "orelse", "finalbody"):
                yield from load_time_imports(getattr(node, block, []), package)
            for handler in getattr(node, "handlers", []):
                yield from load_time_imports(handler.body, package)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*parts, *([node.module] if node.module else [])])


def import_cycle(sources: Mapping[str, tuple[str, bool]]) -> list[str]:
    """A cycle of load-time imports among `sources` ({module: (source, is_package)}), or []."""
    graph = {}
    for module, (source, is_package) in sources.items():
        package = module if is_package else module.rpartition(".")[0]
        imported = load_time_imports(ast.parse(source).body, package)
        graph[module] = {m for m in imported if m in sources and m != module}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as cycle:
        return list(cycle.args[1])
    return []


def package_sources(service: str) -> dict[str, tuple[str, bool]]:
    src = SERVICES_DIR / service / "src"
    sources = {}
    for path in sorted((src / f"crm_{service}").rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        sources[".".join(parts[:-1] if is_package else parts)] = (path.read_text(), is_package)
    return sources


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


def test_the_cycle_check_finds_load_time_cycles_only():
    def check(**modules: str) -> list[str]:
        return import_cycle({f"pkg.{name}": (source, False) for name, source in modules.items()})

    assert check(a="from pkg import b", b="import pkg.c", c="from pkg.a import x") == [
        "pkg.a",
        "pkg.c",
        "pkg.b",
        "pkg.a",
    ]
    assert check(a="from . import b", b="from .a import x")
    assert check(a="import pkg.b", b="try:\n    import pkg.a\nexcept ImportError:\n    pass")
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A"
    assert check(a="from pkg import b", b=guarded) == []
    assert check(a="from pkg import b", b="def later():\n    from pkg.a import A") == []
    assert check(a="from pkg.b import x", b="from pkg.c import y", c="") == []


@pytest.mark.parametrize("service", SERVICES)
def test_no_import_cycle_within_a_service(service: str):
    """A cycle means some module only works when imported in the right order (e.g. one that registers
    itself on another as a side effect of being imported)."""
    assert import_cycle(package_sources(service)) == []


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
