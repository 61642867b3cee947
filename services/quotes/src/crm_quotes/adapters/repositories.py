"""Repositories of the quotes service."""

from typing import Any
from uuid import UUID

from sqlalchemy import Row, select

from crm_quotes.adapters.tables import contracts
from crm_quotes.domain.model import Contract, ContractStatus
from crm_shared.db.repository import TableRepository


class ContractRepository(TableRepository[Contract]):
    table, kind = contracts, Contract

    def from_row(self, row: Row[Any]) -> Contract:
        values = row._asdict()
        return Contract(**values | {"status": ContractStatus(values["status"])})

    async def by_deal(self, deal_id: UUID) -> Contract | None:
        found = await self.find(select(contracts).where(contracts.c.deal_id == deal_id))
        return found[0] if found else None

    async def list(
        self,
        *,
        deal_id: UUID | None,
        account_id: UUID | None,
        owner_id: str | None,
        after: UUID | None,
        limit: int,
    ) -> list[Contract]:
        return await self.page(
            after=after,
            limit=limit,
            equal={"deal_id": deal_id, "account_id": account_id, "owner_id": owner_id},
        )
