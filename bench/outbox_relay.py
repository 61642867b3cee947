"""1. Outbox relay throughput: a backlog of N LeadCreated rows published by `OutboxRelay.publish_pending`.

Reference, same run and broker: a bare aiokafka producer with the services' settings sending records of
the same keys, values and headers, in the relay's batch size, to a scratch topic. The ratio is the share
of the raw producer's rate left once the relay reads rows from PostgreSQL and marks them published.
"""

import time
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from bench.records import (
    CONTEXT,
    LEADS_TOPIC,
    RawRecord,
    compact_json,
    lead_created,
    safe_producer,
    send_batched,
)
from bench.stack import Stack
from bench.stats import rate, ratio, row
from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.db.plumbing import OUTBOX
from crm_shared.messaging.kafka import create_producer, ensure_topics
from crm_shared.outbox import OutboxRelay
from crm_shared.runtime import ProcessRole, ServiceRuntime
from crm_shared.testing.service import running_service

UNIT_OF_WORK_EVENTS = 100
RELAY_BATCH = 200  # OutboxRelay's default batch size


async def measure(stack: Stack, events: int) -> dict[str, Any]:
    settings = Settings(
        database_url=stack.database("leads_outbox"), kafka=stack.kafka_settings(), log_format="json"
    )
    # API only: no relay task competes with the one timed here.
    async with running_service(definition(settings), roles=frozenset({ProcessRole.API})) as leads:
        write_s = await _fill_outbox(leads.runtime, events)
        records = await _outbox_records(leads.runtime)
        reference_s = await _reference(stack, records)
        relay_s, left = await _drain(leads.runtime)
    if left:
        raise RuntimeError(f"{left} outbox rows still unpublished")
    relay_rate, reference_rate = rate(events, relay_s), rate(events, reference_s)
    return {
        "events": events,
        "unit_of_work_events": UNIT_OF_WORK_EVENTS,
        "relay_batch": RELAY_BATCH,
        "mean_record_bytes": round(sum(r.size for r in records) / len(records), 1),
        "outbox_write": {"seconds": round(write_s, 3), "events_per_s": rate(events, write_s)},
        "relay": {"seconds": round(relay_s, 3), "events_per_s": relay_rate},
        "reference_producer": {"seconds": round(reference_s, 3), "events_per_s": reference_rate},
        "ratio": ratio(relay_rate, reference_rate),
        "table": [
            row("outbox relay vs raw producer", relay_rate, reference_rate, "events/s"),
            row("outbox write (100/commit)", rate(events, write_s), None, "events/s"),
        ],
    }


async def _fill_outbox(runtime: ServiceRuntime[Any], events: int) -> float:
    started = time.perf_counter()
    for start in range(0, events, UNIT_OF_WORK_EVENTS):
        async with runtime.uow(CONTEXT) as uow:
            for _ in range(min(UNIT_OF_WORK_EVENTS, events - start)):
                uow.publish(lead_created())
            await uow.commit()
    return time.perf_counter() - started


async def _outbox_records(runtime: ServiceRuntime[Any]) -> list[RawRecord]:
    """The rows as the relay will send them, so the reference sends the very same bytes."""
    outbox = runtime.tables[OUTBOX]
    query = select(outbox.c.topic, outbox.c.aggregate_id, outbox.c.payload, outbox.c.headers)
    async with runtime.engine.connect() as connection:
        rows = (await connection.execute(query.order_by(outbox.c.position))).all()
    return [
        RawRecord(
            topic=r.topic,
            key=r.aggregate_id.encode(),
            value=compact_json(r.payload),
            headers=[(k, str(v).encode()) for k, v in r.headers.items()],
        )
        for r in rows
    ]


async def _reference(stack: Stack, records: Sequence[RawRecord]) -> float:
    topic = f"bench.reference.{uuid.uuid4().hex[:8]}"
    await ensure_topics(stack.kafka_settings(), [topic])
    producer = safe_producer(stack.bootstrap, "bench-reference")
    await producer.start()
    try:
        # A new topic's leaders settle after creation: one acknowledged record per partition first,
        # so that no leader-election retry falls inside the timed window.
        for partition in await producer.partitions_for(topic):
            await producer.send_and_wait(topic, value=b"warm-up", partition=partition)
        started = time.perf_counter()
        await send_batched(producer, records, batch=RELAY_BATCH, topic=topic)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def _drain(runtime: ServiceRuntime[Any]) -> tuple[float, int]:
    kafka = runtime.settings.kafka
    relay = OutboxRelay(
        engine=runtime.engine,
        tables=runtime.tables,
        producer_factory=lambda: create_producer(kafka, client_id="bench-relay"),
        batch_size=RELAY_BATCH,
    )
    try:
        await (await relay.producer.get()).partitions_for(LEADS_TOPIC)
        started = time.perf_counter()
        while await relay.publish_pending():
            pass
        elapsed = time.perf_counter() - started
        return elapsed, await relay.backlog()
    finally:
        await relay.producer.stop()
