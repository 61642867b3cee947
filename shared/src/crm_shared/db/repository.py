"""Base of repositories over one table: rows <-> aggregates, optimistic updates, tracking for events."""

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Row, Select, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_shared.domain import Aggregate
from crm_shared.errors import NotFound, PreconditionFailed

A = TypeVar("A", bound=Aggregate)
Track = Callable[[Aggregate], None]


class TableRepository(Generic[A]):
    table: ClassVar[Table]
    kind: ClassVar[type[Aggregate]]

    def __init__(self, connection: AsyncConnection, track: Track) -> None:
        self._connection = connection
        self._track = track

    def from_row(self, row: Row[Any]) -> A:
        """Rows map to aggregates field by field; override where a column needs converting."""
        return self.kind(**row._asdict())  # type: ignore[return-value]

    async def add(self, aggregate: A) -> None:
        await self._connection.execute(self.table.insert().values(**self._row(aggregate)))
        self._track(aggregate)

    async def update(self, aggregate: A) -> None:
        """Optimistic concurrency: the row must still be at the version the aggregate was read at."""
        values = self._row(aggregate) | {"version": aggregate.version + 1}
        result = await self._connection.execute(
            self.table.update()
            .where(self.table.c.id == values["id"], self.table.c.version == aggregate.version)
            .values(**values)
        )
        if result.rowcount != 1:
            raise PreconditionFailed(f"{self.kind.__name__} {values['id']} was changed meanwhile")
        aggregate.version += 1
        self._track(aggregate)

    async def get(self, ident: UUID, *, for_update: bool = False) -> A:
        query = select(self.table).where(self.table.c.id == ident)
        if for_update:
            query = query.with_for_update()
        row = (await self._connection.execute(query)).first()
        if row is None:
            raise NotFound(self.kind.__name__.lower(), ident)
        return self.from_row(row)

    async def find(self, query: Select[Any]) -> list[A]:
        return [self.from_row(row) for row in await self._connection.execute(query)]

    async def page(
        self,
        query: Select[Any] | None = None,
        *,
        after: UUID | None,
        limit: int,
        equal: Mapping[str, object] | None = None,
    ) -> list[A]:
        """Newest first by time-ordered id, continuing after the cursor's id.

        `equal` holds the list's filters by column name; a filter whose value is None is not applied.
        """
        query = select(self.table) if query is None else query
        for column, value in (equal or {}).items():
            if value is not None:
                query = query.where(self.table.c[column] == value)
        query = query.order_by(self.table.c.id.desc()).limit(limit)
        if after is not None:
            query = query.where(self.table.c.id < after)
        return await self.find(query)

    def _row(self, aggregate: A) -> dict[str, Any]:
        names = {c.name for c in self.table.columns}
        return {f.name: getattr(aggregate, f.name) for f in fields(aggregate) if f.name in names}
