"""A bounce of one of our notifications: attached to the case it came from, its failed recipients
marked as bouncing (MailAddressBounced, for the notifier to stop writing to them)."""

from datetime import datetime
from uuid import UUID

from crm_cases.domain.mail import InboundMail
from crm_cases.service_layer import case_intake
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.events.cases import MailAddressBounced


async def handle_bounce(
    uow: CasesUnitOfWork, mail: InboundMail, *, raw_message_id: UUID, at: datetime
) -> None:
    """Only bounces of mail a case sent or saw count: others (spam backscatter) are just kept."""
    report = mail.report
    if report is None:
        return
    candidates = tuple(dict.fromkeys((*report.original_message_ids, *mail.in_reply_to, *mail.references)))
    case_id = await uow.cases.case_of_messages(candidates)
    if case_id is None:
        return
    case = await uow.cases.get(case_id, for_update=True)
    recipient = report.failed_recipients[0] if report.failed_recipients else None
    await case_intake.attach_bounce(
        uow,
        case,
        mail=mail,
        raw_message_id=raw_message_id,
        at=at,
        recipient=recipient,
        reason=report.diagnostic,
    )
    if not report.permanent:
        return  # a delay warning: the address may still work
    for address in report.failed_recipients:
        await uow.intake.mark_bounced(address, case_id=case_id, reason=report.diagnostic, at=at)
        uow.publish(
            MailAddressBounced(address=address, case_id=case_id, reason=report.diagnostic, bounced_at=at)
        )
