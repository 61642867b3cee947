"""Helpers of the automatic rules' integration tests (no tests here): a running deals service, deals
opened straight through its unit of work, events delivered to its consumer and awaited in its inbox.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_deals.domain.model import Deal
from crm_shared.auth import Role
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.settings import KafkaSettings
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import RunningService, auth_headers, running_service

SALES = auth_headers("sales-1", Role.SALES)
CONSUMER = "crm-deals"
STAGE_CHANGED = "crm.deals.deal_stage_changed.v1"
UPDATED = "crm.deals.deal_updated.v1"
WON = "crm.deals.deal_won.v1"
CREATED = "crm.deals.deal_created.v1"

SALES_SQUAD = {
    "name": "SALES SQUAD",
    "team": "sales",
    "stages": [
        {"name": "À contacter", "probability": 10},
        {"name": "En contact", "probability": 25},
        {"name": "Offer send", "probability": 50},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ],
    "settings": {"proposal_stage": "Offer send", "win_when_order_confirmed": True, "title_date_prefix": True},
}


def service_fixture(prefix: str) -> Callable[..., Any]:
    """One deals service per test module: starting one takes seconds."""

    @pytest.fixture(scope="module")
    async def service(
        kafka_bootstrap: str, make_database: Callable[[str], str]
    ) -> AsyncIterator[RunningService]:
        settings = Settings(
            database_url=make_database(prefix),
            kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
            relay_poll_interval_s=0.2,
        )
        async with running_service(definition(settings)) as running:
            yield running

    return service


async def create_pipeline(service: RunningService, body: dict[str, Any]) -> dict[str, Any]:
    response = await service.http.post("/v1/pipelines", json=body, headers=SALES)
    assert response.status_code == 201, response.text
    return dict(response.json())


def stage_id(pipeline: dict[str, Any], name: str) -> str:
    return str(next(s["id"] for s in pipeline["stages"] if s["name"] == name))


async def open_deal(service: RunningService, pipeline_id: str | None, **values: Any) -> str:
    """A deal in the pipeline's first stage (the default pipeline for None), as a use case would open it."""
    fields = {"title": "Site", "amount_minor": 500_000, "owner_id": "sales-1"} | values
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        pipeline = await (uow.pipelines.get(UUID(pipeline_id)) if pipeline_id else uow.pipelines.default())
        deal = Deal.open(pipeline=pipeline, by="sales-1", **fields)
        await uow.deals.add(deal)
        await uow.commit()
    return str(deal.id)


async def deliver(
    service: RunningService, bootstrap: str, event: IntegrationEvent, *, envelope: Envelope | None = None
) -> Envelope:
    """Publish a real CloudEvent and wait until the consumer has applied it (its inbox row is committed)."""
    envelope = await publish_event(bootstrap, event, envelope=envelope)
    inbox = service.runtime.tables["inbox"]
    for _ in range(200):
        async with service.runtime.engine.connect() as connection:
            found = await connection.execute(
                select(inbox.c.event_id).where(inbox.c.consumer == CONSUMER, inbox.c.event_id == envelope.id)
            )
            if found.first() is not None:
                return envelope
        await asyncio.sleep(0.1)
    raise AssertionError(f"{envelope.type} {envelope.id} was not applied within 20 s")


async def published(service: RunningService, event_type: str | None, deal_id: object) -> list[dict[str, Any]]:
    """The integration events written for one deal (the outbox, which the relay publishes in order)."""
    outbox = service.runtime.tables["outbox"]
    query = select(outbox.c.payload).where(outbox.c.aggregate_id == str(deal_id)).order_by(outbox.c.position)
    if event_type is not None:
        query = query.where(outbox.c.event_type == event_type)
    async with service.runtime.engine.connect() as connection:
        return [dict(row.payload) for row in await connection.execute(query)]


async def count(service: RunningService, table: Any, *where: Any) -> int:
    async with service.runtime.engine.connect() as connection:
        found = await connection.execute(select(func.count()).select_from(table).where(*where))
        return int(found.scalar_one())
