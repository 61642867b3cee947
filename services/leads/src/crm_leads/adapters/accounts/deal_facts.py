"""The lifecycle read model: the last known status, contact and account of each deal."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters.accounts.tables import lifecycle_deals
from crm_leads.domain.accounts.lifecycle import DealFact, DealRecord, DealState


class DealFactRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, deal_id: UUID) -> DealRecord | None:
        """Locks the deal's row, so two events of one deal are applied one after the other."""
        query = select(lifecycle_deals).where(lifecycle_deals.c.deal_id == deal_id).with_for_update()
        row = (await self._connection.execute(query)).first()
        return None if row is None else DealRecord(**row._asdict() | {"status": DealState(row.status)})

    async def save(self, record: DealRecord) -> None:
        """Insert or overwrite (the caller merged it with what was known, under the row lock)."""
        values = {
            "deal_id": record.deal_id,
            "status": record.status.value,
            "contact_id": record.contact_id,
            "account_id": record.account_id,
            "changed_at": record.changed_at,
        }
        statement = insert(lifecycle_deals).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[lifecycle_deals.c.deal_id],
            set_={k: statement.excluded[k] for k in values if k != "deal_id"},
        )
        await self._connection.execute(statement)

    async def of_contact(self, contact_id: UUID) -> list[DealFact]:
        return await self._facts(lifecycle_deals.c.contact_id == contact_id)

    async def of_account(self, account_id: UUID) -> list[DealFact]:
        return await self._facts(lifecycle_deals.c.account_id == account_id)

    async def _facts(self, condition: object) -> list[DealFact]:
        query = select(lifecycle_deals.c.status, lifecycle_deals.c.changed_at).where(condition)  # type: ignore[arg-type]
        return [
            DealFact(DealState(row.status), row.changed_at) for row in await self._connection.execute(query)
        ]
