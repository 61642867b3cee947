"""Close requests of deals: the deal's owner hears of a request, the requester of Sales' decision."""

from collections.abc import Mapping

from crm_notifier.domain.templates import (
    CLOSE_REQUEST_APPROVED,
    CLOSE_REQUEST_REJECTED,
    CLOSE_REQUESTED,
    DECISION_NOTE,
    LOSS_REASON,
    OUTCOMES,
    SIGNED_AMOUNT,
    Language,
    format_amount,
    format_date,
)
from crm_notifier.service_layer.notifications import Cause, MailDefaults, notify_user
from crm_notifier.service_layer.unit_of_work import NotifierUnitOfWork
from crm_shared.events import Envelope
from crm_shared.events.deals import DealCloseRequestDecided, DealCloseRequested


async def notify_close_request_decided(
    event: DealCloseRequestDecided, *, uow: NotifierUnitOfWork, envelope: Envelope, defaults: MailDefaults
) -> None:
    """The requester is told whether Sales approved or rejected, with Sales' note."""

    def values(language: Language) -> Mapping[str, str]:
        note = DECISION_NOTE[language].format(note=event.note) if event.note else ""
        return {
            "title": event.title,
            "outcome": OUTCOMES[language][event.outcome],
            "decided_on": format_date(event.decided_at.date(), language),
            "note": note,
        }

    template = CLOSE_REQUEST_APPROVED if event.decision == "approved" else CLOSE_REQUEST_REJECTED
    cause = Cause(envelope.id, uow.context.correlation_id)
    await notify_user(
        uow, defaults, template=template, user_id=event.requested_by, values=values, cause=cause
    )


async def notify_close_requested(
    event: DealCloseRequested, *, uow: NotifierUnitOfWork, envelope: Envelope, defaults: MailDefaults
) -> None:
    """The deal's owner is told a close was asked for (unless they asked themselves)."""
    if event.owner_id == event.requested_by:
        return
    requester = await uow.recipients.get(event.requested_by)
    requested_by = (requester.name if requester else None) or event.requested_by

    def values(language: Language) -> Mapping[str, str]:
        return {
            "title": event.title,
            "outcome": OUTCOMES[language][event.outcome],
            "requested_by": requested_by,
            "details": _details(event, language),
        }

    cause = Cause(envelope.id, uow.context.correlation_id)
    await notify_user(
        uow, defaults, template=CLOSE_REQUESTED, user_id=event.owner_id, values=values, cause=cause
    )


def _details(event: DealCloseRequested, language: Language) -> str:
    if event.outcome == "lost":
        return LOSS_REASON[language].format(reason=event.reason or "")
    if event.signed_amount_minor is None:
        return ""
    return SIGNED_AMOUNT[language].format(
        signed=format_amount(event.signed_amount_minor, event.currency, language),
        amount=format_amount(event.amount_minor, event.currency, language),
    )
