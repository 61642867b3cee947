"""Deals against real PostgreSQL and Kafka: one deal per converted lead; only sales close deals."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from crm_deals.adapters.tables import deals
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.events.leads import ConvertedDeal, LeadConverted
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
CSM = auth_headers("csm-1", Role.CSM)


@pytest.fixture
async def deals_service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
    )
    async with running_service(definition(settings)) as service:
        yield service


def lead_converted(amount: int = 500_000) -> LeadConverted:
    return LeadConverted(
        lead_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        contact_id=uuid.uuid4(),
        deal=ConvertedDeal(title="Website redesign", amount_minor=amount, currency="EUR", owner_id="sales-1"),
        converted_by="sales-1",
    )


async def wait_for_deal(service: RunningService, lead_id: uuid.UUID) -> dict:
    for _ in range(100):
        async with service.runtime.engine.connect() as connection:
            found = await connection.execute(select(deals.c.id).where(deals.c.lead_id == lead_id))
            deal_id = found.scalar_one_or_none()
        if deal_id is not None:
            return (await service.http.get(f"/v1/deals/{deal_id}", headers=SALES)).json()
        await asyncio.sleep(0.2)
    raise AssertionError(f"no deal for lead {lead_id}")


async def test_lead_converted_delivered_twice_opens_one_deal(deals_service, kafka_bootstrap):
    event = lead_converted()
    async with EventProbe(kafka_bootstrap, "crm.deals.events") as probe:
        envelope = await publish_event(kafka_bootstrap, event)
        await publish_event(kafka_bootstrap, event, envelope=envelope)  # redelivery: same ce_id
        deal = await wait_for_deal(deals_service, event.lead_id)
        created = await probe.wait_for(
            "crm.deals.deal_created.v1", lambda p: p["lead_id"] == str(event.lead_id)
        )
    assert deal["amount_minor"] == 500_000
    assert deal["probability"] == 10
    assert created.headers["causation_id"] == str(envelope.id)
    assert created.headers["correlation_id"] == "test"
    # a second LeadConverted for the same lead (new event id) must not open a second deal either
    await publish_event(kafka_bootstrap, event)
    await asyncio.sleep(2)
    async with deals_service.runtime.engine.connect() as connection:
        count = await connection.execute(
            select(func.count()).select_from(deals).where(deals.c.lead_id == event.lead_id)
        )
        assert count.scalar_one() == 1


async def test_only_sales_win_and_the_win_is_published(deals_service, kafka_bootstrap):
    event = lead_converted(amount=990_000)
    await publish_event(kafka_bootstrap, event)
    deal = await wait_for_deal(deals_service, event.lead_id)

    refused = await deals_service.http.post(f"/v1/deals/{deal['id']}/win", headers=CSM)
    assert refused.status_code == 403
    assert (await deals_service.http.get(f"/v1/deals/{deal['id']}", headers=CSM)).json()["status"] == "open"

    async with EventProbe(kafka_bootstrap, "crm.deals.events") as probe:
        won = await deals_service.http.post(f"/v1/deals/{deal['id']}/win", headers=SALES)
        assert won.status_code == 200, won.text
        published = await probe.wait_for("crm.deals.deal_won.v1", lambda p: p["deal_id"] == deal["id"])
    assert won.json()["status"] == "won"
    assert won.json()["probability"] == 100
    assert published.payload["amount_minor"] == 990_000
    assert published.payload["won_by"] == "sales-1"
    assert published.payload["from_stage"] == deal["stage_id"]
    assert published.payload["to_stage"] == won.json()["stage_id"]

    again = await deals_service.http.post(
        f"/v1/deals/{deal['id']}/lose", json={"reason": "late"}, headers=SALES
    )
    assert again.status_code == 409


async def test_losing_needs_a_reason(deals_service, kafka_bootstrap):
    event = lead_converted()
    await publish_event(kafka_bootstrap, event)
    deal = await wait_for_deal(deals_service, event.lead_id)
    missing = await deals_service.http.post(
        f"/v1/deals/{deal['id']}/lose", json={"reason": "  "}, headers=SALES
    )
    assert missing.status_code == 422
    lost = await deals_service.http.post(
        f"/v1/deals/{deal['id']}/lose", json={"reason": "budget"}, headers=SALES
    )
    assert lost.json()["status"] == "lost"
    assert lost.json()["lost_reason"] == "budget"


async def test_default_pipeline_has_the_standard_stages(deals_service):
    pipelines = (await deals_service.http.get("/v1/pipelines", headers=SALES)).json()
    default = next(p for p in pipelines if p["name"] == "Default")
    assert [(s["name"], s["probability"]) for s in default["stages"]] == [
        ("Prospecting", 10),
        ("Qualification", 20),
        ("Proposal", 50),
        ("Negotiation", 80),
        ("Won", 100),
        ("Lost", 0),
    ]
