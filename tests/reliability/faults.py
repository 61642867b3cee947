"""Tools of the fault tests: steady HTTP traffic while a server goes away, and readiness as probed."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from crm_shared.testing.service import RunningService
from tests.reliability.helpers import SALES, create_lead


@dataclass
class Conversions:
    """Leads created and converted one after the other over HTTP, until stopped."""

    leads: RunningService
    converted: list[str] = field(default_factory=list)

    async def run(self, stop: asyncio.Event, pause_s: float = 0.3) -> None:
        while not stop.is_set():
            self.converted.append(await convert_new_lead(self.leads))
            await asyncio.sleep(pause_s)


async def convert_new_lead(leads: RunningService) -> str:
    """A lead created and converted into a new account (the same company every time) and a deal."""
    lead = await create_lead(leads)
    body = {
        "account": {"confirm_new": True},
        "deal": {"title": "Compiler", "amount_minor": 1_000_000, "currency": "EUR"},
    }
    converted = await leads.http.post(f"/v1/leads/{lead['id']}/convert", json=body, headers=SALES)
    assert converted.status_code == 200, converted.text
    lead_id: str = converted.json()["lead"]["id"]
    return lead_id


@contextlib.asynccontextmanager
async def converting(leads: RunningService) -> AsyncIterator[Conversions]:
    """Conversions keep coming while the block runs; every one of them must succeed."""
    conversions, stop = Conversions(leads), asyncio.Event()
    task = asyncio.create_task(conversions.run(stop))
    try:
        yield conversions
    finally:
        stop.set()
        await task  # re-raises a failed conversion


async def readiness(service: RunningService) -> tuple[int, dict[str, Any]]:
    response = await service.http.get("/readyz")
    body: dict[str, Any] = response.json()
    return response.status_code, body


async def outage(stop: Callable[[], None], start: Callable[[], None], seconds: float) -> None:
    """A server away for `seconds` (stopping and starting block: they run off the event loop)."""
    await asyncio.to_thread(stop)
    await asyncio.sleep(seconds)
    await asyncio.to_thread(start)
