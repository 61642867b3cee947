"""The deals database goes away while LeadConverted events arrive: a refused connection is a transient
fault, not a poison record. Nothing is dead-lettered, the consumers' readiness says what is going on
while it lasts, and every deal is opened once the database is back."""

import asyncio

import pytest

from crm_shared.events.leads import LeadConverted
from crm_shared.infra.postgres import create_database
from crm_shared.infra.restartable import RestartablePostgres
from crm_shared.testing.service import RunningService
from tests.reliability.faults import readiness
from tests.reliability.helpers import (
    DEALS_GROUP,
    LEADS_TOPIC,
    Services,
    TopicTail,
    count_rows,
    eventually,
    lead_converted,
    send_event,
)

pytestmark = pytest.mark.reliability

OUTAGES_S = (30.0, 3.0, 3.0)  # one long outage (far beyond the old ~1.4 s of retries), two short ones
EVENTS_PER_OUTAGE = 3


async def test_lead_conversions_wait_out_database_outages_and_open_every_deal(
    fault_postgres: RestartablePostgres, services: Services, kafka_bootstrap: str
):
    database_url = await asyncio.to_thread(create_database, fault_postgres.admin_url, "deals_outage")
    deals = await services.deals(
        database_url=database_url, consumer_transient_backoff_base_s=0.2, consumer_transient_backoff_cap_s=2
    )
    member = _group_member(deals)
    sent: list[LeadConverted] = []
    event_ids: set[str] = set()
    async with TopicTail(kafka_bootstrap, f"{LEADS_TOPIC}.dlq") as dead_letters:
        for seconds in OUTAGES_S:
            await asyncio.to_thread(fault_postgres.stop)
            for _ in range(EVENTS_PER_OUTAGE):
                event, envelope = lead_converted()
                await send_event(kafka_bootstrap, event, envelope)
                sent.append(event)
                event_ids.add(str(envelope.id))
            verdict = await eventually(
                lambda: _consumers_retrying(deals), "the consumers to report the outage"
            )
            assert "retrying since" in verdict, verdict
            await asyncio.sleep(seconds)
            await asyncio.to_thread(fault_postgres.start)
            await eventually(lambda: _all_deals_opened(deals, sent), f"{len(sent)} deals", timeout_s=60)
            await eventually(lambda: _ready(deals), "deals ready again", timeout_s=30)
        letters = await dead_letters.drain()

    assert [s for s in letters if s.id in event_ids] == []  # an outage is not a poison record
    assert _group_member(deals) == member  # paused, not evicted from the group: no rebalance
    for event in sent:
        assert await count_rows(deals.runtime, "deals", lead_id=event.lead_id) == 1
    applied = await count_rows(
        deals.runtime, "inbox", consumer=DEALS_GROUP, event_type=LeadConverted.event_type
    )
    assert applied == len(sent)
    metrics = (await deals.http.get("/metrics")).text
    assert f'crm_consumer_transient_retries_total{{consumer="{DEALS_GROUP}"' in metrics
    assert f'crm_consumer_partitions_retrying{{consumer="{DEALS_GROUP}"}} 0.0' in metrics


def _group_member(deals: RunningService) -> tuple[str, int]:
    [subscriber] = deals.runtime.broker.subscribers
    coordinator = subscriber.consumer._coordinator
    return coordinator.member_id, coordinator.generation


async def _consumers_retrying(deals: RunningService) -> str | None:
    status, body = await readiness(deals)
    verdict: str = body["checks"]["consumers"]
    return verdict if status == 503 and verdict.startswith("failed: retrying since") else None


async def _all_deals_opened(deals: RunningService, events: list[LeadConverted]) -> bool:
    for event in events:
        if await count_rows(deals.runtime, "deals", lead_id=event.lead_id) != 1:
            return False
    return True


async def _ready(service: RunningService) -> bool:
    status, _ = await readiness(service)
    return status == 200
