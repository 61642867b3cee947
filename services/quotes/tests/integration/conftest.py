"""One quotes service per test module, against real PostgreSQL and Kafka."""

from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer

from crm_quotes.bootstrap import definition
from crm_quotes.config import Settings
from crm_shared.messaging.kafka import ensure_topics, service_topics
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, running_service


@pytest.fixture(scope="module")
async def quotes(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap)
    # The topic consumed must exist before the consumer joins its group.
    await ensure_topics(kafka, service_topics("deals"))
    settings = Settings(
        database_url=make_database("quotes"),
        kafka=kafka,
        relay_poll_interval_s=0.5,
        consumer_retry_base_s=0.05,
    )
    async with running_service(definition(settings)) as service:
        yield service


@pytest.fixture(scope="module")
async def deals_producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    """Plays the deals service: writes records on crm.deals.events."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    yield producer
    await producer.stop()
