"""One way to do each thing, in every service (static checks with `ast`, like test_service_boundaries).

- Storage: use cases reach it through the unit of work's repositories and query objects; a raw
  connection (and SQLAlchemy) appears in the service layer only in its unit of work and in read-only
  `views.py`.
- Transactions: opened and committed by `crm_shared` only (the bus, the consumer), never by a service.
- Tests: each service has a fake unit of work on `crm_shared.testing.fakes` and handler tests using it.
- Routes: routers carry no prefix and include no other router; `bootstrap.py` mounts each under its
  full prefix. One `BusDep`, from `crm_shared.runtime`.
- Migrations: one linear chain per service.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = ROOT / "services"
SERVICES = sorted(p.name for p in SERVICES_DIR.iterdir() if (p / "pyproject.toml").is_file())
WRITES = {"insert", "update", "delete"}
REVISION_NAMES = {"revision", "down_revision"}  # other module constants may be any expression
MIGRATION_NAME = re.compile(r"^\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.py$")


def package(service: str) -> Path:
    return SERVICES_DIR / service / "src" / f"crm_{service}"


def sources(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text())


def rel(path: Path) -> str:
    return str(path.relative_to(SERVICES_DIR))


def imports(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(module, name) of every `from module import name`, and (module, "") of every `import module`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, "") for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield from ((node.module, alias.asname or alias.name) for alias in node.names)


def connection_classes(service: str) -> set[str]:
    """Adapter classes built on a raw connection: repositories, directories, query objects."""
    found = set()
    for _, tree in sources(package(service) / "adapters"):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                init = next(
                    (n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
                )
                if init is not None and "Connection" in ast.unparse(init.args):
                    found.add(node.name)
    return found


def storage_problems(tree: ast.Module, where: str, *, in_layer: bool, on_connection: set[str]) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        if in_layer and isinstance(node, ast.Attribute) and node.attr == "connection":
            problems.append(f"{where}:{node.lineno} uses a raw connection")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in on_connection:
            problems.append(f"{where}:{node.lineno} builds {node.func.id} outside the unit of work")
    if in_layer:
        for module, name in imports(tree):
            if module.split(".")[0] == "sqlalchemy" or "tables" in module.split(".")[-1]:
                problems.append(f"{where} imports {module}{'.' + name if name else ''}")
    return problems


def storage_violations(service: str) -> list[str]:
    on_connection = connection_classes(service)
    layer = package(service) / "service_layer"
    problems = []
    for path, tree in sources(package(service)):
        in_layer = layer in path.parents
        if path.name == "unit_of_work.py" or (in_layer and path.name == "views.py"):
            continue
        if "adapters" not in path.parts:
            problems += storage_problems(tree, rel(path), in_layer=in_layer, on_connection=on_connection)
    return problems


def views_write(service: str) -> list[str]:
    problems = []
    for path, tree in sources(package(service)):
        if path.name != "views.py":
            continue
        for module, name in imports(tree):
            if module.startswith("sqlalchemy") and name in WRITES:
                problems.append(f"{rel(path)} imports {name}: views only read")
    return problems


def transaction_problems(tree: ast.Module, where: str, *, is_unit_of_work: bool = False) -> list[str]:
    """Services neither open a unit of work (`runtime.uow(...)`, `engine.begin()`) nor commit one."""
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name == "commit" or (name in {"uow", "begin"} and not is_unit_of_work):
                problems.append(f"{where}:{node.lineno} calls .{name}()")
    return problems


def transaction_violations(service: str) -> list[str]:
    return [
        problem
        for path, tree in sources(package(service))
        for problem in transaction_problems(tree, rel(path), is_unit_of_work=path.name == "unit_of_work.py")
    ]


def router_problems(tree: ast.Module, where: str) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        is_router = isinstance(node, ast.Call) and ast.unparse(node.func).endswith("APIRouter")
        if is_router and any(k.arg == "prefix" for k in node.keywords):
            problems.append(f"{where}:{node.lineno} gives a router a prefix")
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("include_router"):
            problems.append(f"{where}:{node.lineno} includes a router in another")
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "BusDep" for t in targets):
                problems.append(f"{where}:{node.lineno} defines its own BusDep")
    return problems


def router_violations(service: str) -> list[str]:
    return [
        p
        for path, tree in sources(package(service) / "entrypoints")
        for p in router_problems(tree, rel(path))
    ]


def mounted_prefixes(service: str) -> list[str]:
    tree = ast.parse((package(service) / "bootstrap.py").read_text())
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func).endswith("Mount")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_storage_is_reached_through_the_unit_of_work(service: str):
    assert storage_violations(service) == []
    assert views_write(service) == []


@pytest.mark.parametrize("service", SERVICES)
def test_transactions_are_opened_and_committed_by_the_bus_only(service: str):
    assert transaction_violations(service) == []


@pytest.mark.parametrize("service", SERVICES)
def test_handlers_are_unit_tested_on_a_fake_unit_of_work(service: str):
    unit = SERVICES_DIR / service / "tests" / "unit"
    fakes = unit / "fakes.py"
    assert fakes.is_file(), f"services/{service}/tests/unit/fakes.py is missing"
    tree = ast.parse(fakes.read_text())
    bases = {ast.unparse(b) for n in ast.walk(tree) if isinstance(n, ast.ClassDef) for b in n.bases}
    assert "FakeUnitOfWork" in bases, "the fake unit of work derives from crm_shared.testing.fakes"
    handler_tests = [
        path
        for path, test_tree in sources(unit)
        if path.name.startswith("test_handlers")
        and any(m.endswith("fakes") or m.endswith(".fakes") for m, _ in imports(test_tree))
    ]
    assert handler_tests, f"services/{service}/tests/unit has no test_handlers*.py on its fakes"


@pytest.mark.parametrize("service", SERVICES)
def test_routes_are_mounted_in_one_place_with_their_full_prefix(service: str):
    assert router_violations(service) == []
    prefixes = mounted_prefixes(service)
    assert prefixes, f"{service}'s bootstrap.py mounts no router"
    assert all(p.startswith("/v1") for p in prefixes), prefixes


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_form_one_linear_chain(service: str):
    folder = SERVICES_DIR / service / "migrations" / "versions"
    revisions: dict[str, str | None] = {}
    files: list[str] = []
    for path in sorted(folder.glob("*.py")):
        assert MIGRATION_NAME.match(path.name), f"{path.name}: name it YYYY_MM_DD_NNNN_slug.py"
        values = {}
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                target = node.targets[0] if isinstance(node, ast.Assign) else node.target
                if isinstance(target, ast.Name) and target.id in REVISION_NAMES and node.value is not None:
                    values[target.id] = ast.literal_eval(node.value)
        down = values.get("down_revision")
        assert down is None or isinstance(down, str), f"{path.name} merges branches: {down}"
        revisions[values["revision"]] = down
        files.append(values["revision"])
    roots = [r for r, d in revisions.items() if d is None]
    heads = set(revisions) - set(revisions.values())
    assert len(roots) == 1, f"{service}: several first revisions {roots}"
    assert len(heads) == 1, f"{service}: several heads {sorted(heads)}"
    chain, at = [], roots[0]
    children = {d: r for r, d in revisions.items()}
    while at is not None:
        chain.append(at)
        at = children.get(at)
    assert len(chain) == len(revisions), f"{service}: chain {chain} skips some of {sorted(revisions)}"
    assert files == chain, f"{service}: file names sort as {files}, the chain runs {chain}"


def test_the_checks_catch_what_they_forbid():
    def storage(source: str, *, in_layer: bool = True) -> int:
        tree = ast.parse(source)
        return len(storage_problems(tree, "x", in_layer=in_layer, on_connection={"DealQueries"}))

    assert storage("rows = await uow.connection.execute(q)") == 1
    assert storage("from sqlalchemy import select") == 1
    assert storage("from crm_x.adapters.account_tables import accounts") == 1
    assert storage("q = DealQueries(c)", in_layer=False) == 1
    assert (
        storage("deals = await uow.deals.get(deal_id)\nfrom crm_x.adapters.directories import KnownUser") == 0
    )
    assert storage("x = uow.connection", in_layer=False) == 0

    assert (
        len(transaction_problems(ast.parse("async with runtime.uow(c) as u:\n    await u.commit()"), "x"))
        == 2
    )
    assert transaction_problems(ast.parse("await bus.execute(use_case)"), "x") == []
    assert transaction_problems(ast.parse("await self._connection.begin()"), "x", is_unit_of_work=True) == []

    routers = "r = APIRouter(prefix='/v1')\nr.include_router(other)\nBusDep = Annotated[X, Depends(f)]"
    assert len(router_problems(ast.parse(routers), "x")) == 3
    assert router_problems(ast.parse("router = APIRouter(tags=['deals'])"), "x") == []
