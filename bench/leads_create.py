"""Leads suite, 1. Create-lead throughput and latency: `POST /v1/leads` through the in-process app.

The leads service runs with its API and its outbox relay (so every LeadCreated really reaches Kafka
while requests run, as in a deployment), on a fresh database; every create also runs the service's
duplicate check against the leads already there (names and companies recur, as in real data).
Three runs of N requests each: sequential with a minimal lead (names, company, email, source),
sequential with a full lead (phone to normalise, address, tags, reference-list values, UTM
fields...), and the full lead from C concurrent clients (asyncio.gather over the same httpx ASGI
client). Reference, same run: `GET /healthz` through the same client and middleware, interleaved one
for one with the sequential POSTs, and from the same C concurrent clients. Throughput = requests /
wall time of the run (for the sequential runs, the time spent in the POSTs).
"""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from bench import leads_vocabulary as words
from bench.stack import Stack, settled
from bench.stats import latency_summary, rate, ratio, row
from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.db.plumbing import OUTBOX
from crm_shared.runtime import ProcessRole, ServiceRuntime
from crm_shared.testing.service import auth_headers, running_service

WARM_UP = 20
MIN_REQUESTS = 5
DRAIN_LIMIT_S = 60.0
SALES = auth_headers("bench-sales", Role.SALES, team="team-1")
SOURCES = ("web_form", "event", "phone", "email")
COMPANIES = words.companies()
Payload = Callable[[int], dict[str, Any]]


async def measure(stack: Stack, count: int, clients: int) -> dict[str, Any]:
    settings = Settings(
        database_url=stack.database("leads_create"), kafka=stack.kafka_settings(), log_format="json"
    )
    roles = frozenset({ProcessRole.API, ProcessRole.RELAY})
    async with running_service(definition(settings), roles=roles) as leads:
        for index in range(WARM_UP):
            await create(leads.http, full_lead(-index - 1))
            await health(leads.http)
        quiet = await settled()
        # Each run starts on the leads the previous ones left (the duplicate check reads them).
        minimal = {"leads_at_start": WARM_UP} | await sequential(leads.http, minimal_lead, count, first=0)
        full = {"leads_at_start": WARM_UP + count} | await sequential(
            leads.http, full_lead, count, first=count
        )
        together = {"leads_at_start": WARM_UP + 2 * count} | await concurrent(
            leads.http, full_lead, count, clients, first=2 * count
        )
        drained_s, published = await _drained(leads.runtime)
    return {
        "requests_per_run": count,
        "clients": clients,
        "warm_up": WARM_UP,
        "roles": sorted(roles),
        "settled": quiet,
        "sequential_minimal": minimal,
        "sequential_full": full,
        "concurrent_full": together,
        "outbox": {"published": published, "backlog_cleared_after_last_response_s": drained_s},
        "table": [
            row("POST /v1/leads, 1 client, minimal", minimal["leads_per_s"], None, "leads/s"),
            row("POST /v1/leads, 1 client, full", full["leads_per_s"], None, "leads/s"),
            *(
                row(f"  full vs /healthz {q}", full["post"][f"{q}_ms"], full["healthz"][f"{q}_ms"], "ms")
                for q in ("p50", "p95", "p99")
            ),
            row(
                f"POST /v1/leads, {clients} clients vs /healthz",
                together["leads_per_s"],
                together["healthz_per_s"],
                "req/s",
            ),
            *(
                row(
                    f"  {clients} clients {q}",
                    together["post"][f"{q}_ms"],
                    together["healthz"][f"{q}_ms"],
                    "ms",
                )
                for q in ("p50", "p95", "p99")
            ),
        ],
    }


async def sequential(
    client: httpx.AsyncClient, payload: Payload, count: int, *, first: int, budget_s: float | None = None
) -> dict[str, Any]:
    """`count` POSTs one after the other, each followed by a GET /healthz (not counted in the rate);
    past `budget_s`, stop after at least MIN_REQUESTS."""
    posts: list[float] = []
    healths: list[float] = []
    deadline = time.perf_counter() + budget_s if budget_s is not None else None
    for index in range(first, first + count):
        if deadline is not None and len(posts) >= MIN_REQUESTS and time.perf_counter() > deadline:
            break
        posts.append(await create(client, payload(index)))
        healths.append(await health(client))
    post, reference = latency_summary(posts), latency_summary(healths)
    return {
        "requests": len(posts),
        "leads_per_s": rate(len(posts), sum(posts)),
        "post": post,
        "healthz": reference,
        "ratio_p50": ratio(post["p50_ms"], reference["p50_ms"]),
    }


