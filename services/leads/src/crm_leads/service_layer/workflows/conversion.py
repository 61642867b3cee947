"""Lead conversion: one transaction opens (or links) the account and contact and records LeadConverted.

Twice-converting is prevented three times over: the lead row lock serialises concurrent requests, the
lead's status refuses a second conversion, and `lead_conversions` has the lead id as primary key.
Retries with the same `Idempotency-Key` replay the first response (see crm_shared.http.idempotency).
"""

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.duplicates.merge import ensure_not_merged
from crm_leads.domain.events import DealRequest
from crm_leads.domain.model import Lead
from crm_leads.domain.workflows.conversion import (
    ConversionRecord,
    DuplicateCandidate,
    business_domain,
    company_key,
)
from crm_leads.domain.workflows.conversion import likely_duplicates as find_duplicates
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import Conflict, CrmError, InvalidInput, NotFound

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
T = TypeVar("T")


class ContactMode(StrEnum):
    NEW = "new"
    EXISTING = "existing"
    NONE = "none"


@dataclass(frozen=True)
class AccountChoice:
    existing_id: UUID | None = None
    """Link this account; None opens a new one from the lead."""
    confirm_new: bool = False
    """Open the new account even though likely duplicates exist."""


@dataclass(frozen=True)
class ContactChoice:
    mode: ContactMode = ContactMode.NEW
    existing_id: UUID | None = None


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    account: Account
    contact: Contact | None
    record: ConversionRecord


class LikelyDuplicateAccounts(CrmError):
    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        super().__init__(
            f"{len(candidates)} existing account(s) look like this company; link one or confirm a new one",
            409,
            "Conflict",
            "likely_duplicate_account",
            {
                "candidates": [
                    {
                        "id": str(c.account.id),
                        "name": c.account.name,
                        "email_domain": c.account.email_domain,
                        "reasons": list(c.reasons),
                    }
                    for c in candidates
                ]
            },
        )


async def convert_lead(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    lead_id: UUID,
    account: AccountChoice = AccountChoice(),
    contact: ContactChoice = ContactChoice(),
    deal: DealRequest | None = None,
) -> Conversion:
    authorize(actor, Role.SALES)
    lead = await uow.leads.get(lead_id, for_update=True)
    if await uow.conversions.get(lead_id) is not None:
        raise Conflict(f"lead {lead_id} is already converted", code="already_converted")
    target, account_created = await _account_for(uow, lead, account)
    if account_created:
        await uow.accounts.add(target)
    person, contact_created = await _contact_for(uow, lead, target, contact, by=actor.user_id)
    lead.convert(account=target, contact=person, deal=deal, by=actor.user_id)
    if person is not None and contact_created:
        await uow.contacts.add(person)
    await uow.leads.update(lead)
    record = ConversionRecord(
        lead_id=lead.id,
        account_id=target.id,
        account_created=account_created,
        contact_id=person.id if person else None,
        contact_created=contact_created,
        deal=deal,
        converted_by=actor.user_id,
        converted_at=lead.converted_at or datetime.now(UTC),
    )
    await uow.conversions.add(record)
    return Conversion(lead, target, person, record)


async def _account_for(uow: LeadsUnitOfWork, lead: Lead, choice: AccountChoice) -> tuple[Account, bool]:
    if choice.existing_id is not None:
        existing = await _existing(uow.accounts.get(choice.existing_id), "account.id")
        ensure_not_merged("account", existing)
        return existing, False
    account = Account.open_from(lead)
    domain = business_domain(account.email_domain)
    # Two leads of one company converted at once must not both miss the other's new account.
    keys = [f"account-name:{company_key(account.name)}"] + ([f"account-domain:{domain}"] if domain else [])
    await uow.locks.acquire(*keys)
    if not choice.confirm_new:
        candidates = find_duplicates(
            name=account.name,
            email_domain=domain,
            accounts=await uow.conversions.account_candidates(name=account.name, email_domain=domain),
        )
        if candidates:
            raise LikelyDuplicateAccounts(candidates)
    return account, True


async def _contact_for(
    uow: LeadsUnitOfWork, lead: Lead, account: Account, choice: ContactChoice, *, by: str
) -> tuple[Contact | None, bool]:
    if choice.mode is ContactMode.NONE:
        return None, False
    if choice.mode is ContactMode.NEW:
        return Contact.from_lead(lead, account), True
    if choice.existing_id is None:
        raise InvalidInput("contact.id", "required to link an existing contact")
    contact = await _existing(uow.contacts.get(choice.existing_id, for_update=True), "contact.id")
    ensure_not_merged("contact", contact)
    if account.id not in {link.account_id for link in contact.accounts}:
        contact.update({"accounts": [*contact.accounts, AccountLink(account.id)]}, by=by)
        await uow.contacts.update(contact)
    return contact, False


async def _existing(lookup: Awaitable[T], field_name: str) -> T:
    try:
        return await lookup
    except NotFound as exc:
        raise InvalidInput(field_name, exc.detail) from exc


async def get_conversion(*, uow: LeadsUnitOfWork, actor: Principal, lead_id: UUID) -> ConversionRecord:
    authorize(actor, *READERS)
    record = await uow.conversions.get(lead_id)
    if record is None:
        raise NotFound("conversion of lead", lead_id)
    return record
