"""Use cases of the leads service. Each runs inside one unit of work that the boundary commits."""

from dataclasses import dataclass
from uuid import UUID

from crm_leads.domain.model import Lead, LeadStatus
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
WRITERS = (Role.SALES, Role.CSM)


@dataclass(frozen=True)
class NewLead:
    last_name: str
    first_name: str | None = None
    company_name: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str | None = None
    language: str = "en"
    owner_id: str | None = None


async def create_lead(*, uow: LeadsUnitOfWork, actor: Principal, data: NewLead) -> Lead:
    authorize(actor, *WRITERS)
    lead = Lead.create(
        last_name=data.last_name,
        first_name=data.first_name,
        company_name=data.company_name,
        email=data.email,
        phone=data.phone,
        source=data.source,
        language=data.language,
        owner_id=data.owner_id or actor.user_id,
    )
    await uow.leads.add(lead)
    return lead


async def get_lead(*, uow: LeadsUnitOfWork, actor: Principal, lead_id: UUID) -> Lead:
    authorize(actor, *READERS)
    return await uow.leads.get(lead_id)


async def list_leads(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    owner_id: str | None,
    status: LeadStatus | None,
    after: UUID | None,
    limit: int,
) -> list[Lead]:
    authorize(actor, *READERS)
    return await uow.leads.list(owner_id=owner_id, status=status, after=after, limit=limit)
