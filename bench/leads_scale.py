"""Leads suite, 2. Lists, search and kanban at 10k and 1M leads, through HTTP, with their query plans.

One database grows step by step (10k rows, then 990k more: leads_seed), VACUUM ANALYZE after each
step. At each size the leads service runs in-process (API only) on it and every scenario below is
requested `repeats` times (fewer if it exceeds its time budget) after two untimed requests: p50/p95/p99
of the request as the client sees it (token check, SQL, serialisation of the page). A scenario with
`pages` > 1 first follows next_cursor from the first page, then times the last page reached. The SQL
each scenario runs is caught once and explained (plans.py). Then a few POST /v1/leads show what a
create costs on a table of that size (index upkeep).
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench import http_scenarios, leads_create, leads_seed, plans
from bench.leads_tables import label, summary_rows
from bench.stack import Stack, settled
from bench.stats import latency_summary
from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.runtime import ProcessRole
from crm_shared.testing.service import RunningService, auth_headers, running_service
from crm_shared.text_keys import casefold_key

USER = "sales-07"
READER = auth_headers(USER, Role.SALES, team="team-2")


@dataclass(frozen=True)
class Scenario:
    name: str
    params: dict[str, str] = field(default_factory=dict)
    pages: int = 1
    path: str = "/v1/leads"


def scenarios() -> list[Scenario]:
    now = datetime.now(UTC)
    month = {
        "created_from": (now - timedelta(days=365)).isoformat(),
        "created_to": (now - timedelta(days=335)).isoformat(),
    }
    return [
        Scenario("GET /healthz (floor, no SQL)", path="/healthz"),
        Scenario("first page, default sort (-created_at)"),
        Scenario("page 50 by next_cursor", pages=50),
        Scenario("sort=name", {"sort": "name"}),
        Scenario("sort=-score", {"sort": "-score"}),
        Scenario("owner_id", {"owner_id": USER}),
        Scenario("owner_id, page 20 by next_cursor", {"owner_id": USER}, pages=20),
        Scenario("mine + open (my open leads)", {"mine": "true", "open": "true"}),
        Scenario("status", {"status": "sales_qualification"}),
        Scenario("team + source", {"team": "team-3", "source": "event"}),
        Scenario("tag", {"tag": "webinar"}),
        Scenario("score 4-5", {"score_min": "4", "score_max": "5"}),
        Scenario("created in a 30-day range", month),
        Scenario("key_account", {"key_account": "true"}),
        Scenario("owner + status + score>=3", {"owner_id": USER, "status": "to_process", "score_min": "3"}),
        Scenario("q= name fragment", {"q": "bertr"}),
        Scenario("q= name fragment, page 10", {"q": "bertr"}, pages=10),
        Scenario("q= short common fragment", {"q": "mar"}),
        Scenario("q= email fragment", {"q": "chloe.dupont"}),
        Scenario("q= no match", {"q": "xqzw"}),
        Scenario("kanban", path="/v1/leads/kanban"),
        Scenario("kanban, mine", {"mine": "true"}, path="/v1/leads/kanban"),
    ]


async def measure(
    stack: Stack, scales: list[int], repeats: int, budget_s: float, creates: int, extra_indexes: list[str]
) -> dict[str, Any]:
    """`extra_indexes`: SQL run after each seeding step (CREATE INDEX IF NOT EXISTS ...), to measure
    an index before proposing it to the service's migrations."""
    url = stack.database("leads_scale")
    libpq = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    phases: dict[str, Any] = {}
    seeded = 0
    for scale in sorted(set(scales)):
        settings = Settings(database_url=url, kafka=stack.kafka_settings(), log_format="json")
        async with running_service(definition(settings), roles=frozenset({ProcessRole.API})) as leads:
            began = time.perf_counter()
            seeding = await leads_seed.seed(libpq, start=seeded + 1, stop=scale + 1)
            seeding["total_s"] = round(time.perf_counter() - began, 1)
            seeded = scale
            if extra_indexes:
                seeding["extra_indexes_s"] = await _extra_indexes(libpq, extra_indexes)
            phase: dict[str, Any] = {"rows": scale, "seeding": seeding}
            phase["verified_rows"] = await _verify(leads.http, libpq)
            phase["settled"] = await settled()
            phase["requests"] = await _requests(leads, libpq, repeats, budget_s)
            phase["create_at_this_size"] = await _creates(leads, libpq, creates, 10 * scale, budget_s)
        phases[label(scale)] = phase
    return {
        "repeats": repeats,
        "budget_s_per_scenario": budget_s,
        "extra_indexes": extra_indexes,
        "phases": phases,
        "table": summary_rows(phases),
    }


