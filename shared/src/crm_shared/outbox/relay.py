"""Outbox relay: publishes committed outbox rows to Kafka, in order, then marks them published.

One relay is active per database: it holds a PostgreSQL session advisory lock on a dedicated
connection, which also LISTENs for the NOTIFY a commit sends (a wake-up only; it polls as well).
Other instances stand by and take over when the holder's connection goes away. A crash between
publish and mark re-publishes the rows: consumers dedupe by event id (inbox).
"""

import asyncio
import contextlib
import json
from collections.abc import Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_shared.db.plumbing import OUTBOX, OUTBOX_CHANNEL
from crm_shared.observability import OUTBOX_BACKLOG, OUTBOX_PUBLISHED, RELAY_LEADER

log = structlog.get_logger()
RELAY_LOCK_KEY = 0x43524D4F  # "CRMO": one per database, and each service owns its database


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        tables: dict[str, Table],
        producer: AIOKafkaProducer,
        poll_interval_s: float = 2.0,
        batch_size: int = 200,
    ) -> None:
        self._engine = engine
        self._outbox = tables[OUTBOX]
        self._producer = producer
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._wake = asyncio.Event()
        self.is_leader = False

    async def run(self, stop: asyncio.Event) -> None:
        """Lead when possible, stand by otherwise; survive database and broker outages."""
        while not stop.is_set():
            try:
                async with self._engine.connect() as lock_connection:
                    try:
                        if await self._try_lead(lock_connection):
                            await self._lead(lock_connection, stop)
                    finally:
                        # Closing (not pooling) the connection is what releases the session lock.
                        await lock_connection.invalidate()
            except Exception:
                log.exception("outbox.relay.failed")
            finally:
                self._set_leader(False)
            await _wait(stop, self._poll_interval_s)

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
        # Sends are queued in order and awaited together: per-key order holds with idempotence.
        deliveries = [
            await self._producer.send(
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
        while not stop.is_set():
            if raw.is_closed():
                raise ConnectionError("relay lock connection lost")
            self._wake.clear()
            published = await self.publish_pending()
            OUTBOX_BACKLOG.set(await self.backlog())
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
