"""Read models kept from other sources: accounts (leads' events) and users (verified tokens, Admin)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_deals.adapters.tables import accounts, users


@dataclass(frozen=True)
class KnownAccount:
    id: UUID
    name: str | None
    owner_id: str | None
    csm_id: str | None
    customer: str  # "none", "current" or "former", as leads computes it
    merged_into: UUID | None

    @property
    def is_prospect(self) -> bool:
        return self.customer != "current"


@dataclass(frozen=True)
class KnownUser:
    id: str
    team: str | None
    roles: tuple[str, ...]
    active: bool


class AccountDirectory:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, account_id: UUID) -> KnownAccount | None:
        row = (await self._connection.execute(select(accounts).where(accounts.c.id == account_id))).first()
        return (
            None
            if row is None
            else KnownAccount(**{k: v for k, v in row._asdict().items() if k != "updated_at"})
        )

    async def save(self, account_id: UUID, **values: object) -> None:
        """Upsert: only the given columns change, so events arriving in any order fill in the record."""
        row = {"id": account_id, "updated_at": datetime.now(UTC), **values}
        statement = insert(accounts).values(**row)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[accounts.c.id], set_={k: statement.excluded[k] for k in row if k != "id"}
            )
        )

    async def mark_merged(self, merged: Iterable[UUID], survivor: UUID) -> None:
        for account_id in merged:
            await self.save(account_id, merged_into=survivor)


class UserDirectory:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: str) -> KnownUser | None:
        row = (await self._connection.execute(select(users).where(users.c.id == user_id))).first()
        if row is None:
            return None
        return KnownUser(row.id, row.team, tuple(row.roles), row.active)

    async def all(self) -> list[KnownUser]:
        rows = (await self._connection.execute(select(users).order_by(users.c.id))).all()
        return [KnownUser(r.id, r.team, tuple(r.roles), r.active) for r in rows]

    async def save(self, user: KnownUser) -> None:
        row = {"id": user.id, "team": user.team, "roles": list(user.roles), "active": user.active}
        statement = insert(users).values(**row, updated_at=datetime.now(UTC))
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[users.c.id],
                set_={k: statement.excluded[k] for k in ("team", "roles", "active", "updated_at")},
            )
        )

    async def deactivate(self, user_id: str) -> None:
        await self._connection.execute(update(users).where(users.c.id == user_id).values(active=False))
