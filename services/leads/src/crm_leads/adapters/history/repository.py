"""Rows of the activity timeline."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters.history.tables import history_entries
from crm_leads.domain.history.timeline import HistoryEntry
from crm_shared.ids import new_id


@dataclass(frozen=True)
class HistoryRecord:
    id: UUID
    subject_id: UUID
    subject_field: str
    event_type: str
    actor: str | None
    data: dict[str, Any]
    occurred_at: datetime
    correlation_id: str | None


class HistoryRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(
        self, entries: Sequence[HistoryEntry], *, occurred_at: datetime, correlation_id: str | None
    ) -> None:
        if not entries:
            return
        rows = [
            {
                "id": new_id(),
                "subject_id": e.subject_id,
                "subject_field": e.subject_field,
                "event_type": e.event_type,
                "actor": e.actor,
                "data": e.data,
                "occurred_at": occurred_at,
                "correlation_id": correlation_id,
            }
            for e in entries
        ]
        await self._connection.execute(history_entries.insert(), rows)

    async def page(self, subject_id: UUID, *, after: UUID | None, limit: int) -> list[HistoryRecord]:
        """Newest first (ids are time-ordered), continuing after the cursor's id."""
        query = select(history_entries).where(history_entries.c.subject_id == subject_id)
        if after is not None:
            query = query.where(history_entries.c.id < after)
        query = query.order_by(history_entries.c.subject_id, history_entries.c.id.desc()).limit(limit)
        return [HistoryRecord(**row._asdict()) for row in await self._connection.execute(query)]
