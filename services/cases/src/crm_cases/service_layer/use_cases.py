"""Use cases of the cases service. Each runs inside one unit of work that the boundary commits."""

from dataclasses import dataclass
from uuid import UUID

from crm_cases.domain.mail import (
    MailKind,
)
from crm_cases.domain.model import Case, CaseMessage, CaseStatus, IntakeOutcome
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import Principal, Role, authorize

READERS = (Role.SUPPORT, Role.CSM)  # Support and CSM work cases (and Admin); Sales does not
MAILBOX_MAX = 320
IGNORED = {
    MailKind.AUTO_REPLY: IntakeOutcome.IGNORED_AUTO_REPLY,
    MailKind.BOUNCE: IntakeOutcome.IGNORED_BOUNCE,
}


@dataclass(frozen=True)
class CaseWithMessages:
    case: Case
    messages: list[CaseMessage]


async def get_case(*, uow: CasesUnitOfWork, actor: Principal, case_id: UUID) -> CaseWithMessages:
    authorize(actor, *READERS)
    case = await uow.cases.get(case_id)
    return CaseWithMessages(case, await uow.cases.messages(case_id))


async def list_cases(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    status: CaseStatus | None,
    requester_email: str | None,
    after: UUID | None,
    limit: int,
) -> list[Case]:
    authorize(actor, *READERS)
    return await uow.cases.list(status=status, requester_email=requester_email, after=after, limit=limit)
