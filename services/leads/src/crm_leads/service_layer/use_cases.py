"""Use cases of the leads service. Each runs inside one unit of work that the boundary commits."""

from dataclasses import dataclass
from uuid import UUID

from crm_leads.domain.events import DealRequest
from crm_leads.domain.model import Account, Contact, Lead, LeadStatus
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


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    account: Account
    contact: Contact | None


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


async def convert_lead(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    lead_id: UUID,
    deal: DealRequest | None,
    create_contact: bool = True,
) -> Conversion:
    """Open an account (and a contact) from the lead, once: the row lock serialises double clicks."""
    authorize(actor, Role.SALES)
    lead = await uow.leads.get(lead_id, for_update=True)
    account = Account.open_from(lead)
    contact = Contact.from_lead(lead, account) if create_contact else None
    lead.convert(account=account, contact=contact, deal=deal, by=actor.user_id)
    await uow.accounts.add(account)
    if contact:
        await uow.contacts.add(contact)
    await uow.leads.update(lead)
    return Conversion(lead, account, contact)