async def concurrent(
    client: httpx.AsyncClient, payload: Payload, count: int, clients: int, *, first: int
) -> dict[str, Any]:
    """`clients` tasks each sending count/clients POSTs in a row; then the same for /healthz."""
    per_client = max(count // clients, 1)

    async def posting(k: int) -> list[float]:
        start = first + k * per_client
        return [await create(client, payload(i)) for i in range(start, start + per_client)]

    async def probing(_: int) -> list[float]:
        return [await health(client) for _ in range(per_client)]

    post_wall, posts = await _gathered(posting, clients)
    health_wall, healths = await _gathered(probing, clients)
    done = per_client * clients
    return {
        "requests": done,
        "leads_per_s": rate(done, post_wall),
        "healthz_per_s": rate(done, health_wall),
        "wall_s": round(post_wall, 3),
        "post": latency_summary(posts),
        "healthz": latency_summary(healths),
    }


async def _gathered(task: Callable[[int], Any], clients: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    results = await asyncio.gather(*(task(k) for k in range(clients)))
    return time.perf_counter() - started, [s for samples in results for s in samples]


async def _drained(runtime: ServiceRuntime[Any]) -> tuple[float | None, int]:
    """Seconds until the relay has published every outbox row (None past the limit); rows published."""
    outbox = runtime.tables[OUTBOX]
    started = time.perf_counter()
    async with runtime.engine.connect() as connection:
        while time.perf_counter() - started < DRAIN_LIMIT_S:
            left = (
                await connection.execute(select(func.count()).where(outbox.c.published_at.is_(None)))
            ).scalar()
            await connection.rollback()  # a fresh snapshot each time
            if not left:
                break
            await asyncio.sleep(0.05)
        published = (
            await connection.execute(select(func.count()).where(outbox.c.published_at.is_not(None)))
        ).scalar()
    drained = time.perf_counter() - started
    return (round(drained, 2) if drained < DRAIN_LIMIT_S else None), int(published or 0)


def minimal_lead(index: int) -> dict[str, Any]:
    """Names, company, email and source only; values vary with `index`, as for `full_lead`."""
    full = full_lead(index)
    return {key: full[key] for key in ("first_name", "last_name", "company_name", "email", "source")}


def full_lead(index: int) -> dict[str, Any]:
    """A lead as a salesperson or a web form fills it in; values vary with `index`."""
    first = words.FIRST_NAMES[index % len(words.FIRST_NAMES)]
    last = words.LAST_NAMES[index // 7 % len(words.LAST_NAMES)]
    company, domain = COMPANIES[index % len(COMPANIES)]
    return {
        "first_name": first,
        "last_name": last,
        "company_name": company,
        "job_title": words.JOB_TITLES[index % len(words.JOB_TITLES)],
        "function": words.FUNCTIONS[index % len(words.FUNCTIONS)],
        "department": words.DEPARTMENTS[index % len(words.DEPARTMENTS)],
        "industry_sector": words.INDUSTRY_SECTORS[index % len(words.INDUSTRY_SECTORS)],
        "email": f"{words.ascii_slug(first)}.{words.ascii_slug(last)}{index}@{domain}",
        "phone": f"01 45 {index // 10_000 % 100:02d} {index // 100 % 100:02d} {index % 100:02d}",
        "address": {"street": "12 rue de la Paix", "postal_code": "75002", "city": "Paris", "country": "FR"},
        "website": f"www.{domain}",
        "source": SOURCES[index % len(SOURCES)],
        "tags": [{"name": "webinar", "colour": "#fb8c00"}, {"name": "hot", "colour": "#e53935"}][: index % 3],
        "score": index % 6,
        "company_size": words.COMPANY_SIZES[index % len(words.COMPANY_SIZES)],
        "key_account": index % 20 == 0,
        "language": "fr" if index % 10 < 7 else "en",
        "description": words.DESCRIPTIONS[index % len(words.DESCRIPTIONS)],
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "spring-2026",
    }


async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = await client.post("/v1/leads", json=body, headers=SALES)
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"POST /v1/leads answered {response.status_code}: {response.text[:300]}")
    return elapsed


async def health(client: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    response = await client.get("/healthz")
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET /healthz answered {response.status_code}")
    return elapsed
