"""The README's configuration tables and the settings the code reads are the same set, both ways.

Settings classes: each service's `crm_<name>.config.Settings`, with the settings it nests (Kafka, JWT)
and the env aliases they declare. Plain environment reads of the code (`os.environ`, shell `${NAME}`)
count too. Every one is documented once, under a name that really sets it, with its real default, and
nothing is documented that nothing reads.
"""

import ast
import importlib
import re
import subprocess
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import AliasChoices, SecretStr, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(
    p.name for p in (ROOT / "services").iterdir() if (p / "src" / f"crm_{p.name}" / "config.py").is_file()
)
PROBE = "probe-value-from-the-environment"
INVALID = "not-a-valid-value"


@dataclass(frozen=True)
class Setting:
    path: tuple[str, ...]
    """Attribute path from the service's settings, e.g. ("kafka", "bootstrap_servers")."""
    names: tuple[str, ...]
    """Environment variables that set it, the usual one first."""
    field: FieldInfo


@dataclass(frozen=True)
class Row:
    heading: str
    variable: str
    default: str
    meaning: str


def settings_class(service: str) -> type[BaseSettings]:
    settings: type[BaseSettings] = importlib.import_module(f"crm_{service}.config").Settings
    return settings


def env_names(prefix: str, name: str, field: FieldInfo) -> tuple[str, ...]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(choice.upper() for choice in alias.choices if isinstance(choice, str))
    if isinstance(alias, str):
        return (alias.upper(),)
    return ((prefix + name).upper(),)


def settings_of(cls: type[BaseSettings], path: tuple[str, ...] = ()) -> Iterator[Setting]:
    """Every leaf setting; a nested settings class reads the environment with its own prefix."""
    prefix = cls.model_config.get("env_prefix", "")
    for name, field in cls.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseSettings):
            yield from settings_of(annotation, (*path, name))
        else:
            yield Setting((*path, name), env_names(prefix, name, field), field)


def by_name(service: str) -> dict[str, Setting]:
    return {name: setting for setting in settings_of(settings_class(service)) for name in setting.names}


def configuration_rows() -> list[Row]:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows, heading = [], ""
    for line in section.splitlines():
        if line.startswith("### "):
            heading = line[4:].strip()
        elif line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if cells[0] != "variable" and set(cells[0]) - {"-", ":"}:
                rows.append(Row(heading, cells[0].strip("`"), cells[1], cells[2]))
    return rows


def documented_rows() -> list[Row]:
    """The rows with `<SERVICE>` expanded to each service (and `<service>` in the default)."""
    expanded = []
    for row in configuration_rows():
        if "<SERVICE>" not in row.variable:
            expanded.append(row)
            continue
        for service in SERVICES:
            variable = row.variable.replace("<SERVICE>", service.upper())
            default = row.default.replace("<service>", service)
            expanded.append(Row(row.heading, variable, default, row.meaning))
    return expanded


DOCUMENTED = {row.variable: row for row in documented_rows()}


def tracked_files() -> list[PurePosixPath]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True)
    return [PurePosixPath(name) for name in listed.stdout.split("\0") if name]


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _reads_environment(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return (func.attr == "get" and _is_environ(func.value)) or func.attr == "getenv"
    return isinstance(func, ast.Name) and func.id == "getenv"


def _read_name(node: ast.AST) -> str | None:
    """`os.environ.get("X")`, `os.getenv("X")` or `os.environ["X"]` -> "X"."""
    key: ast.expr | None = None
    if isinstance(node, ast.Call) and node.args and _reads_environment(node.func):
        key = node.args[0]
    elif isinstance(node, ast.Subscript) and _is_environ(node.value):
        key = node.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def environment_reads() -> dict[str, str]:
    """Variable -> a file reading it, in the code that runs (services, shared, bench, scripts, image)."""
    reads: dict[str, str] = {}
    for path in tracked_files():
        if "tests" in path.parts:
            continue
        if path.suffix == ".py" and path.parts[0] in {"shared", "services", "bench"}:
            tree = ast.parse((ROOT / path).read_text())
            names = [name for node in ast.walk(tree) if (name := _read_name(node))]
        elif path.suffix == ".sh" or str(path) == ".ci/run":
            names = re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / path).read_text())
        else:
            continue
        for name in names:
            reads.setdefault(name, str(path))
    return reads


