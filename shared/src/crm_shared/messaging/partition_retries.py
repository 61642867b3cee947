"""Partitions whose record met a transient fault: rewound to it, paused, resumed after a backoff.

The handler returns at once, so the consumer keeps polling its other partitions and keeps its group
membership (sleeping minutes in a handler would pass `max_poll_interval_ms` and trigger a rebalance).
The record is tried again, unchanged, until it goes through: never dead-lettered for an outage.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import ConsumerRebalanceListener, TopicPartition

from crm_shared.messaging.backoff import Backoff
from crm_shared.messaging.faults import fault_name
from crm_shared.observability import CONSUMER_PARTITIONS_RETRYING, CONSUMER_TRANSIENT_RETRIES, NotReady

log = structlog.get_logger()


@dataclass(frozen=True)
class Retrying:
    offset: int
    since: datetime
    attempts: int
    error: str


class PartitionRetries:
    def __init__(self, consumer: str, backoff: Backoff) -> None:
        self._consumer = consumer
        self._backoff = backoff
        self._retrying: dict[TopicPartition, Retrying] = {}
        self._timers: dict[TopicPartition, asyncio.TimerHandle] = {}

    def hold(self, client: Any, record: Any, error: BaseException) -> float:
        """Put `record` back: seek its partition to it and pause the partition for a backoff."""
        tp = TopicPartition(record.topic, record.partition)
        before = self._retrying.get(tp)
        attempts = before.attempts + 1 if before else 1
        since = before.since if before else datetime.now(UTC)
        self._retrying[tp] = Retrying(record.offset, since, attempts, fault_name(error))
        client.seek(tp, record.offset)  # also drops what was fetched after it
        client.pause(tp)
        delay = self._backoff.delay(attempts)
        self._cancel_timer(tp)
        self._timers[tp] = asyncio.get_running_loop().call_later(delay, self._resume, client, tp)
        CONSUMER_TRANSIENT_RETRIES.labels(self._consumer, fault_name(error)).inc()
        CONSUMER_PARTITIONS_RETRYING.labels(self._consumer).set(len(self._retrying))
        log.warning(
            "consumer.partition.retrying",
            consumer=self._consumer,
            topic=tp.topic,
            partition=tp.partition,
            offset=record.offset,
            attempt=attempts,
            retry_in_s=round(delay, 2),
            error=fault_name(error),
        )
        return delay

    def succeeded(self, topic: str, partition: int) -> None:
        before = self._retrying.pop(TopicPartition(topic, partition), None)
        if before is not None:
            CONSUMER_PARTITIONS_RETRYING.labels(self._consumer).set(len(self._retrying))
            log.info(
                "consumer.partition.recovered",
                consumer=self._consumer,
                topic=topic,
                partition=partition,
                attempts=before.attempts,
                since=before.since.isoformat(),
            )

    def forget(self, partitions: Any) -> None:
        """Partitions revoked by a rebalance: their new owner starts from the committed offset."""
        for tp in partitions:
            self._retrying.pop(tp, None)
            self._cancel_timer(tp)
        CONSUMER_PARTITIONS_RETRYING.labels(self._consumer).set(len(self._retrying))

    def close(self) -> None:
        self.forget(list(self._retrying))

    def listener(self) -> ConsumerRebalanceListener:
        return _ForgetRevoked(self)

    async def check(self) -> None:
        """Readiness of the consumers role: unready while any record waits for a dependency."""
        if self._retrying:
            oldest = min(self._retrying.values(), key=lambda r: r.since)
            raise NotReady(
                f"retrying since {oldest.since.isoformat()}: {oldest.error} "
                f"({len(self._retrying)} partition(s) paused, {oldest.attempts} attempt(s))"
            )

    def _resume(self, client: Any, tp: TopicPartition) -> None:
        self._timers.pop(tp, None)
        if tp in client.assignment():
            client.resume(tp)

    def _cancel_timer(self, tp: TopicPartition) -> None:
        timer = self._timers.pop(tp, None)
        if timer is not None:
            timer.cancel()


class _ForgetRevoked(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, retries: PartitionRetries) -> None:
        self._retries = retries

    async def on_partitions_revoked(self, revoked: Any) -> None:
        self._retries.forget(revoked)

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return None
