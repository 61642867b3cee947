"""Timing one GET scenario of a service's list API: walk to the page asked for, warm up, then repeat
within a count and a time budget. Shared by the leads and deals suites."""

import time
from collections.abc import Mapping
from typing import Any

import httpx

WARM_UP = 2
MIN_REPEATS = 5
Params = dict[str, str | list[str]]
ParamsIn = Mapping[str, str | list[str]]


async def get(
    client: httpx.AsyncClient, path: str, params: ParamsIn, headers: dict[str, str]
) -> tuple[float, Any]:
    """(seconds, JSON body) of one request; anything but 200 stops the benchmark."""
    started = time.perf_counter()
    response = await client.get(path, params=params, headers=headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} {params} answered {response.status_code}: {response.text[:300]}")
    return elapsed, response.json()


async def walk(
    client: httpx.AsyncClient, path: str, params: ParamsIn, pages: int, headers: dict[str, str]
) -> tuple[Params, list[float]]:
    """Follow next_cursor towards page `pages`: the parameters of the last page reached, and the time
    each page on the way took."""
    current, times = dict(params), []
    for _ in range(pages - 1):
        elapsed, body = await get(client, path, current, headers)
        if not body.get("next_cursor"):
            break
        times.append(elapsed)
        current = {**params, "cursor": body["next_cursor"]}
    return current, times


async def repeat(
    client: httpx.AsyncClient,
    path: str,
    params: ParamsIn,
    headers: dict[str, str],
    *,
    repeats: int,
    budget_s: float,
) -> list[float]:
    """Seconds of each timed request, after the warm-up: `repeats` of them, or fewer (never under
    MIN_REPEATS) when the budget runs out."""
    for _ in range(WARM_UP):
        await get(client, path, params, headers)
    samples: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(samples) < repeats and (len(samples) < MIN_REPEATS or time.perf_counter() < deadline):
        samples.append((await get(client, path, params, headers))[0])
    return samples
