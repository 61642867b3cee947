"""The SQL one HTTP request runs, caught as SQLAlchemy sends it, and its EXPLAIN (ANALYZE, BUFFERS).

Each statement is explained twice through PREPARE / EXPLAIN EXECUTE with the request's own parameter
values: with a custom plan (what PostgreSQL picks for the first executions of a prepared statement)
and with the generic plan (what it may switch to from the sixth, and keep). The service's asyncpg
connections cache prepared statements, so a repeated request can run either.
"""

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

SELECT_LIST = re.compile(r"^\s*SELECT\s.{120,}?\sFROM\s", re.IGNORECASE | re.DOTALL)
"""A long select list (every column of the table) is shortened to `SELECT ... FROM` in the results."""
MODES = ("custom", "generic")


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: tuple[Any, ...]


@contextlib.contextmanager
def captured(engine: AsyncEngine, table: str) -> Iterator[list[Statement]]:
    """Collects the SELECTs reading `table` sent through `engine` while the block runs."""
    found: list[Statement] = []
    reads = re.compile(rf"\bFROM {table}\b", re.IGNORECASE)

    def listener(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if statement.lstrip().upper().startswith("SELECT") and reads.search(statement):
            found.append(Statement(statement, tuple(parameters or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield found
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


async def plan_usage(engine: AsyncEngine, statements: list[Statement]) -> list[dict[str, int]]:
    """How often the service's own connections ran each statement with a custom or a generic plan
    (pg_prepared_statements of every idle pooled connection; counts since the service started)."""
    counts = {s.sql: {"custom_plans": 0, "generic_plans": 0} for s in statements}
    pool = engine.sync_engine.pool
    idle = pool.checkedin() if isinstance(pool, QueuePool) else 1
    async with contextlib.AsyncExitStack() as held:
        for _ in range(max(idle, 1)):
            connection = await held.enter_async_context(engine.connect())
            rows = await connection.exec_driver_sql(
                "SELECT statement, custom_plans, generic_plans FROM pg_prepared_statements"
            )
            for sql, custom, generic in (tuple[Any, ...](r) for r in rows):
                if sql in counts:
                    counts[sql]["custom_plans"] += int(custom)
                    counts[sql]["generic_plans"] += int(generic)
    return [counts[s.sql] for s in statements]


async def explain(connection: asyncpg.Connection, statement: Statement) -> dict[str, Any]:
    """Both plans of `statement` with its parameters, summarised (see `summary`)."""
    prepared = await connection.prepare(statement.sql)
    types = [
        await connection.fetchval("SELECT format_type($1::oid, NULL)", parameter.oid)
        for parameter in prepared.get_parameters()
    ]
    declared = f" ({', '.join(types)})" if types else ""
    await connection.execute(f"PREPARE bench_plan{declared} AS {statement.sql}")
    # EXPLAIN takes no bind parameters: the values go in as literals of the declared types.
    arguments = ", ".join(f"{_literal(v)}::{t}" for v, t in zip(statement.parameters, types, strict=True))
    call = f"EXECUTE bench_plan({arguments})" if types else "EXECUTE bench_plan"
    result: dict[str, Any] = {
        "sql": SELECT_LIST.sub("SELECT ... FROM ", statement.sql, count=1),
        "parameters": [str(p) for p in statement.parameters],
    }
    try:
        for mode in MODES:
            await connection.execute(f"SET plan_cache_mode = force_{mode}_plan")
            raw = await connection.fetchval(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {call}")
            result[mode] = summary(json.loads(raw)[0])
    finally:
        await connection.execute("DEALLOCATE bench_plan; RESET plan_cache_mode")
    result["same_plan"] = result["custom"]["shape"] == result["generic"]["shape"]
    return result


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def summary(explained: dict[str, Any]) -> dict[str, Any]:
    """Times, buffers, the plan as indented lines, and the warning signs of a missing index."""
    plan = explained["Plan"]
    nodes: list[tuple[int, dict[str, Any]]] = []
    _walk(plan, 0, nodes)
    return {
        "execution_ms": explained["Execution Time"],
        "planning_ms": explained["Planning Time"],
        "shared_hit_blocks": plan.get("Shared Hit Blocks"),
        "shared_read_blocks": plan.get("Shared Read Blocks"),
        "shape": [_name(node) for _, node in nodes],
        "plan": ["  " * depth + _line(node) for depth, node in nodes],
        "warnings": [w for _, node in nodes if (w := _warning(node))],
    }


def _walk(node: dict[str, Any], depth: int, out: list[tuple[int, dict[str, Any]]]) -> None:
    out.append((depth, node))
    for child in node.get("Plans", []):
        _walk(child, depth + 1, out)


def _name(node: dict[str, Any]) -> str:
    name = str(node["Node Type"])
    if node.get("Scan Direction") == "Backward":
        name += " Backward"
    if "Index Name" in node:
        name += f" using {node['Index Name']}"
    if "Relation Name" in node:
        name += f" on {node['Relation Name']}"
    return name


def _line(node: dict[str, Any]) -> str:
    parts = [
        _name(node),
        f"rows={node.get('Actual Rows')} loops={node.get('Actual Loops')}",
        f"{node.get('Actual Total Time')} ms",
    ]
    for key in ("Index Cond", "Recheck Cond", "Filter", "Sort Key", "Sort Method"):
        if key in node:
            value = node[key] if isinstance(node[key], str) else ", ".join(node[key])
            parts.append(f"{key.lower()}: {value[:160]}")
    for key in ("Rows Removed by Filter", "Rows Removed by Index Recheck", "Exact Heap Blocks"):
        if node.get(key):
            parts.append(f"{key.lower()}={node[key]}")
    return "; ".join(parts)


def _warning(node: dict[str, Any]) -> str | None:
    """A plan that reads or sorts far more rows than a page needs: what an index would avoid."""

    def rows_of(n: dict[str, Any]) -> int:
        return int((n.get("Actual Rows") or 0) * (n.get("Actual Loops") or 1))

    rows, removed = rows_of(node), int(node.get("Rows Removed by Filter") or 0)
    kind = node["Node Type"]
    if kind == "Seq Scan":
        return f"Seq Scan on {node.get('Relation Name')} ({rows + removed} rows read)"
    if removed > 1000 and removed > 10 * rows:
        return f"{_name(node)} discarded {removed} rows by filter to return {rows}"
    if kind in ("Sort", "Incremental Sort") and node.get("Plans") and rows_of(node["Plans"][0]) > 1000:
        return f"{kind} of {rows_of(node['Plans'][0])} rows ({node.get('Sort Method')})"
    if "Scan" in kind and rows > 10_000:
        return f"{_name(node)} returned {rows} rows"
    return None
