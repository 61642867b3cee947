"""Kafka clients with the safe settings every service uses, and topic provisioning."""

import asyncio
import contextlib
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from crm_shared.settings import KafkaSettings

log = structlog.get_logger()

# aiokafka defaults to acks=1 without idempotence: a leader failover could lose or duplicate records.
PRODUCER_SETTINGS: dict[str, Any] = {"acks": "all", "enable_idempotence": True, "linger_ms": 5}
# A new consumer group starts from the oldest record, so nothing published before it joined is missed.
# (Offsets are committed by hand, after the transaction commits: FastStream's MANUAL ack policy.)
CONSUMER_SETTINGS: dict[str, Any] = {"auto_offset_reset": "earliest"}


def create_producer(settings: KafkaSettings, *, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        client_id=client_id,
        request_timeout_ms=settings.producer_request_timeout_ms,
        retry_backoff_ms=settings.retry_backoff_ms,
        **PRODUCER_SETTINGS,
    )


def client_settings(settings: KafkaSettings) -> dict[str, Any]:
    """What every client of a service shares: where the broker is, how fast to retry it."""
    return {"bootstrap_servers": settings.bootstrap_servers, "retry_backoff_ms": settings.retry_backoff_ms}


def effective_producer_settings(producer: AIOKafkaProducer) -> dict[str, Any]:
    """What the producer will really do (aiokafka keeps it in private fields): checked by tests."""
    return {
        "acks": producer._sender._acks,
        "idempotent": producer._txn_manager is not None,
    }


def service_topics(context: str) -> list[str]:
    return [f"crm.{context}.events", f"crm.{context}.events.dlq"]


async def ensure_topics(settings: KafkaSettings, topics: list[str]) -> None:
    """Create missing topics; idempotent, and safe when several instances start together."""
    admin = AIOKafkaAdminClient(**client_settings(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(t, settings.topic_partitions, settings.replication_factor)
            for t in topics
            if t not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # another instance was faster
                await admin.create_topics(wanted)
            await _until_visible(admin, [t.name for t in wanted])
            log.info("kafka.topics.created", topics=[t.name for t in wanted])
    finally:
        await admin.close()


async def _until_visible(admin: AIOKafkaAdminClient, topics: list[str], seconds: float = 15) -> None:
    """Creation is acknowledged by the controller before brokers serve the topic's metadata."""
    deadline = asyncio.get_running_loop().time() + seconds
    while set(topics) - set(await admin.list_topics()):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"topics {topics} not visible after {seconds}s")
        await asyncio.sleep(0.1)


def effective_consumer_settings(broker: Any) -> list[dict[str, Any]]:
    """Settings of each started FastStream subscriber's aiokafka consumer: checked by tests."""
    return [
        {
            "group_id": subscriber.consumer._group_id,
            "enable_auto_commit": subscriber.consumer._enable_auto_commit,
            "auto_offset_reset": subscriber.consumer._auto_offset_reset,
        }
        for subscriber in broker.subscribers
        if getattr(subscriber, "consumer", None) is not None
    ]
