"""The run's JSON document (machine, parameters, measurements) and the table printed at the end."""

import importlib.util
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from crm_shared.infra.kafka import KAFKA_VERSION

PACKAGES = ("aiokafka", "asyncpg", "sqlalchemy", "fastapi", "faststream", "httpx", "pydantic")


async def machine_info(postgres_admin_url: str) -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "memory_total_mib": _memory_total_mib(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kafka": "external" if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") else f"local broker {KAFKA_VERSION}",
        "postgres": await _postgres_version(postgres_admin_url),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "git_commit": _git_commit(),
    }


def _cpu_model() -> str | None:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return None


def _memory_total_mib() -> int | None:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return None


async def _postgres_version(admin_url: str) -> str:
    connection = await asyncpg.connect(admin_url)
    try:
        version: str = await connection.fetchval("show server_version")
        fsync: str = await connection.fetchval("show fsync")
        return f"{version} (fsync={fsync})"
    finally:
        await connection.close()


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() or None


def code_location(package: str) -> dict[str, Any]:
    """Where `package` was imported from (a checkout, or a copy of a commit named by PYTHONPATH), and
    how many files of its project differ from the commit when that is a git checkout."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return {"path": None, "uncommitted_files": None}
    project = Path(spec.origin).resolve().parents[2]  # <project>/src/<package>/__init__.py
    result = subprocess.run(
        ["git", "status", "--porcelain", "--", "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    changed = len(result.stdout.splitlines()) if result.returncode == 0 else None
    return {"path": str(project), "uncommitted_files": changed}


def write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def table(document: dict[str, Any]) -> str:
    header = ("measurement", "subject", "reference", "ratio", "unit")
    lines = [header]
    for name, result in document["measurements"].items():
        if "error" in result:
            lines.append((name, "ERROR", result["error"][:60], "", ""))
            continue
        for entry in result.get("table", []):
            lines.append(
                (
                    entry["what"],
                    _fmt(entry["subject"]),
                    _fmt(entry["reference"]),
                    _fmt(entry["ratio"]),
                    entry["unit"],
                )
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = ["  ".join(_align(line, widths)) for line in lines]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(rendered)


def _align(line: tuple[str, ...], widths: list[int]) -> list[str]:
    """Names left-aligned, figures right-aligned."""
    return [
        cell.ljust(w) if i == 0 else cell.rjust(w)
        for i, (cell, w) in enumerate(zip(line, widths, strict=True))
    ]


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) < 10:
        return f"{value:.3f}"
    return f"{value:.1f}" if abs(value) < 1000 else f"{value:,.0f}"
