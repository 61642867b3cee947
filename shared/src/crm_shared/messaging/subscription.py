"""Binds an EventConsumer to FastStream: one subscriber over the consumer's topics, manual acks.

FastStream's default ACK_FIRST commits before handling and loses the record on error; here the offset
is committed only after `EventConsumer.process` returns. If even the dead-letter publish fails (broker
down), the record is rewound (nack) and redelivered, never skipped.
"""

import asyncio
from typing import Any

import structlog
from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from crm_shared.messaging.consumer import EventConsumer, IncomingRecord
from crm_shared.messaging.kafka import CONSUMER_SETTINGS
from crm_shared.observability import CONSUMER_LAG

log = structlog.get_logger()
REDELIVERY_PAUSE_S = 2.0


async def _raw_body(message: KafkaMessage) -> bytes:
    # The consumer validates payloads itself: FastStream must not decode (and choke on) them.
    return message.body


def subscribe(broker: KafkaBroker, consumer: EventConsumer, *, group_id: str) -> None:
    async def on_record(body: bytes, message: KafkaMessage) -> None:
        record: Any = message.raw_message
        try:
            await consumer.process(IncomingRecord.of(record))
        except Exception:
            log.exception("consumer.record.redelivered", consumer=consumer.name)
            await asyncio.sleep(REDELIVERY_PAUSE_S)
            await message.nack()
            return
        await message.ack()
        _record_lag(consumer.name, message, record)

    broker.subscriber(
        *consumer.topics,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        decoder=_raw_body,
        title=f"{group_id}:events",
        description=f"Integration events consumed by {consumer.name}",
        **CONSUMER_SETTINGS,
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
