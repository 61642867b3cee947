"""Repositories of the notifier service.

Scheduled work (pending notifications, due reminders) is claimed with `FOR UPDATE SKIP LOCKED`: each
row goes to exactly one of the loops running at once, and a loop that dies releases it with its
transaction.
"""

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_notifier.adapters.tables import bouncing_addresses, notifications, recipients, reminders
from crm_notifier.domain.model import (
    Notification,
    NotificationStatus,
    Recipient,
    Reminder,
    ReminderKind,
    ReminderStatus,
)
from crm_shared.db.repository import TableRepository


class NotificationRepository(TableRepository[Notification]):
    table, kind = notifications, Notification

    def from_row(self, row: Row[Any]) -> Notification:
        values = row._asdict()
        return Notification(**values | {"status": NotificationStatus(values["status"])})

    async def add_once(self, notification: Notification) -> bool:
        """Insert unless this cause already notified this recipient with this template, or this case
        message already has its notification."""
        statement = (
            pg_insert(notifications)
            .values(**self._row(notification))
            # Either key: the same cause, template and recipient, or the same case message.
            .on_conflict_do_nothing()
            .returning(notifications.c.id)
        )
        inserted = (await self._connection.execute(statement)).first() is not None
        if inserted:
            self._track(notification)
        return inserted

    async def claim_due(self, now: datetime) -> Notification | None:
        query: Select[Any] = (
            select(notifications)
            .where(
                notifications.c.status == NotificationStatus.PENDING,
                notifications.c.next_attempt_at <= now,
            )
            .order_by(notifications.c.next_attempt_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        found = await self.find(query)
        return found[0] if found else None

    async def list(
        self,
        *,
        status: NotificationStatus | None,
        template: str | None,
        recipient: str | None,
        after: UUID | None,
        limit: int,
    ) -> list[Notification]:
        return await self.page(
            after=after, limit=limit, equal={"status": status, "template": template, "recipient": recipient}
        )


class ReminderRepository(TableRepository[Reminder]):
    table, kind = reminders, Reminder

    def from_row(self, row: Row[Any]) -> Reminder:
        values = row._asdict()
        return Reminder(
            **values | {"kind": ReminderKind(values["kind"]), "status": ReminderStatus(values["status"])}
        )

    async def add_once(self, reminder: Reminder) -> bool:
        """One reminder of a kind per contract, however often the contract is announced."""
        statement = (
            pg_insert(reminders)
            .values(**self._row(reminder))
            .on_conflict_do_nothing(index_elements=["kind", "contract_id"])
            .returning(reminders.c.id)
        )
        inserted = (await self._connection.execute(statement)).first() is not None
        if inserted:
            self._track(reminder)
        return inserted

    async def claim_due(self, now: datetime, *, limit: int) -> list[Reminder]:
        return await self.find(
            select(reminders)
            .where(reminders.c.status == ReminderStatus.PENDING, reminders.c.due_at <= now)
            .order_by(reminders.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )

    async def list(self, *, contract_id: UUID | None, after: UUID | None, limit: int) -> list[Reminder]:
        return await self.page(after=after, limit=limit, equal={"contract_id": contract_id})


class RecipientRepository:
    """Users' addresses: replaced whole, no history, no domain events."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, user_id: str) -> Recipient | None:
        query = select(recipients).where(recipients.c.user_id == user_id)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return None
        return Recipient(user_id=row.user_id, email=row.email, name=row.name, language=row.language)

    async def save(self, recipient: Recipient) -> None:
        values = {
            "user_id": recipient.user_id,
            "email": recipient.email,
            "name": recipient.name,
            "language": recipient.language,
            "updated_at": datetime.now(UTC),
        }
        statement = pg_insert(recipients).values(**values)
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[recipients.c.user_id],
                set_={k: statement.excluded[k] for k in values if k != "user_id"},
            )
        )


class BouncingAddressRepository:
    """Addresses whose mail bounced, and until when mail to them is skipped (see domain.bounces)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def record(
        self, *, address: str, until: datetime, bounced_at: datetime, reason: str | None, case_id: UUID | None
    ) -> None:
        """Suppress `address` until `until`; a bounce never shortens an earlier, longer suppression."""
        values = {
            "address": address.lower(),
            "suppressed_until": until,
            "bounced_at": bounced_at,
            "reason": reason,
            "case_id": case_id,
            "bounces": 1,
            "updated_at": datetime.now(UTC),
        }
        statement = pg_insert(bouncing_addresses).values(**values)
        current, new = bouncing_addresses.c, statement.excluded
        await self._connection.execute(
            statement.on_conflict_do_update(
                index_elements=[current.address],
                set_={
                    "suppressed_until": func.greatest(current.suppressed_until, new.suppressed_until),
                    "bounced_at": func.greatest(current.bounced_at, new.bounced_at),
                    "reason": new.reason,
                    "case_id": func.coalesce(new.case_id, current.case_id),
                    "bounces": current.bounces + 1,
                    "updated_at": new.updated_at,
                },
            )
        )

    async def bouncing(self, addresses: Collection[str], now: datetime) -> dict[str, datetime]:
        """Those of `addresses` (lower-cased) suppressed at `now`, with the end of their suppression."""
        wanted = {a.lower() for a in addresses if a}
        if not wanted:
            return {}
        query = select(bouncing_addresses.c.address, bouncing_addresses.c.suppressed_until).where(
            bouncing_addresses.c.address.in_(wanted), bouncing_addresses.c.suppressed_until > now
        )
        return {row.address: row.suppressed_until for row in await self._connection.execute(query)}
