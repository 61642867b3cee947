"""What the mail intake asks of cases: open a case from a customer's mail, or add a mail to its case.

The intake decides which case a mail answers; these decide what the case does with it (recognise the
sender, assign, set SLA targets, reopen, or open a follow-up when the case was closed long ago).
"""

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from crm_cases.domain.case_values import CUSTOMER, LinkKind, Priority
from crm_cases.domain.mail import InboundMail
from crm_cases.domain.model import Case, CaseMessage
from crm_cases.service_layer.case_opening import profile_for
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork

REOPEN_WINDOW_DAYS = 14


async def open_case(
    uow: CasesUnitOfWork,
    *,
    mail: InboundMail,
    message_id: str,
    mailbox: str,
    raw_message_id: UUID,
    at: datetime,
    team: str | None = None,
    related_case_id: UUID | None = None,
) -> Case:
    """A new case; `team` is the mailbox's team (whose members take turns when no CSM is known)."""
    profile = await profile_for(
        uow,
        email=mail.sender_email,
        team=team,
        priority=Priority.NORMAL,
        at=at,
        related_case_id=related_case_id,
    )
    case = Case.open_from_email(
        number=await uow.cases.next_number(),
        mail=mail,
        message_id=message_id,
        mailbox=mailbox,
        raw_message_id=raw_message_id,
        at=at,
        profile=profile,
    )
    await uow.cases.add(case)
    return case


async def append_to_case(
    uow: CasesUnitOfWork,
    case: Case,
    *,
    mail: InboundMail,
    message_id: str,
    raw_message_id: UUID,
    at: datetime,
    reopen_window_days: int = REOPEN_WINDOW_DAYS,
) -> Case:
    """Returns the case the mail landed in: this one (reopened when it waited on the customer, was
    resolved or closed recently), its survivor when it was merged, or a new follow-up case linked to it
    when it was closed longer ago than `reopen_window_days`."""
    seen = {case.id}
    while case.merged_into is not None and case.merged_into not in seen:
        seen.add(case.merged_into)
        case = await uow.cases.get(case.merged_into, for_update=True)
    if case.closed_longer_than(reopen_window_days, at):
        return await _follow_up(
            uow, case, mail=mail, message_id=message_id, raw_message_id=raw_message_id, at=at
        )
    case.receive_email(mail=mail, message_id=message_id, raw_message_id=raw_message_id, at=at)
    await uow.cases.update(case)
    return case


async def _follow_up(
    uow: CasesUnitOfWork, old: Case, *, mail: InboundMail, message_id: str, raw_message_id: UUID, at: datetime
) -> Case:
    case = await open_case(
        uow,
        mail=mail,
        message_id=message_id,
        mailbox=old.mailbox or "",
        raw_message_id=raw_message_id,
        at=at,
        team=old.team,
        related_case_id=old.id,
    )
    case.link(old, kind=LinkKind.FOLLOW_UP, by=CUSTOMER, at=at)
    await uow.cases.link(case.id, old.id, kind=LinkKind.FOLLOW_UP, by=CUSTOMER, at=at)
    return case


async def attach_bounce(
    uow: CasesUnitOfWork,
    case: Case,
    *,
    mail: InboundMail,
    raw_message_id: UUID,
    at: datetime,
    recipient: str | None,
    reason: str | None,
) -> Case:
    """A bounce of a mail this case sent: kept as an internal message for the agents; the case's status
    does not change and nothing is sent."""
    note = CaseMessage.internal(
        case_id=case.id,
        author=mail.sender_email or None,  # None: the mail system itself (From: <>)
        author_name=mail.sender_name,
        subject=mail.subject,
        text=f"Delivery to {recipient} failed: {reason}\n\n{mail.text}".strip(),
        at=at,
    )
    case.attach_bounce(replace(note, raw_message_id=raw_message_id))
    await uow.cases.update(case)
    return case
