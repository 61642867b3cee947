"""Use cases of the notifier service. Each runs inside one unit of work that the boundary commits.

Event handlers only store what to send (and when); the sender and the scheduler (see `delivery`) do the
sending outside the consumer's transaction.
"""

from collections.abc import Mapping
from uuid import UUID

from crm_notifier.domain.model import (
    Draft,
    Notification,
    NotificationStatus,
    Recipient,
    Reminder,
)
from crm_notifier.domain.templates import (
    CASE_ACKNOWLEDGEMENT,
    DEAL_WON,
    Language,
    format_amount,
    format_date,
    render,
)
from crm_notifier.service_layer.notifications import (
    Cause,
    MailDefaults,
    is_deliverable,
    new_message_id,
    notify_user,
)
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork
from crm_shared.auth import Principal, authorize
from crm_shared.errors import NotFound
from crm_shared.events import Envelope
from crm_shared.events.cases import CaseOpened
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


async def acknowledge_case(
    event: CaseOpened, *, uow: NotifierUnitOfWork, envelope: Envelope, defaults: MailDefaults
) -> None:
    """Flow 5: an automatic reply from the support mailbox, threaded under the customer's mail."""
    address = (event.requester_email or "").strip()
    content = render(
        CASE_ACKNOWLEDGEMENT,
        event.language,
        {"number": event.number, "subject": event.subject, "name": event.requester_name or ""},
    )
    draft = Draft(
        template=CASE_ACKNOWLEDGEMENT,
        recipient=address.lower() or f"case:{event.case_id}",
        language=event.language,
        subject=content.subject,
        body=content.body,
        from_address=defaults.support_address,
        cause_event_id=envelope.id,
        correlation_id=uow.context.correlation_id,
        headers=acknowledgement_headers(event.message_id),
    )
    if not address or not is_deliverable(address):
        reason = f"case {event.number} has no deliverable requester address"
        await uow.notifications.add_once(Notification.skipped(draft, reason=reason))
        return
    notification = Notification.to_send(
        draft,
        email=address,
        to_name=event.requester_name,
        message_id=new_message_id(defaults.support_address),
    )
    await uow.notifications.add_once(notification)


def acknowledgement_headers(message_id: str | None) -> dict[str, str]:
    # RFC 3834: an auto-reply that other robots (and Exchange, via X-Auto-Response-Suppress) leave alone.
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    original = " ".join((message_id or "").split())
    if original:
        original = original if original.startswith("<") else f"<{original}>"
        headers |= {"In-Reply-To": original, "References": original}
    return headers


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
