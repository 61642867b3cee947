"""Deals suite, 1. LeadConverted -> deal visible: latency per event and throughput, paced and in a burst.

The deals service runs in-process with its consumers and its outbox relay, on a fresh database. Each
LeadConverted (with a deal part) is published to crm.leads.events, its publish time kept by lead id;
a reader assigned to crm.deals.events from its end notes when the DealCreated naming that lead
arrives. Latency = arrival - publish: decode, inbox claim, deal + stage period + revision + outbox row
in one transaction, offset commit, relay woken by the commit's NOTIFY, produce, fetch. The deal's
`created_at` - publish time is kept as well (stamped as the handler opens the deal, just before the
commit; not yet announced). Two runs: paced at R events/s (a steady day's rate, well below its
capacity), then a burst of N published at once (throughput = N / first publish to last arrival).
Reference, same run, same broker and records: a bare AIOKafkaProducer -> AIOKafkaConsumer round trip
through a scratch topic (one Kafka hop; the deals path has two, plus the service's work).
"""

import asyncio
import contextlib
import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.records import LEADS_TOPIC, RawRecord, lead_converted, raw_record, safe_producer
from bench.stack import Stack, settled
from bench.stats import latency_summary, rate, row
from crm_deals.adapters.tables import deals
from crm_deals.bootstrap import MIGRATIONS, definition
from crm_deals.config import Settings
from crm_shared.db.migrations import upgrade
from crm_shared.events.deals import DealCreated
from crm_shared.events.envelope import decode_headers
from crm_shared.messaging.kafka import ensure_topics
from crm_shared.runtime import ProcessRole
from crm_shared.testing.service import running_service

DEALS_TOPIC = "crm.deals.events"
WARM_UP = 20
ARRIVAL_LIMIT_S = 120.0
IdOf = Callable[[Any], str | None]


async def measure(stack: Stack, events: int, paced_rate: float) -> dict[str, Any]:
    await ensure_topics(stack.kafka_settings(), [LEADS_TOPIC, DEALS_TOPIC])
    reference = await _reference(stack, events, paced_rate)
    subject = await _deals(stack, events, paced_rate)
    table = []
    for mode in ("paced", "burst"):
        ours, raw = subject[mode], reference[mode]
        label = f"{paced_rate:g}/s" if mode == "paced" else f"{events} at once"
        table += [
            row(f"LeadConverted -> DealCreated, {label}, {q}", ours["latency"][f"{q}_ms"],
                raw["latency"][f"{q}_ms"], "ms")
            for q in ("p50", "p95", "p99")
        ]  # fmt: skip
        table.append(row(f"  deal row written, {label}, p99", ours["written"]["p99_ms"], None, "ms"))
        table.append(row(f"  throughput, {label}", ours["per_s"], raw["per_s"], "deals/s"))
    return {
        "events": events,
        "paced_rate_per_s": paced_rate,
        "warm_up": WARM_UP,
        "deals": subject,
        "reference_round_trip": reference,
        "table": table,
    }


async def _deals(stack: Stack, events: int, paced_rate: float) -> dict[str, Any]:
    settings = Settings(
        database_url=stack.database("deals_latency"), kafka=stack.kafka_settings(), log_format="json"
    )
    await asyncio.to_thread(upgrade, database_url=settings.database_url, script_location=MIGRATIONS)
    service = dataclasses.replace(definition(settings), migrations=None)
    roles = frozenset({ProcessRole.CONSUMERS, ProcessRole.RELAY})
    async with (
        running_service(service, roles=roles) as running,
        _arrivals(stack.bootstrap, DEALS_TOPIC, _created_lead) as seen,
        _producer(stack.bootstrap) as producer,
    ):
        await _run(producer, seen, _leads(WARM_UP), None)  # group join, caches, first connections
        result: dict[str, Any] = {"roles": sorted(roles), "settled": await settled()}
        for mode, pace in (("paced", paced_rate), ("burst", None)):
            records = _leads(events)
            result[mode] = await _run(producer, seen, records, pace)
            result[mode]["written"] = await _written(running.runtime.engine, result[mode].pop("sent"))
    return result


async def _reference(stack: Stack, events: int, paced_rate: float) -> dict[str, Any]:
    topic = f"bench.roundtrip.{uuid.uuid4().hex[:8]}"
    await ensure_topics(stack.kafka_settings(), [topic])
    result: dict[str, Any] = {"topic": topic}
    async with (
        _arrivals(stack.bootstrap, topic, lambda record: record.key.decode()) as seen,
        _producer(stack.bootstrap) as producer,
    ):
        await _run(producer, seen, _leads(WARM_UP, topic), None)
        result["settled"] = await settled()
        for mode, pace in (("paced", paced_rate), ("burst", None)):
            result[mode] = await _run(producer, seen, _leads(events, topic), pace)
            del result[mode]["sent"]
    return result


