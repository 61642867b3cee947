"""2. Consumer throughput: N LeadConverted records waiting on Kafka, applied by the deals service.

Each record is decoded and validated, claimed in the inbox, turned into a deal with its DealCreated
outbox row in one transaction, then its offset is committed. Reference, same run and records: a bare
AIOKafkaConsumer that reads them and commits each offset, doing nothing else. Steady-state rates run
from the first record done to the last, so group joins and start-up are left out (reported apart).
"""

import asyncio
import dataclasses
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.records import LEADS_TOPIC, lead_converted, raw_record, safe_producer, send_batched
from bench.stack import Stack
from bench.stats import rate, ratio, row
from crm_deals.adapters.tables import deals
from crm_deals.bootstrap import MIGRATIONS, definition
from crm_deals.config import Settings
from crm_shared.db.migrations import upgrade
from crm_shared.messaging.kafka import ensure_topics
from crm_shared.runtime import ProcessRole
from crm_shared.testing.service import running_service

POLL_S = 0.1


async def measure(stack: Stack, events: int) -> dict[str, Any]:
    await _publish(stack, events)
    reference_wall, reference_s = await _reference(stack, events)
    deals_wall, deals_s = await _deals(stack, events)
    deals_rate, reference_rate = rate(events - 1, deals_s), rate(events - 1, reference_s)
    return {
        "events": events,
        "deals": {
            "wall_seconds_incl_start": round(deals_wall, 3),
            "steady_seconds": round(deals_s, 3),
            "events_per_s": deals_rate,
            "ms_per_event": round(1000 / deals_rate, 3),
        },
        "reference_consumer": {
            "wall_seconds_incl_start": round(reference_wall, 3),
            "steady_seconds": round(reference_s, 3),
            "events_per_s": reference_rate,
            "ms_per_event": round(1000 / reference_rate, 3),
        },
        "ratio": ratio(deals_rate, reference_rate),
        "table": [
            row("deals consumer vs raw consumer", deals_rate, reference_rate, "events/s"),
            row("  per event", round(1000 / deals_rate, 3), round(1000 / reference_rate, 3), "ms"),
        ],
    }


async def _publish(stack: Stack, events: int) -> None:
    """Fills the topic before anything consumes it; this run's other benchmarks publish later."""
    await ensure_topics(stack.kafka_settings(), [LEADS_TOPIC])
    producer = safe_producer(stack.bootstrap, "bench-publisher")
    await producer.start()
    try:
        await send_batched(producer, [raw_record(lead_converted()) for _ in range(events)], batch=500)
    finally:
        await producer.stop()


async def _reference(stack: Stack, events: int) -> tuple[float, float]:
    consumer = AIOKafkaConsumer(
        LEADS_TOPIC,
        bootstrap_servers=stack.bootstrap,
        group_id=f"bench-reference-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    wall_started = time.perf_counter()
    await consumer.start()
    try:
        steady_started = 0.0
        for index in range(events):
            record = await consumer.getone()
            await consumer.commit({TopicPartition(record.topic, record.partition): record.offset + 1})
            if index == 0:
                steady_started = time.perf_counter()
        ended = time.perf_counter()
    finally:
        await consumer.stop()
    return ended - wall_started, ended - steady_started


async def _deals(stack: Stack, events: int) -> tuple[float, float]:
    settings = Settings(
        database_url=stack.database("deals_consumer"), kafka=stack.kafka_settings(), log_format="json"
    )
    # Migrated beforehand so that the wall clock covers start-up and consumption only.
    await asyncio.to_thread(upgrade, database_url=settings.database_url, script_location=MIGRATIONS)
    service = dataclasses.replace(definition(settings), migrations=None)
    started = time.perf_counter()
    # Consumers only: the relay's cost is the first benchmark's subject.
    async with running_service(service, roles=frozenset({ProcessRole.CONSUMERS})) as running:
        engine = running.runtime.engine
        await _until_deals(engine, events)  # bounded by the run's per-benchmark limit
        wall = time.perf_counter() - started
        async with engine.connect() as connection:
            span = select(func.min(deals.c.created_at), func.max(deals.c.created_at))
            first, last = (await connection.execute(span)).one()
    return wall, (last - first).total_seconds()


async def _until_deals(engine: AsyncEngine, events: int) -> None:
    query = select(func.count()).select_from(deals)
    while True:
        async with engine.connect() as connection:
            if (await connection.execute(query)).scalar_one() >= events:
                return
        await asyncio.sleep(POLL_S)
