"""Unit of work: one database transaction per request or message, committed once, at the boundary.

Use cases never commit. They change aggregates, hand them to repositories (which `track` them), and
the unit of work, when the boundary commits it, turns the aggregates' domain events into integration
events (through the service's translator) and writes them to the outbox in the same transaction.
"""

from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Protocol, Self

import structlog
from sqlalchemy import Table, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from crm_shared.auth import Principal
from crm_shared.db.plumbing import INBOX, OUTBOX, OUTBOX_CHANNEL
from crm_shared.events import Envelope, EventContext, IntegrationEvent, topic_of

log = structlog.get_logger()


class EventSource(Protocol):
    """An aggregate that records domain events as its state changes."""

    def pull_events(self) -> list[object]: ...


Translator = Callable[[object], Iterable[IntegrationEvent]]


class SqlUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        tables: dict[str, Table],
        translate: Translator,
        context: EventContext,
    ) -> None:
        self._engine = engine
        self._outbox = tables[OUTBOX]
        self._inbox = tables[INBOX]
        self._translate = translate
        self.context = context
        self._tracked: list[EventSource] = []
        self._pending: list[IntegrationEvent] = []
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None
        self.committed = False

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("unit of work used outside `async with`")
        return self._connection

    async def __aenter__(self) -> Self:
        self._connection = await self._engine.connect()
        self._transaction = await self._connection.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                await self._transaction.rollback()
        finally:
            await self.connection.close()
            self._connection = None

    def track(self, aggregate: EventSource) -> None:
        if all(aggregate is not seen for seen in self._tracked):
            self._tracked.append(aggregate)

    async def enter_command(self, actor: Principal) -> None:
        """Hook run by the bus before each command (not queries), in its transaction: e.g. a service
        that keeps a directory of its callers records the actor here."""

    def publish(self, event: IntegrationEvent) -> None:
        """Queue an integration event that no aggregate raised (e.g. a consumer's acknowledgement)."""
        self._pending.append(event)

    async def claim_inbox(self, *, consumer: str, envelope: Envelope) -> bool:
        """Record that `consumer` applies this event; False when it already did (a redelivery)."""
        statement = (
            pg_insert(self._inbox)
            .values(consumer=consumer, event_id=envelope.id, event_type=envelope.type)
            .on_conflict_do_nothing()
            .returning(self._inbox.c.event_id)
        )
        result = await self.connection.execute(statement)
        return result.first() is not None

    async def flush(self) -> None:
        """Write the events raised so far to the outbox, inside the still-open transaction."""
        domain_events = [e for aggregate in self._tracked for e in aggregate.pull_events()]
        await self.project(domain_events)
        events = [*self._pending, *(i for e in domain_events for i in self._translate(e))]
        self._pending.clear()
        if events:
            await self._write_outbox(events)

    async def project(self, domain_events: list[object]) -> None:
        """Hook: a service's own read models of this transaction's domain events (e.g. a history)."""

    async def commit(self) -> None:
        await self.flush()
        if self._transaction is None:
            raise RuntimeError("unit of work used outside `async with`")
        await self._transaction.commit()
        self.committed = True

    async def _write_outbox(self, events: list[IntegrationEvent]) -> None:
        rows = []
        for event in events:
            envelope = Envelope.for_event(event, self.context)
            rows.append(
                {
                    "event_id": envelope.id,
                    "aggregate_type": event.subject_field.removesuffix("_id"),
                    "aggregate_id": envelope.subject,
                    "event_type": event.event_type,
                    "topic": topic_of(event.event_type),
                    "payload": event.model_dump(mode="json"),
                    "headers": envelope.to_headers(),
                }
            )
        await self.connection.execute(self._outbox.insert(), rows)
        # A wake-up only: delivered on commit; the relay still polls in case it is missed.
        await self.connection.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))
        log.debug("outbox.events.written", count=len(rows), table=OUTBOX)