def is_text(annotation: Any) -> bool:
    """str or SecretStr, optional or not: any string sets it."""
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        return len(kinds) == 1 and is_text(kinds[0])
    return annotation in (str, SecretStr)


def default_problem(variable: str, setting: Setting, documented: str) -> str | None:
    """Why the documented default is not the code's, or None when it is."""
    default = setting.field.get_default(call_default_factory=True)
    if isinstance(default, SecretStr):
        return None  # described in words: a secret's value is not printed
    if default is None:
        return None if documented.startswith("unset") else f"{variable}: {documented!r}, but no default"
    literal = re.match(r"`([^`]*)`", documented)
    if literal is None:
        return f"{variable}: documented {documented!r}, default {default!r} (write it in backquotes)"
    adapter: TypeAdapter[Any] = TypeAdapter(setting.field.annotation)
    try:
        value = adapter.validate_json(literal.group(1))
    except ValidationError:
        value = adapter.validate_python(literal.group(1))
    return None if value == default else f"{variable}: documented {literal.group(1)!r}, default {default!r}"


def test_every_service_has_its_table():
    headings = {row.heading for row in configuration_rows()}
    assert set(SERVICES) <= headings
    for row in configuration_rows():
        if row.heading in SERVICES:
            assert row.variable.startswith(f"CRM_{row.heading.upper()}_"), row


def test_each_variable_is_documented_once():
    names = [row.variable for row in documented_rows()]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert not twice, f"documented more than once: {', '.join(twice)}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_setting_is_documented_under_a_name_that_sets_it(service):
    missing = [
        f"{'.'.join(setting.path)} ({setting.names[0]})"
        for setting in settings_of(settings_class(service))
        if not any(name in DOCUMENTED for name in setting.names)
    ]
    assert not missing, f"settings of {service} missing from the README's tables: {', '.join(missing)}"


def test_nothing_is_documented_that_nothing_reads():
    known = {name for service in SERVICES for name in by_name(service)} | set(environment_reads())
    unknown = sorted(set(DOCUMENTED) - known)
    assert not unknown, f"documented, but no setting or code reads them: {', '.join(unknown)}"


def test_every_environment_variable_the_code_reads_is_documented():
    undocumented = {name: path for name, path in environment_reads().items() if name not in DOCUMENTED}
    assert not undocumented, "read by the code, missing from the README's tables: " + ", ".join(
        f"{name} ({path})" for name, path in sorted(undocumented.items())
    )


@pytest.mark.parametrize("service", SERVICES)
def test_documented_defaults_are_the_code_defaults(service):
    settings = by_name(service)
    wrong = [
        problem
        for variable, row in DOCUMENTED.items()
        if variable in settings and (problem := default_problem(variable, settings[variable], row.default))
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("service", SERVICES)
def test_each_documented_variable_sets_its_setting(service, monkeypatch):
    """Set through the environment, the value reaches the setting (or is refused naming it)."""
    cls = settings_class(service)
    for variable, setting in by_name(service).items():
        if variable not in DOCUMENTED:
            continue
        with monkeypatch.context() as env:
            if is_text(setting.field.annotation):
                env.setenv(variable, PROBE)
                value: Any = cls()
                for attribute in setting.path:
                    value = getattr(value, attribute)
                shown = value.get_secret_value() if isinstance(value, SecretStr) else value
                assert shown == PROBE, f"{variable} does not set {'.'.join(setting.path)}"
            else:
                env.setenv(variable, INVALID)
                with pytest.raises((ValidationError, SettingsError)) as refused:
                    cls()
                names = {setting.path[-1], *(name.lower() for name in setting.names)}
                assert any(name in str(refused.value).lower() for name in names), variable


@pytest.mark.parametrize(
    ("documented", "default", "annotation", "wrong"),
    [
        ("`2.0`", 2.0, float, False),
        ("`2.5`", 2.0, float, True),
        ("`10485760` (10 MiB)", 10 * 1024 * 1024, int, False),
        ("`false`", False, bool, False),
        ("`[]`", [], list[str], False),
        ("`console`", "console", str, False),
        ("unset", None, str | None, False),
        ("`x`", None, str | None, True),
        ("a local key", "key", str, True),
    ],
)
def test_the_default_check_tells_right_from_wrong(documented, default, annotation, wrong):
    setting = Setting(("x",), ("X",), FieldInfo(annotation=annotation, default=default))
    assert (default_problem("X", setting, documented) is not None) == wrong
