"""Web-to-lead forms, their submissions, the open lead an email belongs to, and rate-limit windows."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters.workflows.tables import form_submissions, intake_forms, intake_rate_windows
from crm_leads.domain.workflows.intake import IntakeForm
from crm_shared.db.repository import TableRepository
from crm_shared.errors import NotFound


class FormRepository(TableRepository[IntakeForm]):
    table, kind = intake_forms, IntakeForm

    def from_row(self, row: Row[Any]) -> IntakeForm:
        values = row._asdict()
        return IntakeForm(
            **values
            | {
                "field_mapping": dict(values["field_mapping"]),
                "consent_fields": list(values["consent_fields"]),
                "allowed_origins": list(values["allowed_origins"]),
            }
        )

    async def by_key(self, form_key: str) -> IntakeForm:
        found = await self.find(select(self.table).where(self.table.c.form_key == form_key))
        if not found:
            raise NotFound("form", form_key)
        return found[0]

    async def key_taken(self, form_key: str) -> bool:
        query = select(func.count()).select_from(self.table).where(self.table.c.form_key == form_key)
        return bool((await self._connection.execute(query)).scalar_one())


class FormSubmissions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, **values: Any) -> None:
        await self._connection.execute(form_submissions.insert().values(**values))

    async def of_lead(self, lead_id: UUID, *, after: UUID | None, limit: int) -> list[dict[str, Any]]:
        """Newest first, a page at a time: a public form can add submissions to a lead at will."""
        query = (
            select(form_submissions)
            .where(form_submissions.c.lead_id == lead_id)
            .order_by(form_submissions.c.id.desc())
            .limit(limit)
        )
        if after is not None:
            query = query.where(form_submissions.c.id < after)
        return [row._asdict() for row in await self._connection.execute(query)]


class RateWindows:
    """Fixed-window counters of public submissions, per client address."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def hit(self, *, client: str, window_start: datetime) -> int:
        """Count one request in the client's window; the count so far (shared by every instance)."""
        table = intake_rate_windows
        statement = (
            pg_insert(table)
            .values(client=client, window_start=window_start, hits=1)
            .on_conflict_do_update(
                index_elements=[table.c.client, table.c.window_start],
                set_={"hits": table.c.hits + 1},
            )
            .returning(table.c.hits)
        )
        hits: int = (await self._connection.execute(statement)).scalar_one()
        return hits

    async def forget_before(self, moment: datetime) -> None:
        await self._connection.execute(
            intake_rate_windows.delete().where(intake_rate_windows.c.window_start < moment)
        )
