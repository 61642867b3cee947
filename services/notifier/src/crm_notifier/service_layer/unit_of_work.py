from typing import Self
from uuid import UUID

from crm_notifier.adapters.repositories import (
    BouncingAddressRepository,
    NotificationRepository,
    RecipientRepository,
    ReminderRepository,
)
from crm_shared.db import SqlUnitOfWork
from crm_shared.events import EventContext


class NotifierUnitOfWork(SqlUnitOfWork):
    notifications: NotificationRepository
    reminders: ReminderRepository
    recipients: RecipientRepository
    bouncing: BouncingAddressRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.notifications = NotificationRepository(self.connection, self.track)
        self.reminders = ReminderRepository(self.connection, self.track)
        self.recipients = RecipientRepository(self.connection)
        self.bouncing = BouncingAddressRepository(self.connection)
        return self

    def caused_by(self, *, correlation_id: str | None, cause_event_id: UUID | None) -> None:
        """Work claimed by a background loop: its events trace back to the event that caused it."""
        self.context = EventContext(
            correlation_id=correlation_id or self.context.correlation_id,
            causation_id=str(cause_event_id) if cause_event_id else None,
        )
