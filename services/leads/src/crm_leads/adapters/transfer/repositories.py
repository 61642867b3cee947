"""Look-ups of imports and exports: external ids, and records matched by email or email domain."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters.accounts.tables import accounts, contacts
from crm_leads.adapters.tables import leads
from crm_leads.adapters.transfer.tables import external_ids

MATCH_LIMIT = 2
"""Enough to tell one match from several."""
TABLES = {"leads": leads, "contacts": contacts, "accounts": accounts}
MAX_MERGE_CHAIN = 20


class TransferRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record_of(self, kind: str, external_id: str) -> UUID | None:
        """The record the key names, or the survivor it was merged into."""
        query = select(external_ids.c.record_id).where(
            external_ids.c.kind == kind, external_ids.c.external_id == external_id
        )
        record = (await self._connection.execute(query)).scalar_one_or_none()
        return await self._survivor(TABLES[kind], record) if record is not None else None

    async def _survivor(self, table: Any, record: UUID) -> UUID:
        for _ in range(MAX_MERGE_CHAIN):
            query = select(table.c.merged_into).where(table.c.id == record)
            merged_into = (await self._connection.execute(query)).scalar_one_or_none()
            if merged_into is None:
                return record
            record = merged_into
        return record

    async def external_ids(self, kind: str, record_ids: Sequence[UUID]) -> dict[UUID, str]:
        if not record_ids:
            return {}
        query = select(external_ids.c.record_id, external_ids.c.external_id).where(
            external_ids.c.kind == kind, external_ids.c.record_id.in_(record_ids)
        )
        return {row.record_id: row.external_id for row in await self._connection.execute(query)}

    async def add(self, kind: str, external_id: str, record_id: UUID) -> None:
        """A concurrent import of the same key fails here (primary key) and rolls back whole."""
        await self._connection.execute(
            external_ids.insert().values(
                kind=kind, external_id=external_id, record_id=record_id, created_at=datetime.now(UTC)
            )
        )

    async def leads_with_email(self, address: str) -> list[UUID]:
        query = select(leads.c.id).where(
            leads.c.emails.contains([{"address": address}]), leads.c.merged_into.is_(None)
        )
        return await self._ids(query)

    async def contacts_with_email(self, address: str) -> list[UUID]:
        query = select(contacts.c.id).where(
            or_(contacts.c.email == address, contacts.c.other_emails.contains([address])),
            contacts.c.merged_into.is_(None),
        )
        return await self._ids(query)

    async def accounts_with_domain(self, domain: str) -> list[UUID]:
        query = select(accounts.c.id).where(
            accounts.c.email_domain == domain, accounts.c.merged_into.is_(None)
        )
        return await self._ids(query)

    async def _ids(self, query: Select[Any]) -> list[UUID]:
        rows = await self._connection.execute(query.order_by("id").limit(MATCH_LIMIT))
        return list(rows.scalars())
