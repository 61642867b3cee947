"""The infrastructure of one run: a throwaway Kafka and PostgreSQL, and where the logs go."""

import asyncio
import contextlib
import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_shared.infra import KafkaServer, PostgresServer, create_database, ensure_kafka, ensure_postgres
from crm_shared.infra import kafka as kafka_infra
from crm_shared.settings import KafkaSettings


@dataclass(frozen=True)
class Stack:
    kafka: KafkaServer
    postgres: PostgresServer
    log_path: Path

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap_servers

    def kafka_settings(self) -> KafkaSettings:
        return KafkaSettings(bootstrap_servers=self.bootstrap)

    def database(self, prefix: str) -> str:
        """A new, empty database; its asyncpg URL. The whole server is thrown away at the end."""
        return create_database(self.postgres.admin_url, f"bench_{prefix}_{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def started_stack(log_path: Path, *, broker_settings: dict[str, str]) -> Iterator[Stack]:
    """`broker_settings` only reach a broker started here, not one named by KAFKA_BOOTSTRAP_SERVERS."""
    if broker_settings and os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        raise RuntimeError("--broker-setting needs the throwaway broker: unset KAFKA_BOOTSTRAP_SERVERS")
    # The infra module configures every broker it starts from this table; this process starts one.
    kafka_infra.SETTINGS.update(broker_settings)
    kafka = ensure_kafka()
    try:
        postgres = ensure_postgres()
        try:
            yield Stack(kafka, postgres, log_path)
        finally:
            postgres.stop()
    finally:
        kafka.stop()


@contextlib.contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send the services' logs (structlog writes to stderr, FastStream to stdout) to a file: they are
    part of the cost being measured, but thousands of lines would bury the results table."""
    streams = [(sys.stdout, 1), (sys.stderr, 2)]
    saved = []
    for stream, fd in streams:
        stream.flush()
        saved.append(os.dup(fd))
    with path.open("ab") as log_file:
        for _, fd in streams:
            os.dup2(log_file.fileno(), fd)
    try:
        yield
    finally:
        for (stream, fd), copy in zip(streams, saved, strict=True):
            stream.flush()
            os.dup2(copy, fd)
            os.close(copy)


async def settled(*, idle_share: float = 0.85, limit_s: float = 30.0) -> dict[str, Any]:
    """Wait (up to `limit_s`) until the machine's CPUs are mostly idle over one second: the broker,
    PostgreSQL's autovacuum or a previous benchmark's tail otherwise lands in the next figures."""
    started = time.perf_counter()
    while True:
        before = _cpu_times()
        await asyncio.sleep(1.0)
        after = _cpu_times()
        busy, idle = (a - b for a, b in zip(after, before, strict=True))
        share = idle / (busy + idle) if busy + idle else 1.0
        waited = time.perf_counter() - started
        if share >= idle_share or waited >= limit_s:
            return {"waited_s": round(waited, 1), "cpu_idle_share": round(share, 2)}


def _cpu_times() -> tuple[int, int]:
    """(busy, idle) jiffies of all CPUs since boot; iowait counts as idle."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, idle
