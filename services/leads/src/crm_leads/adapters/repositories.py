"""Repositories of leads, lead statuses and reference lists."""

from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_leads.adapters import lists
from crm_leads.adapters.tables import lead_statuses, leads, reference_values
from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.lists import LeadCursor, LeadFilters, LeadSort
from crm_leads.domain.model import Lead
from crm_leads.domain.references import ReferenceValue, normalized
from crm_leads.domain.statuses import StatusBoard, StatusDefinition, status_key
from crm_leads.domain.values import EmailEntry, PhoneEntry, Tag
from crm_shared.db.repository import TableRepository
from crm_shared.errors import NotFound
from crm_shared.text_keys import address_key

DERIVED = ("email", "phone", "search_text")
"""Columns computed from the lead for indexes and search, not fields of it."""


class LeadRepository(TableRepository[Lead]):
    table, kind = leads, Lead

    def from_row(self, row: Row[Any]) -> Lead:
        values = row._asdict()
        for name in DERIVED:
            values.pop(name)
        address = values.pop("address")
        return Lead(
            **values
            | {
                "status": status_key(values["status"]),
                "emails": tuple(EmailEntry(**e) for e in values["emails"]),
                "phones": tuple(PhoneEntry(**p) for p in values["phones"]),
                "tags": tuple(Tag(**t) for t in values["tags"]),
                "address": PostalAddress.of(address) if address else None,
            }
        )

    def _row(self, aggregate: Lead) -> dict[str, Any]:
        row = super()._row(aggregate)
        return row | {
            "email": aggregate.email,
            "phone": aggregate.phone,
            "search_text": aggregate.search_text,
            "emails": [asdict(e) for e in aggregate.emails],
            "phones": [asdict(p) for p in aggregate.phones],
            "tags": [asdict(t) for t in aggregate.tags],
            "address": aggregate.address.street_fields() if aggregate.address else None,
        }

    async def search(
        self, filters: LeadFilters, *, sort: LeadSort, after: LeadCursor | None, limit: int
    ) -> list[Lead]:
        return await self.find(lists.page_query(filters, sort=sort, after=after, limit=limit))

    async def count_by_status(self, filters: LeadFilters) -> dict[str, int]:
        rows = await self._connection.execute(lists.count_by_status(filters))
        return {status: count for status, count in rows}  # noqa: C416 - a Result is not a mapping

    async def ranks_in_column(
        self, status: str, *, start: int, count: int, exclude: UUID, last: bool = False
    ) -> list[float]:
        """Ranks at positions start..start+count-1 of a kanban column without one lead (from the
        bottom when `last`). Columns are short, so the OFFSET stays small."""
        order = (leads.c.rank.desc(), leads.c.id.desc()) if last else (leads.c.rank, leads.c.id)
        query = (
            select(leads.c.rank)
            .where(leads.c.status == status, leads.c.id != exclude)
            .order_by(*order)
            .offset(start)
            .limit(count)
        )
        return list((await self._connection.execute(query)).scalars())

    async def find_open_by_email(self, address: str) -> list[Lead]:
        """Leads not converted nor lost holding this address among their emails (any position)."""
        wanted = [{"address": address_key(address)}]
        query = select(leads).where(
            leads.c.emails.contains(wanted),
            leads.c.merged_into.is_(None),
            leads.c.status.in_(select(lead_statuses.c.key).where(lead_statuses.c.is_open)),
        )
        return await self.find(query.order_by(leads.c.id))


class StatusRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def board(self) -> StatusBoard:
        rows = await self._connection.execute(select(lead_statuses))
        return StatusBoard(StatusDefinition(**row._asdict()) for row in rows)

    async def lock(self) -> StatusBoard:
        """The board, with its rows locked: admin edits of the list run one at a time."""
        rows = await self._connection.execute(select(lead_statuses).with_for_update())
        return StatusBoard(StatusDefinition(**row._asdict()) for row in rows)

    async def add(self, status: StatusDefinition) -> None:
        await self._connection.execute(lead_statuses.insert().values(**asdict(status)))

    async def save(self, status: StatusDefinition) -> None:
        values = asdict(status)
        await self._connection.execute(
            update(lead_statuses).where(lead_statuses.c.key == status.key).values(**values)
        )

    async def remove(self, key: str) -> None:
        await self._connection.execute(delete(lead_statuses).where(lead_statuses.c.key == key))

    async def leads_in(self, key: str) -> int:
        query = select(func.count()).select_from(leads).where(leads.c.status == key)
        return int((await self._connection.execute(query)).scalar_one())


class ReferenceRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def values(self, *, kind: str | None, include_inactive: bool) -> list[ReferenceValue]:
        query = select(reference_values).order_by(reference_values.c.kind, reference_values.c.normalized)
        if kind is not None:
            query = query.where(reference_values.c.kind == kind)
        if not include_inactive:
            query = query.where(reference_values.c.active)
        return [_reference(row) for row in await self._connection.execute(query)]

    async def get(self, ident: UUID) -> ReferenceValue:
        row = (
            await self._connection.execute(select(reference_values).where(reference_values.c.id == ident))
        ).first()
        if row is None:
            raise NotFound("reference value", ident)
        return _reference(row)

    async def find(self, kind: str, value: str) -> ReferenceValue | None:
        query = select(reference_values).where(
            reference_values.c.kind == kind, reference_values.c.normalized == normalized(value)
        )
        row = (await self._connection.execute(query)).first()
        return _reference(row) if row else None

    async def add(self, value: ReferenceValue) -> ReferenceValue:
        """Insert, or return the equal value another transaction added first."""
        row = asdict(value) | {"normalized": value.normalized}
        inserted = await self._connection.execute(
            pg_insert(reference_values)
            .values(**row)
            .on_conflict_do_nothing()
            .returning(reference_values.c.id)
        )
        if inserted.first() is not None:
            return value
        existing = await self.find(value.kind, value.value)
        assert existing is not None  # the conflicting row is committed and visible
        return existing

    async def save(self, value: ReferenceValue) -> None:
        row = asdict(value) | {"normalized": value.normalized}
        await self._connection.execute(
            update(reference_values).where(reference_values.c.id == value.id).values(**row)
        )


def _reference(row: Row[Any]) -> ReferenceValue:
    values = row._asdict()
    values.pop("normalized")
    return ReferenceValue(**values)
