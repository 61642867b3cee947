"""Use cases of the notifier service. Each runs inside one unit of work that the boundary commits.

Event handlers only store what to send (and when); the sender and the scheduler (see `delivery`) do the
sending outside the consumer's transaction.
"""

from collections.abc import Mapping
from uuid import UUID

from crm_notifier.domain.model import (
    Notification,
    NotificationStatus,
    Recipient,
    Reminder,
)
from crm_notifier.domain.templates import (
    DEAL_WON,
    Language,
    format_amount,
    format_date,
)
from crm_notifier.service_layer.notifications import (
    Cause,
    MailDefaults,
    notify_user,
)
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork
from crm_shared.auth import Principal, authorize
from crm_shared.errors import NotFound
from crm_shared.events import Envelope
from crm_shared.events.deals import DealWon
from crm_shared.events.quotes import ContractCreated

# Every HTTP use case of the notifier is an administrator's: `authorize` with no role admits admin only.


async def put_recipient(*, uow: NotifierUnitOfWork, actor: Principal, recipient: Recipient) -> Recipient:
    authorize(actor)
    await uow.recipients.save(recipient)
    return recipient


async def get_recipient(*, uow: NotifierUnitOfWork, actor: Principal, user_id: str) -> Recipient:
    authorize(actor)
    recipient = await uow.recipients.get(user_id)
    if recipient is None:
        raise NotFound("recipient", user_id)
    return recipient


async def get_notification(
    *, uow: NotifierUnitOfWork, actor: Principal, notification_id: UUID
) -> Notification:
    authorize(actor)
    return await uow.notifications.get(notification_id)


async def list_notifications(
    *,
    uow: NotifierUnitOfWork,
    actor: Principal,
    status: NotificationStatus | None,
    template: str | None,
    recipient: str | None,
    after: UUID | None,
    limit: int,
) -> list[Notification]:
    authorize(actor)
    return await uow.notifications.list(
        status=status, template=template, recipient=recipient, after=after, limit=limit
    )


async def list_reminders(
    *, uow: NotifierUnitOfWork, actor: Principal, contract_id: UUID | None, after: UUID | None, limit: int
) -> list[Reminder]:
    authorize(actor)
    return await uow.reminders.list(contract_id=contract_id, after=after, limit=limit)


async def notify_deal_won(
    event: DealWon, *, uow: NotifierUnitOfWork, envelope: Envelope, defaults: MailDefaults
) -> None:
    """Flow 4: the CSM (told the outcome of the win they asked for) and the deal's owner, once each."""

    def values(language: Language) -> Mapping[str, str]:
        return {
            "title": event.title,
            "amount": format_amount(event.amount_minor, event.currency, language),
            "won_on": format_date(event.won_at.date(), language),
        }

    cause = Cause(envelope.id, uow.context.correlation_id)
    for user_id in dict.fromkeys(u for u in (event.csm_id, event.owner_id) if u):
        await notify_user(uow, defaults, template=DEAL_WON, user_id=user_id, values=values, cause=cause)


async def schedule_contract_renewal(
    event: ContractCreated, *, uow: NotifierUnitOfWork, envelope: Envelope
) -> None:
    """Flow 4: remind the CSM (or the owner) a month before the contract ends; once per contract."""
    reminder = Reminder.contract_renewal(
        contract_id=event.contract_id,
        title=event.title,
        end_date=event.end_date,
        owner_id=event.owner_id,
        csm_id=event.csm_id,
        cause_event_id=envelope.id,
        correlation_id=uow.context.correlation_id,
    )
    await uow.reminders.add_once(reminder)
