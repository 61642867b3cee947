"""Watches a topic from its current end and returns the CloudEvents that arrive, for assertions."""

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from crm_shared.events.envelope import decode_headers


@dataclass(frozen=True)
class SeenEvent:
    type: str
    headers: dict[str, str]
    payload: dict[str, Any]
    """The decoded JSON value; empty when the value is not JSON (see `value`)."""
    value: bytes | None
    key: bytes | None
    partition: int
    offset: int


class EventProbe:
    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
        self._topic = topic
        self.seen: list[SeenEvent] = []

    async def __aenter__(self) -> "EventProbe":
        await self._consumer.start()
        numbers: set[int] = set()
        for _ in range(50):  # a topic created a moment ago may not be in the metadata yet
            cluster = await self._consumer._client.fetch_all_metadata()
            numbers = cluster.partitions_for_topic(self._topic) or set()
            if numbers:
                break
            await asyncio.sleep(0.2)
        else:
            await self._consumer.stop()
            raise LookupError(f"topic {self._topic} does not exist")
        partitions = [TopicPartition(self._topic, p) for p in sorted(numbers)]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        for partition in partitions:  # resolve positions now, so later records are not skipped
            await self._consumer.position(partition)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def wait_for(
        self,
        event_type: str,
        where: Callable[[dict[str, Any]], bool] = lambda _: True,
        timeout_s: float = 30,
    ) -> SeenEvent:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for event in self.seen:
                if event.type == event_type and where(event.payload):
                    return event
            batch = await self._consumer.getmany(timeout_ms=500)
            for records in batch.values():
                self.seen.extend(_as_seen(r) for r in records)
        seen = [e.type for e in self.seen]
        raise TimeoutError(f"no {event_type} on {self._topic} within {timeout_s}s; saw {seen}")


def _as_seen(record: Any) -> SeenEvent:
    try:
        headers = decode_headers(record.headers)
    except ValueError:
        headers = {}
    try:
        payload = json.loads(record.value) if record.value else {}
    except ValueError:
        payload = {}
    return SeenEvent(
        type=headers.get("ce_type", ""),
        headers=headers,
        payload=payload if isinstance(payload, dict) else {},
        value=record.value,
        key=record.key,
        partition=record.partition,
        offset=record.offset,
    )
