"""The outbox relay: a crash between publish and mark re-publishes, a late commit is not skipped,
and one relay leads per database while the others stand by."""

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from crm_shared.events import EventContext, leads
from crm_shared.messaging.kafka import create_producer
from crm_shared.outbox import OutboxRelay
from crm_shared.outbox.relay import RELAY_LOCK_KEY
from crm_shared.runtime import ProcessRole
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService
from tests.reliability.helpers import (
    DEALS_GROUP,
    LEADS_TOPIC,
    Seen,
    Services,
    TopicTail,
    count_rows,
    create_and_convert_lead,
    create_lead,
    eventually,
    wait_consumed,
)

pytestmark = pytest.mark.reliability

API_ONLY = frozenset({ProcessRole.API})
LEAD_CREATED = leads.LeadCreated.event_type
LEAD_CONVERTED = leads.LeadConverted.event_type


def relay_of(service: RunningService, kafka: KafkaSettings, name: str) -> OutboxRelay:
    runtime = service.runtime
    return OutboxRelay(
        engine=runtime.engine,
        tables=runtime.tables,
        producer_factory=lambda: create_producer(kafka, client_id=name),
        poll_interval_s=0.2,
    )


@contextlib.asynccontextmanager
async def relay_with_producer(
    service: RunningService, kafka: KafkaSettings, name: str
) -> AsyncIterator[OutboxRelay]:
    relay = relay_of(service, kafka, name)
    try:
        yield relay
    finally:
        await relay.producer.stop()


async def test_a_crash_between_publish_and_mark_republishes_and_deals_applies_once(
    services: Services, kafka_bootstrap: str
):
    deals = await services.deals()
    lead_service = await services.leads(roles=API_ONLY)  # no relay of its own: the test is the relay
    conversion = await create_and_convert_lead(lead_service)
    lead_id = conversion["lead"]["id"]
    async with TopicTail(kafka_bootstrap, LEADS_TOPIC) as tail:
        async with relay_with_producer(lead_service, services.kafka, "relay-that-crashes") as crashed:
            rows = await crashed.fetch_unpublished()
            assert LEAD_CONVERTED in {row.event_type for row in rows}
            await crashed.send(rows)  # ...and the process dies before mark_published
        assert await crashed.backlog() == len(rows)
        async with relay_with_producer(lead_service, services.kafka, "relay-after-restart") as restarted:
            assert await restarted.publish_pending() == len(rows)
            assert await restarted.backlog() == 0
        seen = await tail.drain()

    copies = [s for s in seen if s.type == LEAD_CONVERTED and s.key == lead_id.encode()]
    assert len(copies) == 2
    assert copies[0].id == copies[1].id
    deliveries = Counter(s.id for s in seen)
    assert {deliveries[str(row.event_id)] for row in rows} == {2}  # every row: published, then again
    await wait_consumed(kafka_bootstrap, LEADS_TOPIC, copies[1].partition, copies[1].offset)
    assert await count_rows(deals.runtime, "deals", lead_id=uuid.UUID(lead_id)) == 1
    event_id = uuid.UUID(copies[0].id)
    assert await count_rows(deals.runtime, "inbox", consumer=DEALS_GROUP, event_id=event_id) == 1


async def test_an_event_committed_late_is_published_after_a_later_one(
    services: Services, kafka_bootstrap: str
):
    lead_service = await services.leads(roles=frozenset({ProcessRole.API, ProcessRole.RELAY}))
    runtime = lead_service.runtime
    late = leads.LeadCreated(lead_id=uuid.uuid4(), last_name="Late")
    async with TopicTail(kafka_bootstrap, LEADS_TOPIC) as tail, runtime.uow(EventContext("late")) as uow:
        uow.publish(late)
        await uow.flush()  # the late event holds its outbox position, uncommitted
        early = await create_lead(lead_service, last_name="Early")
        await tail.wait_for(lambda s: s.about(LEAD_CREATED, lead_id=early["id"]), "the early LeadCreated")
        assert not [s for s in tail.seen if s.key == str(late.lead_id).encode()]
        await uow.commit()
        published = await tail.wait_for(
            lambda s: s.about(LEAD_CREATED, lead_id=late.lead_id), "the late LeadCreated", timeout_s=10
        )
    assert published.headers["correlation_id"] == "late"
    outbox = runtime.tables["outbox"]
    async with runtime.engine.connect() as connection:
        rows = (await connection.execute(select(outbox.c.aggregate_id, outbox.c.position))).all()
    positions = dict(rows)
    assert positions[str(late.lead_id)] < positions[early["id"]]  # taken first, committed last


