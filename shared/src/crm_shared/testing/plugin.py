"""Pytest fixtures that start real Kafka and PostgreSQL on demand, once per session.

Loaded with `-p crm_shared.testing.plugin`. Nothing starts unless a test requests a fixture.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator

import pytest

from crm_shared.infra import (
    KafkaServer,
    PostgresServer,
    create_database,
    drop_database,
    ensure_kafka,
    ensure_postgres,
)

log = logging.getLogger("crm_shared.testing")


@pytest.fixture(scope="session")
def kafka_server() -> Iterator[KafkaServer]:
    server = ensure_kafka()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_server: KafkaServer) -> str:
    return kafka_server.bootstrap_servers


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = ensure_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def make_database(postgres_server: PostgresServer) -> Iterator[Callable[[str], str]]:
    """`make_database(prefix)` -> asyncpg URL of a new, empty database `{prefix}_{8 hex}`."""
    created: list[str] = []

    def make(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        url = create_database(postgres_server.admin_url, name)
        created.append(name)
        return url

    yield make
    # Matters for an external server; a throwaway local one is deleted wholesale anyway.
    for name in created:
        try:
            drop_database(postgres_server.admin_url, name)
        except Exception:  # a failed clean-up must not fail the session
            log.warning("could not drop test database %s", name, exc_info=True)
