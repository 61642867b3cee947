"""Lead conversion: one transaction opens (or links) the account and contact and records LeadConverted."""

from dataclasses import dataclass
from uuid import UUID

from crm_leads.domain.accounts import Account, Contact
from crm_leads.domain.events import DealRequest
from crm_leads.domain.model import Lead
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    account: Account
    contact: Contact | None


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
