"""Outbox relay: publishes committed outbox rows to Kafka, in order, then marks them published.

One relay is active per database: it holds a PostgreSQL session advisory lock on a dedicated
connection, which also LISTENs for the NOTIFY a commit sends (a wake-up only; it polls as well).
Other instances stand by and take over when the holder's connection goes away. A crash between
publish and mark re-publishes the rows: consumers dedupe by event id (inbox).

The relay owns its producer. A failed send replaces it (see `RenewableProducer`) and the batch is
published again after a capped exponential backoff, while the relay keeps its lock: it heals by itself.
"""

import asyncio
import contextlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_shared.db.plumbing import OUTBOX, OUTBOX_CHANNEL
from crm_shared.messaging.backoff import Backoff
from crm_shared.messaging.producer import RenewableProducer
from crm_shared.observability import (
    OUTBOX_BACKLOG,
    OUTBOX_PUBLISH_FAILURES,
    OUTBOX_PUBLISHED,
    RELAY_LEADER,
)
from crm_shared.outbox.health import RelayHealth

log = structlog.get_logger()
DEFAULT_BACKOFF = Backoff(0.5, 10.0)
RELAY_LOCK_KEY = 0x43524D4F  # "CRMO": one per database, and each service owns its database


class PublishFailed(Exception):
    """The broker did not acknowledge a batch (nothing is marked published)."""


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        tables: dict[str, Table],
        producer_factory: Callable[[], AIOKafkaProducer],
        poll_interval_s: float = 2.0,
        batch_size: int = 200,
        backoff: Backoff = DEFAULT_BACKOFF,
        max_outbox_age_s: float = 60.0,
        send_timeout_s: float = 40.0,
    ) -> None:
        self._engine = engine
        self._outbox = tables[OUTBOX]
        self.producer = RenewableProducer(producer_factory, name="outbox-relay")
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._backoff = backoff
        self._send_timeout_s = send_timeout_s
        self._wake = asyncio.Event()
        self.health = RelayHealth(engine, self._outbox, max_outbox_age_s)
        self.is_leader = False

    async def run(self, stop: asyncio.Event) -> None:
        """Lead when possible, stand by otherwise; survive database and broker outages."""
        failures = 0
        try:
            while not stop.is_set():
                try:
                    async with self._engine.connect() as lock_connection:
                        try:
                            if await self._try_lead(lock_connection):
                                failures = 0
                                await self._lead(lock_connection, stop)
                            await self.health.measure()  # a stand-by keeps the gauge fresh too
                        finally:
                            # Closing (not pooling) the connection is what releases the session lock.
                            await lock_connection.invalidate()
                except Exception as exc:
                    failures += 1
                    log.warning("outbox.relay.failed", error=type(exc).__name__, attempt=failures)
                finally:
                    self._set_leader(False)
                pause = self._backoff.delay(failures) if failures else self._poll_interval_s
                await _wait(stop, pause)
        finally:
            await self.producer.stop()  # flushes what is queued

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        rows = await self.fetch_unpublished()
        if rows:
            await self.send(rows)
            await self.mark_published(rows)
        return len(rows)

    async def fetch_unpublished(self) -> Sequence[Row[Any]]:
        query = (
            select(self._outbox)
            .where(self._outbox.c.published_at.is_(None))
            .order_by(self._outbox.c.position)
            .limit(self._batch_size)
        )
        async with self._engine.connect() as connection:
            return (await connection.execute(query)).all()

    async def send(self, rows: Sequence[Row[Any]]) -> None:
        """Send the rows and wait for every acknowledgement; on any failure, or no answer within the
        send timeout (an idempotent producer retries an unacknowledged batch forever), renew the
        producer and raise PublishFailed: the rows stay unpublished and go again."""
        try:
            await asyncio.wait_for(self._send(rows), self._send_timeout_s)
        except Exception as exc:
            OUTBOX_PUBLISH_FAILURES.labels(error=type(exc).__name__).inc()
            self.health.publishing_failed(exc)
            await self.producer.renew(exc)
            raise PublishFailed(type(exc).__name__) from exc
        self.health.published()

    async def _send(self, rows: Sequence[Row[Any]]) -> None:
        producer = await self.producer.get()
        # Queued in order and awaited together: per-key order holds with idempotence.
        deliveries = [
            await producer.send(
                row.topic,
                value=json.dumps(row.payload, separators=(",", ":")).encode(),
                key=row.aggregate_id.encode(),
                headers=[(k, str(v).encode()) for k, v in row.headers.items()],
            )
            for row in rows
        ]
        await asyncio.gather(*deliveries)

    async def mark_published(self, rows: Sequence[Row[Any]]) -> None:
        positions = [row.position for row in rows]
        async with self._engine.begin() as connection:
            await connection.execute(
                update(self._outbox)
                .where(self._outbox.c.position.in_(positions))
                .values(published_at=func.now())
            )
        OUTBOX_PUBLISHED.inc(len(rows))
        log.info("outbox.events.published", count=len(rows), last_position=positions[-1])

    async def backlog(self) -> int:
        query = select(func.count()).where(self._outbox.c.published_at.is_(None))
        async with self._engine.connect() as connection:
            return int((await connection.execute(query)).scalar_one())

    async def _try_lead(self, connection: AsyncConnection) -> bool:
        result = await connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({RELAY_LOCK_KEY})")
        acquired = bool(result.scalar())
        await connection.commit()
        return acquired

    async def _lead(self, lock_connection: AsyncConnection, stop: asyncio.Event) -> None:
        raw: Any = (await lock_connection.get_raw_connection()).driver_connection
        await raw.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
        self._set_leader(True)
        log.info("outbox.relay.leading")
        failures = 0
        while not stop.is_set():
            if raw.is_closed():
                raise ConnectionError("relay lock connection lost")
            self._wake.clear()
            try:
                published = await self.publish_pending()
            except PublishFailed as exc:
                failures += 1
                log.warning("outbox.relay.publish_failed", error=str(exc), attempt=failures)
                await _wait(stop, self._backoff.delay(failures))
                continue
            if failures:
                log.info("outbox.relay.publishing_again", after_attempts=failures)
                failures = 0
            OUTBOX_BACKLOG.set(await self.backlog())
            await self.health.measure()
            if published < self._batch_size:
                await _wait_any(stop, self._wake, self._poll_interval_s)

    def _set_leader(self, leading: bool) -> None:
        self.is_leader = leading
        RELAY_LEADER.set(1 if leading else 0)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
