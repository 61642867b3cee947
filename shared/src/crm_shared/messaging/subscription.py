"""Binds an EventConsumer to FastStream: one subscriber over the consumer's topics, manual acks.

FastStream's default ACK_FIRST commits before handling and loses the record on error; here the offset
is committed only after `EventConsumer.process` returns. A transient fault (database or broker away,
dead-letter publish included) puts the record back with its partition paused for a backoff
(`PartitionRetries`): it is retried until it goes through, never skipped, never dead-lettered.

FastStream decodes every header as UTF-8 before any handler runs and drops a record it cannot decode;
the subscriber's parser hands it a readable copy and keeps the raw record, which EventConsumer decodes
(and dead-letters, with the reason, when it cannot).
"""

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from crm_shared.messaging.consumer import EventConsumer, IncomingRecord, TransientFault
from crm_shared.messaging.kafka import CONSUMER_SETTINGS
from crm_shared.messaging.partition_retries import PartitionRetries
from crm_shared.observability import CONSUMER_LAG

log = structlog.get_logger()


async def _raw_body(message: KafkaMessage) -> bytes:
    # The consumer validates payloads itself: FastStream must not decode (and choke on) them.
    return message.body


async def _keep_raw_record(record: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's own parser, on a copy whose headers always decode; the message keeps the raw one."""
    readable = dataclasses.replace(
        record,
        headers=[(key, (value or b"").decode(errors="replace").encode()) for key, value in record.headers],
    )
    message = await original(readable)
    message.raw_message = record
    return message


def subscribe(
    broker: KafkaBroker,
    consumer: EventConsumer,
    *,
    group_id: str,
    retries: PartitionRetries,
    **consumer_settings: Any,
) -> None:
    async def on_record(body: bytes, message: KafkaMessage) -> None:
        record: Any = message.raw_message
        try:
            await consumer.process(IncomingRecord.of(record))
        except Exception as exc:  # transient (or a bug): the same record again, later
            if not isinstance(exc, TransientFault):
                log.exception("consumer.record.crashed", consumer=consumer.name)
            retries.hold(message.consumer, record, exc)
            return
        retries.succeeded(record.topic, record.partition)
        await message.ack()
        _record_lag(consumer.name, message, record)

    broker.subscriber(
        *consumer.topics,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        parser=_keep_raw_record,
        decoder=_raw_body,
        listener=retries.listener(),
        title=f"{group_id}:events",
        description=f"Integration events consumed by {consumer.name}",
        **CONSUMER_SETTINGS,
        **consumer_settings,
    )(on_record)


def _record_lag(name: str, message: KafkaMessage, record: Any) -> None:
    """Lag as the consumer last saw it: the partition's high watermark minus the next offset to read."""
    client = getattr(message, "consumer", None)
    highwater = getattr(client, "highwater", None)
    if highwater is None:
        return
    last = highwater(TopicPartition(record.topic, record.partition))
    if last is not None:
        lag = max(last - record.offset - 1, 0)
        CONSUMER_LAG.labels(name, record.topic, str(record.partition)).set(lag)
