"""Where Kafka and PostgreSQL come from for development and tests (see docs/architecture.md, "Running it")."""

from crm_shared.infra.docker import docker_engine_available
from crm_shared.infra.kafka import KafkaServer, cache_dir, ensure_kafka
from crm_shared.infra.postgres import (
    PostgresServer,
    create_database,
    drop_database,
    ensure_postgres,
)

__all__ = [
    "KafkaServer",
    "PostgresServer",
    "cache_dir",
    "create_database",
    "docker_engine_available",
    "drop_database",
    "ensure_kafka",
    "ensure_postgres",
]
