"""What the deal-command integration tests share: a deals service, and creating a deal over HTTP."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

SALES = auth_headers("sales-1", Role.SALES, team="squad-a")
TOPIC = "crm.deals.events"


@asynccontextmanager
async def deals_service(kafka_bootstrap: str, database_url: str) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=database_url,
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.2,
    )
    async with running_service(definition(settings)) as running:
        yield running


async def create(service: RunningService, headers: dict[str, str] = SALES, **body: Any) -> dict[str, Any]:
    response = await service.http.post(
        "/v1/deals", json={"title": "Site", "amount_minor": 500_000} | body, headers=headers
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