def _leads(count: int, topic: str | None = None) -> list[tuple[str, RawRecord]]:
    """(lead id, record) of `count` LeadConverted with a deal part, to crm.leads.events or `topic`."""
    records = []
    for _ in range(count):
        event = lead_converted()
        record = raw_record(event)
        records.append((str(event.lead_id), dataclasses.replace(record, topic=topic or record.topic)))
    return records


async def _run(
    producer: AIOKafkaProducer, seen: "Arrivals", records: list[tuple[str, RawRecord]], pace: float | None
) -> dict[str, Any]:
    """Publish (every 1/pace s, or all at once), wait for every arrival; latencies and throughput."""
    sent: dict[str, float] = {}
    deliveries = []
    started = time.perf_counter()
    for n, (key, record) in enumerate(records):
        if pace is not None:
            await asyncio.sleep(max(0.0, started + n / pace - time.perf_counter()))
        sent[key] = time.time()
        deliveries.append(await producer.send(record.topic, record.value, record.key, headers=record.headers))
    await asyncio.gather(*deliveries)
    arrived = await seen.wait_for(list(sent), ARRIVAL_LIMIT_S)
    first, last_sent, last_arrival = min(sent.values()), max(sent.values()), max(arrived.values())
    return {
        "count": len(records),
        "publishing_s": round(last_sent - first, 3),
        "offered_per_s": rate(len(records) - 1, last_sent - first),
        "first_publish_to_last_arrival_s": round(last_arrival - first, 3),
        "per_s": rate(len(records), last_arrival - first),
        "latency": latency_summary([arrived[key] - sent[key] for key in sent]),
        "sent": sent,
    }


async def _written(engine: AsyncEngine, sent: dict[str, float]) -> dict[str, Any]:
    """The deal rows' created_at - publish time (same clock: services run in this process)."""
    query = select(deals.c.lead_id, deals.c.created_at).where(deals.c.lead_id.in_(list(sent)))
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return latency_summary([row.created_at.timestamp() - sent[str(row.lead_id)] for row in rows])


def _created_lead(record: Any) -> str | None:
    """The lead id of a DealCreated record; None for any other record."""
    if decode_headers(record.headers).get("ce_type") != DealCreated.event_type:
        return None
    lead_id = json.loads(record.value).get("lead_id")
    return str(lead_id) if lead_id else None


class Arrivals:
    """Reads a topic from its current end in the background; when each id (`id_of`) first arrived."""

    def __init__(self, consumer: AIOKafkaConsumer, id_of: IdOf) -> None:
        self._consumer, self._id_of = consumer, id_of
        self.at: dict[str, float] = {}
        self._news = asyncio.Event()

    async def read(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=200)
            now = time.time()
            for records in batch.values():
                for record in records:
                    key = self._id_of(record)
                    if key is not None:
                        self.at.setdefault(key, now)
            if batch:
                self._news.set()

    async def wait_for(self, keys: list[str], limit_s: float) -> dict[str, float]:
        deadline = time.perf_counter() + limit_s
        while missing := [k for k in keys if k not in self.at]:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{len(missing)} of {len(keys)} records did not arrive in {limit_s} s")
            self._news.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._news.wait(), 1.0)
        return {k: self.at[k] for k in keys}


@contextlib.asynccontextmanager
async def _arrivals(bootstrap: str, topic: str, id_of: IdOf) -> AsyncIterator[Arrivals]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        numbers = await _partitions(consumer, topic)
        partitions = [TopicPartition(topic, p) for p in sorted(numbers)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for partition in partitions:  # resolve positions now, so that later records are not skipped
            await consumer.position(partition)
        arrivals = Arrivals(consumer, id_of)
        reader = asyncio.create_task(arrivals.read())
        try:
            yield arrivals
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(50):  # a topic created a moment ago may not be in the metadata yet
        cluster = await consumer._client.fetch_all_metadata()
        numbers: set[int] = cluster.partitions_for_topic(topic) or set()
        if numbers:
            return numbers
        await asyncio.sleep(0.2)
    raise LookupError(f"topic {topic} does not exist")


@contextlib.asynccontextmanager
async def _producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = safe_producer(bootstrap, "bench-deals-publisher")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()
