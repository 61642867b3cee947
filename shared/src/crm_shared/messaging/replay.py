"""Reading and replaying dead letters of one service's consumer.

Replay runs the record through the same consumer again (same inbox, so an event applied meanwhile is
a duplicate, not a second effect). A record that fails again is dead-lettered again, with its new
attempt count: nothing is lost either way.
"""

from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from crm_shared.messaging.consumer import EventConsumer, IncomingRecord, Outcome
from crm_shared.messaging.dead_letters import as_dead_letter, dead_letter_topic
from crm_shared.settings import KafkaSettings


async def read_dead_letters(settings: KafkaSettings, consumer: EventConsumer) -> list[Any]:
    """Every dead letter this consumer wrote, oldest first, read without joining a group."""
    reader = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    try:
        # A consumer with no subscription knows no topics until it is asked to fetch metadata.
        cluster = await reader._client.fetch_all_metadata()
        partitions = [
            TopicPartition(dead_letter_topic(topic), p)
            for topic in consumer.topics
            for p in sorted(cluster.partitions_for_topic(dead_letter_topic(topic)) or ())
        ]
        if not partitions:
            return []
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        end = await reader.end_offsets(partitions)
        records: list[Any] = []
        while await _behind(reader, end):
            batch = await reader.getmany(*partitions, timeout_ms=1000)
            records.extend(r for rs in batch.values() for r in rs)
        return [r for r in records if as_dead_letter(r).consumer == consumer.name]
    finally:
        await reader.stop()


async def _behind(reader: AIOKafkaConsumer, end: dict[TopicPartition, int]) -> bool:
    for partition, last in end.items():
        if await reader.position(partition) < last:
            return True
    return False


async def replay_dead_letters(runtime: Any, *, event_id: str | None) -> list[tuple[str, Outcome]]:
    consumer: EventConsumer = runtime.consumer
    outcomes = []
    for record in await read_dead_letters(runtime.settings.kafka, consumer):
        letter = as_dead_letter(record)
        if event_id and letter.event_id != event_id:
            continue
        original = IncomingRecord(
            topic=letter.headers.get("dlq_original_topic", record.topic.removesuffix(".dlq")),
            partition=int(letter.headers.get("dlq_original_partition", -1)),
            offset=int(letter.headers.get("dlq_original_offset", -1)),
            key=record.key,
            value=record.value,
            headers=tuple((k, v) for k, v in record.headers if not k.startswith("dlq_")),
        )
        outcomes.append((letter.event_id or "?", await consumer.process(original)))
    return outcomes
