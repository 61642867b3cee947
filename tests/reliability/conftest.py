"""Leads and deals run in-process, each on its own fresh database, on the session's Kafka and PostgreSQL."""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack

import pytest

from crm_shared.infra.restartable import RestartableKafka, RestartablePostgres
from crm_shared.messaging.kafka import ensure_topics, service_topics
from crm_shared.settings import KafkaSettings
from tests.reliability.helpers import Services


@pytest.fixture
async def services(kafka_bootstrap: str, make_database: Callable[[str], str]) -> AsyncIterator[Services]:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap)
    # Deals subscribes to crm.leads.events even in tests where leads is not running.
    await ensure_topics(kafka, service_topics("leads") + service_topics("deals"))
    async with AsyncExitStack() as stack:
        yield Services(stack, kafka, make_database)


@pytest.fixture
def fault_kafka() -> Iterator[RestartableKafka]:
    """A broker of this test's own, stopped and killed at will; the session's broker is not disturbed."""
    broker = RestartableKafka()
    broker.start()
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def fault_postgres() -> Iterator[RestartablePostgres]:
    """A PostgreSQL server of this test's own, to stop and start again on the same port and data."""
    server = RestartablePostgres()
    server.start()
    try:
        yield server
    finally:
        server.close()
