"""Re-pointing what referred to merged records at their survivor, in the merge's transaction."""

from collections.abc import Sequence
from typing import Literal
from uuid import UUID

from sqlalchemy import Column, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters.accounts.tables import accounts, contact_accounts, contacts, lifecycle_deals
from crm_leads.adapters.tables import leads
from crm_leads.adapters.workflows.tables import form_submissions, lead_conversions

Kind = Literal["leads", "contacts", "accounts"]
TABLES = {"leads": leads, "contacts": contacts, "accounts": accounts}


class MergeLinks:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def lock(self, kind: Kind, ids: Sequence[UUID]) -> None:
        """Row locks in id order, so two merges sharing records wait for each other, never deadlock."""
        table = TABLES[kind]
        query = select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update()
        await self._connection.execute(query)

    async def lead_references(self, survivor: UUID, merged: Sequence[UUID]) -> None:
        await self._repoint(form_submissions.c.lead_id, survivor, merged)

    async def contact_references(self, survivor: UUID, merged: Sequence[UUID]) -> None:
        for column in (leads.c.contact_id, lead_conversions.c.contact_id, lifecycle_deals.c.contact_id):
            await self._repoint(column, survivor, merged)

    async def account_references(self, survivor: UUID, merged: Sequence[UUID]) -> None:
        for column in (leads.c.account_id, lead_conversions.c.account_id, lifecycle_deals.c.account_id):
            await self._repoint(column, survivor, merged)

    async def contacts_of(self, account_ids: Sequence[UUID]) -> list[UUID]:
        """Contacts (not merged themselves) linked to any of these accounts, in id order."""
        linked = select(contact_accounts.c.contact_id).where(contact_accounts.c.account_id.in_(account_ids))
        query = (
            select(contacts.c.id)
            .where(contacts.c.id.in_(linked), contacts.c.merged_into.is_(None))
            .order_by(contacts.c.id)
        )
        return list((await self._connection.execute(query)).scalars())

    async def survivor_of(self, kind: Kind, ident: UUID) -> UUID | None:
        """Where a record lives on after merges (itself when never merged; None when unknown)."""
        table = TABLES[kind]
        for _ in range(10):  # a survivor may itself be merged later: follow the short chain
            row = (
                await self._connection.execute(select(table.c.merged_into).where(table.c.id == ident))
            ).first()
            if row is None:
                return None
            if row.merged_into is None:
                return ident
            ident = row.merged_into
        return ident

    async def _repoint(self, column: Column[UUID], survivor: UUID, merged: Sequence[UUID]) -> None:
        await self._connection.execute(
            update(column.table).where(column.in_(merged)).values({column.name: survivor})
        )
