"""Reading cases: one case with its messages and links, lists with filters, attachment downloads.
Each runs inside one unit of work that the boundary commits (or, for reads, rolls back)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from crm_cases.domain.case_query import CaseFilter
from crm_cases.domain.model import Attachment, Case, CaseMessage, LinkKind
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import Principal, Role, authorize

READERS = (Role.SUPPORT, Role.CSM)  # Support and CSM work cases (and Admin); Sales does not
WORKERS = READERS


@dataclass(frozen=True)
class CaseWithMessages:
    case: Case
    messages: list[CaseMessage]
    """Every message, internal notes included (marked by their visibility): only agents read these."""
    links: list[tuple[UUID, LinkKind]]


async def get_case(*, uow: CasesUnitOfWork, actor: Principal, case_id: UUID) -> CaseWithMessages:
    authorize(actor, *READERS)
    case = await uow.cases.get(case_id)
    return CaseWithMessages(case, await uow.cases.messages(case_id), await uow.cases.links(case_id))


async def list_cases(
    *,
    uow: CasesUnitOfWork,
    actor: Principal,
    filters: CaseFilter,
    after: UUID | None,
    limit: int,
    mine: bool = False,
) -> list[Case]:
    """`mine` narrows to the caller's cases ("my cases")."""
    authorize(actor, *READERS)
    if mine:
        filters = CaseFilter(**vars(filters) | {"assignee_id": actor.user_id})
    return await uow.cases.search(filters, now=datetime.now(UTC), after=after, limit=limit)


async def get_attachment(
    *, uow: CasesUnitOfWork, actor: Principal, case_id: UUID, attachment_id: UUID
) -> Attachment:
    """Attachments of internal notes too: only agents download them."""
    authorize(actor, *READERS)
    return await uow.cases.attachment(case_id, attachment_id)
