"""The infrastructure fixtures give real, working Kafka and PostgreSQL servers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from crm_shared.infra import ensure_postgres

pytestmark = pytest.mark.integration


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _create_topic(bootstrap: str, topic: str, partitions: int) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return len(described["partitions"])


async def _consume_one(bootstrap: str, topic: str) -> ConsumerRecord[bytes, bytes]:
    group = f"infra-check-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
        await consumer.commit()  # exercises the offsets topic (replication factor 1)
    finally:
        await consumer.stop()
    return record


async def test_kafka_round_trip_with_headers(kafka_bootstrap: str) -> None:
    topic = f"infra-check-{uuid.uuid4().hex[:8]}"
    assert await _create_topic(kafka_bootstrap, topic, partitions=3) == 3

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topic, b'{"id": 1}', key=b"lead-1", headers=[("event_type", b"lead.created")]
        )
    finally:
        await producer.stop()

    record = await _consume_one(kafka_bootstrap, topic)
    assert (record.partition, record.offset) == (sent.partition, sent.offset)
    assert (record.key, record.value) == (b"lead-1", b'{"id": 1}')
    assert list(record.headers) == [("event_type", b"lead.created")]


async def test_make_database_gives_a_usable_database(
    make_database: Callable[[str], str],
) -> None:
    url = make_database("infra")
    assert url.startswith("postgresql+asyncpg://")
    conn = await asyncpg.connect(_libpq(url))
    try:
        assert "PostgreSQL" in await conn.fetchval("select version()")
        assert (await conn.fetchval("select current_database()")).startswith("infra_")
    finally:
        await conn.close()


async def test_persistent_postgres_keeps_data_across_restarts(tmp_path: Path) -> None:
    first = ensure_postgres(data_dir=tmp_path / "pg")
    try:
        conn = await asyncpg.connect(first.admin_url)
        await conn.execute("create table kept (id int); insert into kept values (42)")
        await conn.close()
    finally:
        first.stop()

    second = ensure_postgres(data_dir=tmp_path / "pg")
    try:
        conn = await asyncpg.connect(second.admin_url)
        assert await conn.fetchval("select id from kept") == 42
        await conn.close()
    finally:
        second.stop()
