"""The notifier unit of work in memory, for handler unit tests: `FakeNotifierUnitOfWork` on crm_shared's
fake, with the service's translator (what a commit would publish lands in `outbox`), repositories under
the real attribute and method names (adapters/repositories.py), and transactions: what a unit of work
wrote is undone when it ends without a commit, as a rollback would. `RecordingMailer` stands for the
SMTP server (the integration tests send to a real one)."""

import copy
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from crm_notifier.domain.model import Notification, NotificationStatus, Recipient, Reminder, ReminderStatus
from crm_notifier.entrypoints.consumers import handlers
from crm_notifier.service_layer.integration_events import translate
from crm_notifier.service_layer.notifications import MailDefaults
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork
from crm_shared.errors import NotFound, PreconditionFailed
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.service_layer import Bus, system_bus
from crm_shared.testing.fakes import FakeUnitOfWork
from crm_shared.testing.fakes import deliver as deliver_event

DEFAULTS = MailDefaults(
    from_address="CRM <no-reply@crm.local>", support_address="support@crm.local", default_language="en"
)


class _Versioned:
    """Aggregates by id, updated only at the version they were read at (optimistic concurrency)."""

    def __init__(self, track: Any) -> None:
        self.rows: dict[UUID, Any] = {}
        self._track = track

    async def get(self, ident: UUID, *, for_update: bool = False) -> Any:
        if ident not in self.rows:
            raise NotFound("row", ident)
        return self.rows[ident]

    async def update(self, aggregate: Any) -> None:
        if self.rows[aggregate.id].version != aggregate.version:
            raise PreconditionFailed(f"{aggregate.id} was changed meanwhile")
        aggregate.version += 1
        self.rows[aggregate.id] = aggregate
        self._track(aggregate)


class FakeNotifications(_Versioned):
    async def add_once(self, notification: Notification) -> bool:
        """Once per (cause, template, recipient), and once per case message."""
        key = (notification.cause_event_id, notification.template, notification.recipient)
        for known in self.rows.values():
            same_cause = None not in key and (known.cause_event_id, known.template, known.recipient) == key
            same_message = (
                notification.case_message_id and known.case_message_id == notification.case_message_id
            )
            if same_cause or same_message:
                return False
        self.rows[notification.id] = notification
        self._track(notification)
        return True

    async def claim_due(self, now: datetime) -> Notification | None:
        due = [
            n
            for n in self.rows.values()
            if n.status is NotificationStatus.PENDING and n.next_attempt_at <= now
        ]
        return min(due, key=lambda n: n.next_attempt_at, default=None)

    def of(self, recipient: str) -> list[Notification]:
        return [n for n in self.rows.values() if n.recipient == recipient]


class FakeReminders(_Versioned):
    async def add_once(self, reminder: Reminder) -> bool:
        """One reminder of a kind per contract."""
        if any((r.kind, r.contract_id) == (reminder.kind, reminder.contract_id) for r in self.rows.values()):
            return False
        self.rows[reminder.id] = reminder
        self._track(reminder)
        return True

    async def claim_due(self, now: datetime, *, limit: int) -> list[Reminder]:
        due = [r for r in self.rows.values() if r.status is ReminderStatus.PENDING and r.due_at <= now]
        return sorted(due, key=lambda r: r.due_at)[:limit]


@dataclass
class FakeRecipients:
    rows: dict[str, Recipient] = field(default_factory=dict)

    async def get(self, user_id: str) -> Recipient | None:
        return self.rows.get(user_id)

    async def save(self, recipient: Recipient) -> None:
        self.rows[recipient.user_id] = recipient


@dataclass
class FakeBouncing:
    until: dict[str, datetime] = field(default_factory=dict)

    async def record(
        self, *, address: str, until: datetime, bounced_at: datetime, reason: str | None, case_id: UUID | None
    ) -> None:
        """A bounce never shortens an earlier, longer suppression."""
        address = address.lower()
        self.until[address] = max(until, self.until.get(address, until))

    async def bouncing(self, addresses: Collection[str], now: datetime) -> dict[str, datetime]:
        wanted = {a.lower() for a in addresses if a}
        return {a: u for a, u in self.until.items() if a in wanted and u > now}


class FakeNotifierUnitOfWork(FakeUnitOfWork):
    stores = ("notifications", "reminders", "recipients", "bouncing")

    caused_by = NotifierUnitOfWork.caused_by  # the real rule: claimed work traces back to its cause

    def __init__(self, *, context: EventContext | None = None) -> None:
        super().__init__(translate=translate, context=context)
        self.notifications = FakeNotifications(self.track)
        self.reminders = FakeReminders(self.track)
        self.recipients = FakeRecipients()
        self.bouncing = FakeBouncing()


class RecordingMailer:
    """The mail system: records what it accepted; `refuse` holds the next attempts' failures."""

    def __init__(self, *refuse: BaseException) -> None:
        self.sent: list[Notification] = []
        self.refuse = list(refuse)

    async def send(self, notification: Notification) -> None:
        if self.refuse:
            raise self.refuse.pop(0)
        self.sent.append(copy.copy(notification))


def bus(uow: FakeNotifierUnitOfWork, *, work: str = "test") -> Bus[NotifierUnitOfWork]:
    """A system bus whose every transaction is `uow`, as the sender and the scheduler use."""
    return system_bus(lambda _context: uow, work=work)  # type: ignore[arg-type,return-value]


async def deliver(
    uow: FakeNotifierUnitOfWork, event: IntegrationEvent, envelope: Envelope | None = None
) -> Envelope | None:
    """An event through its handler (the service's own table) as the consumer applies it: inbox claim,
    handler, commit. The envelope it came in, or None for a redelivery (the same envelope again)."""
    return await deliver_event(
        uow, event, handlers=handlers(DEFAULTS), consumer="crm-notifier", envelope=envelope
    )