async def _extra_indexes(libpq: str, statements: list[str]) -> float:
    connection = await asyncpg.connect(libpq)
    try:
        began = time.perf_counter()
        await connection.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements:
            await connection.execute(statement)
        await connection.execute("ANALYZE leads")
        return round(time.perf_counter() - began, 1)
    finally:
        await connection.close()


async def _creates(
    leads: RunningService, libpq: str, count: int, first: int, budget_s: float
) -> dict[str, Any]:
    """`count` full leads one after the other; then the plans of the reads one more create runs
    (the duplicate check's candidate query, mostly)."""
    result = await leads_create.sequential(
        leads.http, leads_create.full_lead, count, first=first, budget_s=budget_s
    )
    with plans.captured(leads.runtime.engine, "leads") as statements:
        await leads_create.create(leads.http, leads_create.full_lead(first + count))
    used = await plans.plan_usage(leads.runtime.engine, statements)
    connection = await asyncpg.connect(libpq)
    try:
        result["plans"] = [
            {**await plans.explain(connection, s), "service_executions": u}
            for s, u in zip(statements, used, strict=True)
        ]
    finally:
        await connection.close()
    return result


async def _requests(leads: RunningService, libpq: str, repeats: int, budget_s: float) -> dict[str, Any]:
    connection = await asyncpg.connect(libpq)
    try:
        return {s.name: await _scenario(leads, connection, s, repeats, budget_s) for s in scenarios()}
    finally:
        await connection.close()


async def _scenario(
    leads: RunningService, connection: asyncpg.Connection, scenario: Scenario, repeats: int, budget_s: float
) -> dict[str, Any]:
    client = leads.http
    params, walk = await _walk(client, scenario)
    with plans.captured(leads.runtime.engine, "leads") as statements:
        _, body = await _get(client, scenario.path, params)
    samples = await http_scenarios.repeat(
        client, scenario.path, params, READER, repeats=repeats, budget_s=budget_s
    )
    result: dict[str, Any] = {
        "path": scenario.path,
        "params": scenario.params,
        "page": len(walk) + 1,
        "items": _items(body),
        "latency": latency_summary(samples),
    }
    if len(walk) >= 2:
        result["pages_on_the_way"] = latency_summary(walk)
    if "q" in scenario.params:
        pattern = f"%{casefold_key(scenario.params['q'])}%"
        result["matching_leads"] = await connection.fetchval(
            "SELECT count(*) FROM leads WHERE search_text LIKE $1", pattern
        )
    used = await plans.plan_usage(leads.runtime.engine, statements)
    result["plans"] = [
        {**await plans.explain(connection, s), "service_executions": u}
        for s, u in zip(statements, used, strict=True)
    ]
    return result


def _items(body: Any) -> int | None:
    if isinstance(body, dict):
        return len(body["items"]) if "items" in body else None
    return sum(len(column["items"]) for column in body)


async def _walk(client: httpx.AsyncClient, scenario: Scenario) -> tuple[http_scenarios.Params, list[float]]:
    return await http_scenarios.walk(client, scenario.path, scenario.params, scenario.pages, READER)


async def _get(client: httpx.AsyncClient, path: str, params: http_scenarios.Params) -> tuple[float, Any]:
    return await http_scenarios.get(client, path, params, READER)


async def _verify(client: httpx.AsyncClient, libpq: str) -> int:
    """Seeded rows read back through the API (so every column parses), and their derived columns
    equal what the service computes: search_text from names, company and emails; rank = -created_at."""
    items: dict[str, dict[str, Any]] = {}
    for sort in ("-created_at", "name", "-score", "created_at"):
        _, body = await _get(client, "/v1/leads", {"sort": sort, "limit": "200"})
        items |= {item["id"]: item for item in body["items"]}
    connection = await asyncpg.connect(libpq)
    try:
        rows = await connection.fetch(
            "SELECT id::text, search_text, rank, created_at FROM leads WHERE id = ANY($1::uuid[])",
            list(items),
        )
    finally:
        await connection.close()
    for stored in rows:
        lead = items[stored["id"]]
        parts = (
            lead["first_name"],
            lead["last_name"],
            lead["company_name"],
            *(e["address"] for e in lead["emails"]),
        )
        expected = casefold_key(" ".join(p for p in parts if p))
        if stored["search_text"] != expected or abs(stored["rank"] + stored["created_at"].timestamp()) > 1e-3:
            raise RuntimeError(
                f"seeded lead {stored['id']} differs from the service's derivation: {dict(stored)}"
            )
    return len(rows)