async def wait_leader(relays: Sequence[OutboxRelay], timeout_s: float = 10) -> OutboxRelay:
    async def single_leader() -> OutboxRelay | None:
        leading = [r for r in relays if r.is_leader]
        assert len(leading) <= 1, "two relays lead the same database"
        return leading[0] if leading else None

    return await eventually(single_leader, "a relay to lead", timeout_s)


async def test_one_relay_leads_and_a_stand_by_takes_over(services: Services, kafka_bootstrap: str):
    lead_service = await services.leads(roles=API_ONLY)
    async with TopicTail(kafka_bootstrap, LEADS_TOPIC) as tail:
        relays = [
            relay_of(lead_service, services.kafka, "relay-a"),
            relay_of(lead_service, services.kafka, "relay-b"),
        ]
        stops = [asyncio.Event(), asyncio.Event()]
        tasks = [asyncio.create_task(r.run(s)) for r, s in zip(relays, stops, strict=True)]
        try:
            leader = await wait_leader(relays)
            for _ in range(10):  # several poll intervals: the other one keeps standing by
                assert [r.is_leader for r in relays].count(True) == 1
                await asyncio.sleep(0.1)
            await published_lead(lead_service, tail, "Before")

            index = relays.index(leader)
            stops[index].set()
            await asyncio.wait_for(tasks[index], 10)
            successor = await wait_leader(relays, timeout_s=5)
            assert successor is relays[1 - index]
            await published_lead(lead_service, tail, "After")
        finally:
            for stop in stops:
                stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 10)


async def published_lead(lead_service: RunningService, tail: TopicTail, name: str) -> Seen:
    lead = await create_lead(lead_service, last_name=name)
    return await tail.wait_for(lambda s: s.about(LEAD_CREATED, lead_id=lead["id"]), f"{name}'s event", 5)


async def test_the_relay_is_unready_while_the_oldest_unpublished_row_is_older_than_allowed(
    services: Services,
):
    api = await services.leads(roles=API_ONLY)
    database_url = api.runtime.settings.database_url
    async with api.runtime.engine.connect() as other_relay:
        # Another relay holds the database's relay lock: the relay process below stands by.
        await other_relay.exec_driver_sql(f"SELECT pg_advisory_lock({RELAY_LOCK_KEY})")
        relay = await services.leads(
            roles=frozenset({ProcessRole.RELAY}), database_url=database_url, relay_max_outbox_age_s=30
        )
        lead = await create_lead(api, last_name="Waiting")
        assert (await relay.http.get("/readyz")).status_code == 200  # unpublished, but not for long yet
        await _age_unpublished_rows(api, seconds=120)

        response = await relay.http.get("/readyz")
        assert response.status_code == 503
        verdict = response.json()["checks"]["relay"]
        assert verdict.startswith("failed: oldest unpublished outbox row is 12"), verdict
        assert verdict.endswith("s old (limit 30s)"), verdict
        assert _gauge(await relay.http.get("/metrics"), "crm_outbox_oldest_unpublished_age_seconds") >= 120
        await other_relay.invalidate()  # the other relay's connection closes, and its lock goes with it
    # The relay leads now, publishes, and is ready again.
    await eventually(lambda: _ready(relay), "the relay to publish and be ready", timeout_s=15)
    assert await count_rows(relay.runtime, "outbox", aggregate_id=lead["id"], published_at=None) == 0
    assert _gauge(await relay.http.get("/metrics"), "crm_outbox_oldest_unpublished_age_seconds") == 0


async def _age_unpublished_rows(service: RunningService, *, seconds: int) -> None:
    outbox = service.runtime.tables["outbox"]
    async with service.runtime.engine.begin() as connection:
        await connection.execute(
            update(outbox)
            .where(outbox.c.published_at.is_(None))
            .values(created_at=func.now() - timedelta(seconds=seconds))
        )


async def _ready(service: RunningService) -> bool:
    return (await service.http.get("/readyz")).status_code == 200


def _gauge(response: Any, name: str) -> float:
    [value] = [line.split()[-1] for line in response.text.splitlines() if line.startswith(f"{name} ")]
    return float(value)
