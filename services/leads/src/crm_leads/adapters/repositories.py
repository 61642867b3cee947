"""Repositories of the leads service."""

from typing import Any
from uuid import UUID

from sqlalchemy import Row

from crm_leads.adapters.tables import leads
from crm_leads.domain.model import Lead, LeadStatus
from crm_shared.db.repository import TableRepository


class LeadRepository(TableRepository[Lead]):
    table, kind = leads, Lead

    def from_row(self, row: Row[Any]) -> Lead:
        values = row._asdict()
        values.pop("description", None)
        return Lead(**values | {"status": LeadStatus(values["status"])})

    async def list(
        self, *, owner_id: str | None, status: LeadStatus | None, after: UUID | None, limit: int
    ) -> list[Lead]:
        return await self.page(after=after, limit=limit, equal={"owner_id": owner_id, "status": status})
