"""How the outbox relay is doing: the age of the oldest unpublished row, and whether it can publish.

The age is what matters to the rest of the system (how late other services learn of a change), so it
is both a Prometheus gauge and the relay's readiness: unready past `max_age_s`, or while sends fail.
"""

from datetime import UTC, datetime

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_shared.observability import OUTBOX_OLDEST_AGE, NotReady


class RelayHealth:
    def __init__(self, engine: AsyncEngine, outbox: Table, max_age_s: float) -> None:
        self._engine = engine
        self._outbox = outbox
        self.max_age_s = max_age_s
        self.failing_since: datetime | None = None
        self.last_error: str | None = None

    def publishing_failed(self, error: BaseException) -> None:
        self.failing_since = self.failing_since or datetime.now(UTC)
        self.last_error = type(error).__name__

    def published(self) -> None:
        self.failing_since = None
        self.last_error = None

    async def measure(self) -> float:
        """Seconds since the oldest unpublished row was written (0 when all are published), as the
        database's clock sees it; also sets the gauge."""
        first_in_line = (
            select(self._outbox.c.created_at)
            .where(self._outbox.c.published_at.is_(None))
            .order_by(self._outbox.c.position)
            .limit(1)
            .scalar_subquery()
        )
        query = select(func.coalesce(func.extract("epoch", func.now() - first_in_line), 0))
        async with self._engine.connect() as connection:
            age = max(float((await connection.execute(query)).scalar_one()), 0.0)
        OUTBOX_OLDEST_AGE.set(age)
        return age

    async def check(self) -> None:
        """Readiness of the relay role."""
        if self.failing_since is not None:
            raise NotReady(f"publishing failing since {self.failing_since.isoformat()}: {self.last_error}")
        age = await self.measure()
        if age > self.max_age_s:
            raise NotReady(f"oldest unpublished outbox row is {age:.0f}s old (limit {self.max_age_s:.0f}s)")
