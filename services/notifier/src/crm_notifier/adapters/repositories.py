"""Repositories of the notifier service.

Scheduled work (pending notifications, due reminders) is claimed with `FOR UPDATE SKIP LOCKED`: each
row goes to exactly one of the loops running at once, and a loop that dies releases it with its
transaction.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_notifier.adapters.tables import notifications, recipients, reminders
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
        """Insert unless this cause already notified this recipient with this template."""
        statement = (
            pg_insert(notifications)
            .values(**self._row(notification))
            .on_conflict_do_nothing(index_elements=["cause_event_id", "template", "recipient"])
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
