"""Duplicate checks and merges on the in-memory unit of work: the warnings on create, the survivor's
values, and everything that named a merged record re-pointed at its survivor."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lifecycle import CustomerState, DealRecord, DealState
from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.duplicates.matching import MatchField
from crm_leads.domain.duplicates.merge import MergedRecord
from crm_leads.domain.model import Lead
from crm_leads.domain.workflows.conversion import ConversionRecord
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.duplicates import checks, merges
from crm_leads.service_layer.duplicates.merges import MergeRequest
from crm_shared.errors import Conflict
from crm_shared.events import accounts as published_accounts
from crm_shared.events import leads as published
from crm_shared.ids import new_id
from services.leads.tests.unit.fakes import SALES, FakeLeadsUnitOfWork, execute

NOW = datetime(2026, 3, 1, tzinfo=UTC)


async def new_lead(uow: FakeLeadsUnitOfWork, last_name: str, email: str, **details: object) -> Lead:
    data = use_cases.NewLead(last_name=last_name, email=email, details=dict(details))
    checked = await execute(uow, SALES, checks.create_lead, data=data)
    lead: Lead = checked.record
    return lead


def seeded(uow: FakeLeadsUnitOfWork, record: Account | Contact) -> UUID:
    rows = uow.db.accounts if isinstance(record, Account) else uow.db.contacts
    record.pull_events()
    rows[record.id] = record
    return record.id


async def test_a_new_lead_with_a_known_address_is_created_with_a_warning():
    uow = FakeLeadsUnitOfWork()
    known = await new_lead(uow, "Hopper", "grace@navy.mil", first_name="Grace")
    data = use_cases.NewLead(last_name="Murray", email="GRACE@navy.mil")
    checked = await execute(uow, SALES, checks.create_lead, data=data)
    [warning] = checked.duplicates
    assert (warning.id, warning.label, warning.score) == (known.id, "Grace Hopper", 100.0)
    assert warning.reasons[MatchField.EMAIL] == 100.0
    assert len(uow.db.leads) == 2


async def test_merged_leads_give_the_survivor_their_values_and_their_submissions():
    uow = FakeLeadsUnitOfWork()
    survivor = await new_lead(uow, "Hopper", "grace@navy.mil")
    other = await new_lead(uow, "Murray Hopper", "g@yale.edu", company_name="Yale", do_not_call=True)
    uow.db.submissions.append({"id": new_id(), "lead_id": other.id, "outcome": "created"})
    request = MergeRequest(survivor.id, (other.id,), {"last_name": other.id})
    await execute(uow, SALES, merges.merge_leads, request=request)
    kept, merged = uow.db.leads[survivor.id], uow.db.leads[other.id]
    assert (kept.last_name, kept.company_name, kept.do_not_call) == ("Murray Hopper", "Yale", True)
    assert [(e.address, e.primary) for e in kept.emails] == [("grace@navy.mil", True), ("g@yale.edu", False)]
    assert (merged.merged_into, uow.db.submissions[0]["lead_id"]) == (survivor.id, survivor.id)
    [event] = uow.published(published.LeadsMerged)
    assert (event.survivor_id, event.merged_ids, event.merged_by) == (survivor.id, [other.id], "sales-1")
    with pytest.raises(MergedRecord):
        await execute(
            uow, SALES, use_cases.update_lead, lead_id=other.id, changes={"score": 2}, expected_version=None
        )


async def test_a_converted_lead_is_neither_merged_nor_merged_into():
    uow = FakeLeadsUnitOfWork()
    survivor = await new_lead(uow, "Hopper", "grace@navy.mil")
    converted = await new_lead(uow, "Hopper", "grace@yale.edu")
    uow.db.leads[converted.id].status = "converted"
    with pytest.raises(Conflict, match="converted"):
        await execute(uow, SALES, merges.merge_leads, request=MergeRequest(survivor.id, (converted.id,), {}))
    assert uow.db.leads[converted.id].merged_into is None


async def test_merged_contacts_move_leads_conversions_deals_and_links_to_the_survivor():
    uow = FakeLeadsUnitOfWork()
    account = seeded(uow, Account.create(name="Navy"))
    survivor = seeded(uow, Contact.create(last_name="Hopper", emails=["grace@navy.mil"]))
    other = seeded(uow, Contact.create(last_name="Hopper", accounts=[AccountLink(account, "admiral")]))
    lead = await new_lead(uow, "Hopper", "grace@navy.mil")
    uow.db.leads[lead.id].contact_id = other
    uow.db.conversions[lead.id] = ConversionRecord(
        lead.id, account, False, other, False, None, "sales-1", NOW
    )
    deal = new_id()
    uow.db.deal_facts[deal] = DealRecord(deal, DealState.WON, other, account, NOW)
    await execute(uow, SALES, merges.merge_contacts, request=MergeRequest(survivor, (other,), {}))
    kept = uow.db.contacts[survivor]
    assert (kept.accounts, kept.customer_state) == ((AccountLink(account, "admiral"),), CustomerState.CURRENT)
    assert (uow.db.contacts[other].merged_into, uow.db.contacts[other].accounts) == (survivor, ())
    assert uow.db.leads[lead.id].contact_id == survivor
    assert uow.db.conversions[lead.id].contact_id == survivor
    assert uow.db.deal_facts[deal].contact_id == survivor
    assert [e.survivor_id for e in uow.published(published_accounts.ContactsMerged)] == [survivor]
    [lifecycle] = uow.published(published_accounts.LifecycleStatusChanged)
    assert (lifecycle.record_id, lifecycle.after.customer) == (survivor, "current")


async def test_merged_accounts_hand_their_contacts_and_leads_to_the_survivor():
    uow = FakeLeadsUnitOfWork()
    survivor = seeded(uow, Account.create(name="Navy", tags=("gov",)))
    other = seeded(uow, Account.create(name="US Navy", tags=("defence",)))
    both = seeded(
        uow, Contact.create(last_name="Hopper", accounts=[AccountLink(other, "cto"), AccountLink(survivor)])
    )
    only_other = seeded(uow, Contact.create(last_name="Murray", accounts=[AccountLink(other)]))
    lead = await new_lead(uow, "Hopper", "grace@navy.mil")
    uow.db.leads[lead.id].account_id = other
    await execute(uow, SALES, merges.merge_accounts, request=MergeRequest(survivor, (other,), {}))
    assert uow.db.accounts[survivor].tags == ("gov", "defence")
    assert uow.db.accounts[other].merged_into == survivor
    assert uow.db.contacts[both].accounts == (AccountLink(survivor, "cto"),)  # one link per account
    assert uow.db.contacts[only_other].accounts == (AccountLink(survivor),)
    assert uow.db.leads[lead.id].account_id == survivor
    [event] = uow.published(published_accounts.AccountsMerged)
    assert (event.survivor_id, event.merged_ids) == (survivor, [other])
