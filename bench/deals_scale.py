"""Deals suite, 2. Board, forecast and lists at 10k and 1M deals, through HTTP, with their query plans.

One database grows step by step (10k deals, then 990k more: deals_seed), VACUUM ANALYZE after each
step. At each size the deals service runs in-process (API only) on it and every scenario below is
requested `repeats` times (fewer if it exceeds its time budget) after two untimed requests: p50/p95/p99
of the request as the client sees it (token check, SQL, serialisation). A scenario with `pages` > 1
first follows next_cursor from the first page, then times the last page reached. The SQL each
scenario runs is caught once and explained (plans.py).
"""

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import md5
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench import deals_seed, http_scenarios, plans
from bench.deals_tables import slow_scenarios, summary_rows
from bench.leads_tables import label
from bench.stack import Stack, settled
from bench.stats import latency_summary
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_deals.domain.deal_values import check_consistency, has_date_prefix
from crm_shared.auth import Role
from crm_shared.runtime import ProcessRole
from crm_shared.testing.service import RunningService, auth_headers, running_service

USER = "sales-07"
READER = auth_headers(USER, Role.SALES, team="team-1")
SALES = "SALES SQUAD"
Params = dict[str, str | list[str]]


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str = "/v1/deals"
    params: Params = field(default_factory=dict)
    pages: int = 1


def scenarios(pipelines: dict[str, str], stages: dict[str, str]) -> list[Scenario]:
    """`pipelines`: name -> id; `stages`: name -> id of the SALES SQUAD stages."""
    today = datetime.now(UTC).date()
    board = f"/v1/pipelines/{pipelines[SALES]}/board"
    month = today.strftime("%Y-%m")
    half_year = (today.replace(day=1) + timedelta(days=31 * 5)).strftime("%Y-%m")
    soon: Params = {"close_from": today.isoformat(), "close_to": (today + timedelta(days=30)).isoformat()}
    in_stage: Params = {"pipeline_id": pipelines[SALES], "stage_id": stages["En contact"], "sort": "rank"}
    mine_open: Params = {"mine": "true", "status": "open", "sort": "expected_close_date"}
    won: Params = {"team": "team-3", "status": "won", "sort": "-amount_minor"}
    return [
        Scenario("GET /healthz (floor, no SQL)", "/healthz"),
        Scenario("board SALES SQUAD, limit=20", board, {"limit": "20"}),
        Scenario("board SALES SQUAD, mine", board, {"limit": "20", "mine": "true"}),
        Scenario("forecast by owner", "/v1/forecast", {"group_by": "owner"}),
        Scenario("forecast by team", "/v1/forecast", {"group_by": "team"}),
        Scenario("forecast by pipeline", "/v1/forecast", {"group_by": "pipeline"}),
        Scenario("forecast by owner, 6 months", "/v1/forecast", {"from": month, "to": half_year}),
        Scenario("list: first page, default sort (-created_at)"),
        Scenario("list: page 5 by next_cursor", pages=5),
        Scenario("list: mine (my deals)", params={"mine": "true"}),
        Scenario("list: mine + open, by close date", params=mine_open),
        Scenario("list: pipeline + stage, sort=rank", params=in_stage),
        Scenario("list: owner + status=open", params={"owner_id": USER, "status": "open"}),
        Scenario("list: team + won, sort=-amount", params=won),
        Scenario("list: amount 10k-50k EUR", params={"amount_min": "1000000", "amount_max": "5000000"}),
        Scenario("list: close date in the next 30 days", params=soon),
        Scenario("list: tag", params={"tags": "hot"}),
        Scenario("list: two tags (all of)", params={"tags": ["hot", "upsell"]}),
        Scenario("list: q= company fragment", params={"q": "norvex"}),
        Scenario("list: q= common word", params={"q": "audit"}),
        Scenario("list: q= no match", params={"q": "xqzw"}),
        Scenario("list: account_id", params={"account_id": _drawn("account", 123)}),
        Scenario("list: contact_id (primary or secondary)", params={"contact_id": _drawn("contact", 77)}),
        Scenario("list: needs_review", params={"needs_review": "true"}),
    ]


def _drawn(kind: str, n: int) -> str:
    """An id as deals_seed draws it: md5('<kind><n>')::uuid."""
    return str(uuid.UUID(md5(f"{kind}{n}".encode(), usedforsecurity=False).hexdigest()))


async def measure(
    stack: Stack, scales: list[int], repeats: int, budget_s: float, extra_indexes: list[str]
) -> dict[str, Any]:
    """`extra_indexes`: SQL run after each seeding step (CREATE INDEX IF NOT EXISTS ...), to measure
    an index before proposing it to the service's migrations."""
    url = stack.database("deals_scale")
    libpq = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    phases: dict[str, Any] = {}
    seeded = 0
    for scale in sorted(set(scales)):
        settings = Settings(database_url=url, kafka=stack.kafka_settings(), log_format="json")
        async with running_service(definition(settings), roles=frozenset({ProcessRole.API})) as deals:
            pipelines = await deals_seed.create_pipelines(deals.http)
            began = time.perf_counter()
            seeding = await deals_seed.seed(libpq, start=seeded + 1, stop=scale + 1)
            seeded = scale
            if extra_indexes:
                seeding["extra_indexes_s"] = await _extra_indexes(libpq, extra_indexes)
            seeding["total_s"] = round(time.perf_counter() - began, 1)
            phase: dict[str, Any] = {"rows": scale, "seeding": seeding}
            phase["verified_rows"] = await _verify(deals.http)
            phase["settled"] = await settled()
            stages = await _stages(deals.http, pipelines[SALES])
            phase["requests"] = await _requests(deals, libpq, scenarios(pipelines, stages), repeats, budget_s)
        phases[label(scale)] = phase
    return {
        "repeats": repeats,
        "budget_s_per_scenario": budget_s,
        "extra_indexes": extra_indexes,
        "phases": phases,
        "slow_at_largest": slow_scenarios(phases),
        "table": summary_rows(phases),
    }


