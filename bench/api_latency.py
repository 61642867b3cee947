"""3. HTTP latency: sequential `POST /v1/leads` through the in-process app, against `GET /healthz`.

Both go through the same httpx client, ASGI transport and middleware, interleaved one for one so that
both see the same conditions. The POST adds token verification, validation, one transaction writing the
lead and its outbox row, and serialisation; the ratio of the medians is what that costs over the floor.
"""

import time
from typing import Any

import httpx

from bench.stack import Stack
from bench.stats import latency_summary, ratio, row
from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.runtime import ProcessRole
from crm_shared.testing.service import auth_headers, running_service

WARM_UP = 20
SALES = auth_headers("bench-sales", Role.SALES)


async def measure(stack: Stack, requests: int) -> dict[str, Any]:
    settings = Settings(
        database_url=stack.database("leads_http"), kafka=stack.kafka_settings(), log_format="json"
    )
    async with running_service(definition(settings), roles=frozenset({ProcessRole.API})) as leads:
        for index in range(WARM_UP):
            await _create(leads.http, -index - 1)
            await _health(leads.http)
        posts, healths = [], []
        for index in range(requests):
            posts.append(await _create(leads.http, index))
            healths.append(await _health(leads.http))
    post, health = latency_summary(posts), latency_summary(healths)
    return {
        "requests": requests,
        "warm_up": WARM_UP,
        "post_leads": post,
        "healthz": health,
        "ratio_p50": ratio(post["p50_ms"], health["p50_ms"]),
        "table": [
            row(f"POST /v1/leads vs /healthz {q}", post[f"{q}_ms"], health[f"{q}_ms"], "ms")
            for q in ("p50", "p95", "p99")
        ],
    }


async def _create(client: httpx.AsyncClient, index: int) -> float:
    body = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company_name": "Analytical Engines",
        "email": f"ada{index}@analytical.example",
        "source": "web_form",  # one of the admin-managed sources the leads service accepts
    }
    started = time.perf_counter()
    response = await client.post("/v1/leads", json=body, headers=SALES)
    elapsed = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"POST /v1/leads answered {response.status_code}: {response.text[:300]}")
    return elapsed


async def _health(client: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    response = await client.get("/healthz")
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET /healthz answered {response.status_code}")
    return elapsed
