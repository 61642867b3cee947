"""Background work: deliver pending notifications and fire due reminders, one row per transaction.

Rows are claimed with `FOR UPDATE SKIP LOCKED`, so any number of loops (in one process or many) share
the work without doing any of it twice. The row stays locked while the mail is handed to the SMTP
server: a crash before the commit leaves it pending, and it is sent again with the same Message-ID
(at-least-once, like every delivery in the system).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from crm_notifier.domain.bounces import bouncing_reason
from crm_notifier.domain.model import Notification, Reminder, RetryPolicy
from crm_notifier.domain.templates import CONTRACT_RENEWAL, Language, format_date
from crm_notifier.service_layer.notifications import Cause, MailDefaults, notify_user
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork
from crm_shared.auth import Principal


class DeliveryError(Exception):
    """The mail was not accepted; `permanent` when retrying cannot help (e.g. a 5xx refusal)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Mailer(Protocol):
    async def send(self, notification: Notification) -> None:
        """Hand the notification to the mail system, or raise DeliveryError."""


async def deliver_next(
    *, uow: NotifierUnitOfWork, actor: Principal, mailer: Mailer, policy: RetryPolicy, now: datetime
) -> Notification | None:
    """Send the next pending notification that is due; None when there is none. The notification is
    returned as the attempt left it (sent, retried later, failed or skipped), for the caller's records."""
    notification = await uow.notifications.claim_due(now)
    if notification is None:
        return None
    uow.caused_by(correlation_id=notification.correlation_id, cause_event_id=notification.cause_event_id)
    if not await _still_deliverable(uow, notification, now):
        await uow.notifications.update(notification)
        return notification
    try:
        await mailer.send(notification)
    except DeliveryError as exc:
        notification.mark_attempt_failed(error=exc.reason, permanent=exc.permanent, now=now, policy=policy)
    except Exception as exc:  # unforeseen, yet still a bounded attempt: one bad row must not wedge the queue
        error = f"{type(exc).__name__}: {exc}"
        notification.mark_attempt_failed(error=error, permanent=False, now=now, policy=policy)
    else:
        notification.mark_sent(now=now)
    await uow.notifications.update(notification)
    return notification


async def _still_deliverable(uow: NotifierUnitOfWork, notification: Notification, now: datetime) -> bool:
    """An address may have started bouncing while the mail waited: skip it, or leave out copies to it."""
    bouncing = await uow.bouncing.bouncing(notification.addresses, now)
    main = (notification.email or "").lower()
    if main in bouncing:
        notification.skip(reason=bouncing_reason(main, bouncing[main]))
        return False
    notification.drop_recipients(bouncing.keys())
    return True


async def fire_next_reminder(
    *, uow: NotifierUnitOfWork, actor: Principal, defaults: MailDefaults, now: datetime
) -> Reminder | None:
    """Fire the next due reminder: its notification is stored, and the sender delivers it."""
    due = await uow.reminders.claim_due(now, limit=1)
    if not due:
        return None
    reminder = due[0]
    uow.caused_by(correlation_id=reminder.correlation_id, cause_event_id=reminder.cause_event_id)
    reminder.fire(now=now)
    await uow.reminders.update(reminder)

    def values(language: Language) -> Mapping[str, str]:
        return {"title": reminder.title, "end_date": format_date(reminder.end_date, language)}

    await notify_user(
        uow,
        defaults,
        template=CONTRACT_RENEWAL,
        user_id=reminder.recipient_id,
        values=values,
        cause=Cause(reminder.cause_event_id, reminder.correlation_id),
    )
    return reminder