async def _extra_indexes(libpq: str, statements: list[str]) -> float:
    connection = await asyncpg.connect(libpq)
    try:
        began = time.perf_counter()
        await connection.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements:
            await connection.execute(statement)
        await connection.execute("ANALYZE deals")
        return round(time.perf_counter() - began, 1)
    finally:
        await connection.close()


async def _stages(client: httpx.AsyncClient, pipeline_id: str) -> dict[str, str]:
    _, pipeline = await _get(client, f"/v1/pipelines/{pipeline_id}", {})
    return {stage["name"]: stage["id"] for stage in pipeline["stages"]}


async def _requests(
    deals: RunningService, libpq: str, planned: list[Scenario], repeats: int, budget_s: float
) -> dict[str, Any]:
    connection = await asyncpg.connect(libpq)
    try:
        return {s.name: await _scenario(deals, connection, s, repeats, budget_s) for s in planned}
    finally:
        await connection.close()


async def _scenario(
    deals: RunningService, connection: asyncpg.Connection, scenario: Scenario, repeats: int, budget_s: float
) -> dict[str, Any]:
    client = deals.http
    params, walk = await _walk(client, scenario)
    with plans.captured(deals.runtime.engine, "deals") as statements:
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
    used = await plans.plan_usage(deals.runtime.engine, statements)
    result["plans"] = [
        {**await plans.explain(connection, _arrays_as_text(s)), "service_executions": u}
        for s, u in zip(statements, used, strict=True)
    ]
    return result


def _arrays_as_text(statement: plans.Statement) -> plans.Statement:
    """List parameters (tags) as PostgreSQL array literals: plans.explain writes each value as text."""

    def text(value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        return "{" + ",".join(quoted) + "}"

    return plans.Statement(statement.sql, tuple(text(p) for p in statement.parameters))


def _items(body: Any) -> int | None:
    """Deals in the answer: a page's items, a board's deals, or a forecast's lines."""
    if not isinstance(body, dict):
        return None
    if "items" in body:
        return len(body["items"])
    if "stages" in body:
        return sum(len(stage["deals"]) for stage in body["stages"])
    return len(body["lines"]) if "lines" in body else None


async def _walk(client: httpx.AsyncClient, scenario: Scenario) -> tuple[http_scenarios.Params, list[float]]:
    return await http_scenarios.walk(client, scenario.path, scenario.params, scenario.pages, READER)


async def _get(client: httpx.AsyncClient, path: str, params: http_scenarios.Params) -> tuple[float, Any]:
    return await http_scenarios.get(client, path, params, READER)


async def _verify(client: httpx.AsyncClient) -> int:
    """Seeded deals read back through the API (so every column parses), and the domain's rules hold
    for them: status = the stage's kind, the stage's probability unless overridden, the pipeline's
    currency, a date prefix where the pipeline asks for it, closed_at iff closed, consistent amounts
    and contacts."""
    _, listed = await _get(client, "/v1/pipelines", {"include_archived": "true"})
    pipelines = {p["id"]: p for p in listed}
    items: dict[str, dict[str, Any]] = {}
    for sort in ("-created_at", "created_at", "-amount_minor", "title"):
        _, body = await _get(client, "/v1/deals", {"sort": sort, "limit": "200"})
        items |= {item["id"]: item for item in body["items"]}
    for deal in items.values():
        _check(deal, pipelines[deal["pipeline_id"]])
    return len(items)


def _check(deal: dict[str, Any], pipeline: dict[str, Any]) -> None:
    stage = next((s for s in pipeline["stages"] if s["id"] == deal["stage_id"]), None)
    problems = [
        what
        for what, wrong in (
            ("stage of another pipeline", stage is None),
            ("status is not the stage's kind", stage is not None and stage["kind"] != deal["status"]),
            (
                "probability is not the stage's",
                stage is not None and not deal["probability_overridden"]
                and deal["probability"] != stage["probability"],
            ),
            ("currency is not the pipeline's", deal["currency"] != pipeline["currency"]),
            (
                "title date prefix",
                pipeline["settings"]["title_date_prefix"] != has_date_prefix(deal["title"]),
            ),
            ("closed_at", (deal["closed_at"] is None) != (deal["status"] == "open")),
        )
        if wrong
    ]  # fmt: skip
    contacts = [uuid.UUID(c) for c in deal["contact_ids"]]
    primary = uuid.UUID(deal["contact_id"]) if deal["contact_id"] else None
    check_consistency(
        best_case_minor=deal["best_case_minor"],
        worst_case_minor=deal["worst_case_minor"],
        contact_id=primary,
        contact_ids=contacts,
    )
    if problems:
        raise RuntimeError(f"seeded deal {deal['id']} breaks the domain's rules: {problems}")
