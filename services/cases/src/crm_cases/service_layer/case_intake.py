"""What the mail intake asks of cases: open a case from a customer's mail, or add a mail to its case.

The intake decides which case a mail answers; these decide what the case does with it (recognise the
sender, assign, set SLA targets, reopen, or open a follow-up when the case was closed long ago).
"""

from datetime import datetime
from uuid import UUID

from crm_cases.domain.mail import InboundMail
from crm_cases.domain.model import Case
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork


async def open_case(
    uow: CasesUnitOfWork,
    *,
    mail: InboundMail,
    message_id: str,
    mailbox: str,
    raw_message_id: UUID,
    at: datetime,
) -> Case:
    case = Case.open_from_email(
        number=await uow.cases.next_number(),
        mail=mail,
        message_id=message_id,
        mailbox=mailbox,
        raw_message_id=raw_message_id,
        at=at,
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
) -> Case:
    """Returns the case the mail landed in."""
    case.receive_email(mail=mail, message_id=message_id, raw_message_id=raw_message_id, at=at)
    await uow.cases.update(case)
    return case
