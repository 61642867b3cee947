"""Lead conversion on the in-memory unit of work: what a lead becomes, and the likely duplicate
accounts that stop it until confirmed."""

import pytest

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.events import DealRequest
from crm_leads.domain.model import Lead
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.workflows import conversion
from crm_leads.service_layer.workflows.conversion import (
    AccountChoice,
    ContactChoice,
    ContactMode,
    LikelyDuplicateAccounts,
)
from crm_shared.errors import Conflict
from crm_shared.events import accounts as published_accounts
from crm_shared.events import leads as published
from services.leads.tests.unit.fakes import SALES, FakeLeadsUnitOfWork, execute

DEAL = DealRequest(title="Compilers", amount_minor=120_000_00, currency="EUR", owner_id="sales-1")


async def new_lead(uow: FakeLeadsUnitOfWork, company: str, email: str) -> Lead:
    data = use_cases.NewLead(
        last_name="Hopper", first_name="Grace", email=email, details={"company_name": company}
    )
    return await execute(uow, SALES, use_cases.create_lead, data=data)


async def existing_account(uow: FakeLeadsUnitOfWork, name: str, domain: str) -> Account:
    account = Account.create(name=name, email_domain=domain)
    uow.db.accounts[account.id] = account
    return account


async def test_a_conversion_opens_the_account_and_contact_and_requests_the_deal():
    uow = FakeLeadsUnitOfWork()
    lead = await new_lead(uow, "Remington Rand", "grace@remington.com")
    done = await execute(uow, SALES, conversion.convert_lead, lead_id=lead.id, deal=DEAL)
    converted = uow.db.leads[lead.id]
    assert (converted.status, converted.account_id, converted.contact_id) == (
        "converted",
        done.account.id,
        done.contact.id if done.contact else None,
    )
    account, contact = uow.db.accounts[done.account.id], uow.db.contacts[converted.contact_id]
    assert (account.name, account.email_domain, account.reference_number) == (
        "Remington Rand",
        "remington.com",
        1000,
    )
    assert (contact.emails, contact.account_id) == (("grace@remington.com",), account.id)
    assert uow.db.conversions[lead.id].account_created
    [event] = uow.published(published.LeadConverted)
    assert (event.account_id, event.contact_id, event.deal and event.deal.title) == (
        account.id,
        contact.id,
        "Compilers",
    )
    assert len(uow.published(published_accounts.AccountCreated)) == 1
    assert len(uow.published(published_accounts.ContactCreated)) == 1


async def test_a_likely_duplicate_account_stops_the_conversion_until_confirmed():
    uow = FakeLeadsUnitOfWork()
    known = await existing_account(uow, "Remington Rand SA", "remington.com")
    lead = await new_lead(uow, "remington rand", "grace@remington.com")
    events_before = len(uow.outbox)
    with pytest.raises(LikelyDuplicateAccounts) as refused:
        await execute(uow, SALES, conversion.convert_lead, lead_id=lead.id)
    [candidate] = refused.value.extra["candidates"]
    assert candidate == {
        "id": str(known.id),
        "name": "Remington Rand SA",
        "email_domain": "remington.com",
        "reasons": ["name", "email_domain"],
    }
    assert (uow.db.leads[lead.id].status, len(uow.db.accounts), len(uow.outbox)) == (
        "to_process",
        1,
        events_before,
    )
    assert uow.locks.held == ["account-domain:remington.com", "account-name:remington rand"]

    done = await execute(
        uow, SALES, conversion.convert_lead, lead_id=lead.id, account=AccountChoice(confirm_new=True)
    )
    assert done.account.id != known.id
    assert len(uow.db.accounts) == 2


async def test_a_lead_converts_into_an_existing_account_and_contact():
    uow = FakeLeadsUnitOfWork()
    known = await existing_account(uow, "Remington Rand", "remington.com")
    person = Contact.create(last_name="Hopper", emails=["grace@remington.com"])
    uow.db.contacts[person.id] = person
    lead = await new_lead(uow, "Remington Rand", "grace@remington.com")
    done = await execute(
        uow,
        SALES,
        conversion.convert_lead,
        lead_id=lead.id,
        account=AccountChoice(existing_id=known.id),
        contact=ContactChoice(mode=ContactMode.EXISTING, existing_id=person.id),
    )
    record = uow.db.conversions[lead.id]
    assert (record.account_created, record.contact_created) == (False, False)
    assert [link.account_id for link in uow.db.contacts[person.id].accounts] == [known.id]
    assert done.contact is not None
    assert uow.published(published_accounts.AccountCreated) == []
    [linked] = uow.published(published_accounts.ContactUpdatedV2)
    assert linked.contact_id == person.id


async def test_a_converted_lead_is_converted_once_and_read_only():
    uow = FakeLeadsUnitOfWork()
    lead = await new_lead(uow, "Remington Rand", "grace@remington.com")
    await execute(uow, SALES, conversion.convert_lead, lead_id=lead.id)
    with pytest.raises(Conflict, match="already converted"):
        await execute(uow, SALES, conversion.convert_lead, lead_id=lead.id)
    with pytest.raises(Conflict, match="read-only"):
        await execute(
            uow, SALES, use_cases.update_lead, lead_id=lead.id, changes={"score": 3}, expected_version=None
        )
    assert len(uow.published(published.LeadConverted)) == 1
