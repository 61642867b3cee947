"""Accounts, contacts and their lifecycle on the in-memory unit of work: deal events make prospects and
customers whatever their order, and a state set by hand holds only where the deals allow it."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.lifecycle import CustomerState, ProspectState
from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.duplicates.merge import mark_merged
from crm_leads.service_layer.accounts import lifecycle
from crm_leads.service_layer.accounts import use_cases as accounts
from crm_shared.errors import Conflict, InvalidInput
from crm_shared.events import Envelope
from crm_shared.events import accounts as published
from crm_shared.events.deals import DealCreated, DealWon
from crm_shared.ids import new_id
from services.leads.tests.unit.fakes import CSM, SALES, FakeLeadsUnitOfWork, execute, field_of

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


async def deal_event(uow: FakeLeadsUnitOfWork, event: DealCreated | DealWon, at: datetime) -> None:
    """As the consumer applies one: the handler in a transaction it commits."""
    handler = lifecycle.on_deal_created if isinstance(event, DealCreated) else lifecycle.on_deal_won
    envelope = Envelope(type=event.event_type, source="/crm/deals", subject=str(event.deal_id), time=at)
    async with uow:
        await handler(event, uow=uow, envelope=envelope)
        await uow.commit()


def created(deal: UUID, contact: UUID | None, account: UUID | None = None) -> DealCreated:
    return DealCreated(
        deal_id=deal,
        title="Compilers",
        amount_minor=100,
        currency="EUR",
        pipeline_id=new_id(),
        stage_id=new_id(),
        owner_id="sales-1",
        contact_id=contact,
        account_id=account,
    )


def won(deal: UUID, contact: UUID | None, at: datetime) -> DealWon:
    return DealWon(
        deal_id=deal,
        title="Compilers",
        amount_minor=100,
        currency="EUR",
        owner_id="sales-1",
        from_stage=new_id(),
        to_stage=new_id(),
        won_at=at,
        won_by="sales-1",
        contact_id=contact,
    )


async def people(uow: FakeLeadsUnitOfWork) -> tuple[UUID, UUID]:
    account = await execute(uow, SALES, accounts.create_account, data={"name": "Navy"})
    contact = await execute(
        uow,
        SALES,
        accounts.create_contact,
        data={"last_name": "Hopper", "accounts": (AccountLink(account.id),)},
    )
    return account.id, contact.id


async def test_a_deal_of_a_contact_makes_it_and_its_account_prospects_then_customers():
    uow = FakeLeadsUnitOfWork()
    account, contact = await people(uow)
    deal = new_id()
    await deal_event(uow, created(deal, contact), T0)
    states = (uow.db.contacts[contact].prospect_state, uow.db.accounts[account].prospect_state)
    assert states == (ProspectState.CURRENT, ProspectState.CURRENT)
    assert uow.db.deal_facts[deal].account_id == account  # the contact's account counts the deal
    await deal_event(uow, won(deal, contact, T0 + timedelta(days=3)), T0 + timedelta(days=3))
    assert uow.db.accounts[account].customer_state == CustomerState.CURRENT
    changes = [
        (e.record_type, e.after.prospect, e.after.customer)
        for e in uow.published(published.LifecycleStatusChanged)
    ]
    assert changes == [
        ("contact", "current", "none"),
        ("account", "current", "none"),
        ("contact", "none", "current"),
        ("account", "none", "current"),
    ]


async def test_a_late_delivery_of_an_older_deal_event_changes_nothing():
    uow = FakeLeadsUnitOfWork()
    _, contact = await people(uow)
    deal = new_id()
    await deal_event(uow, won(deal, contact, T0 + timedelta(days=3)), T0 + timedelta(days=3))
    published_before = len(uow.outbox)
    await deal_event(uow, created(deal, contact), T0)
    assert uow.db.contacts[contact].customer_state == CustomerState.CURRENT
    assert len(uow.outbox) == published_before


async def test_a_deal_naming_a_merged_contact_counts_for_its_survivor():
    uow = FakeLeadsUnitOfWork()
    _, survivor = await people(uow)
    merged = Contact.create(last_name="Hopper")
    mark_merged("contact", merged, into=survivor, at=T0)
    uow.db.contacts[merged.id] = merged
    await deal_event(uow, created(new_id(), merged.id), T0)
    assert uow.db.contacts[survivor].prospect_state == ProspectState.CURRENT
    assert uow.db.contacts[merged.id].prospect_state == ProspectState.NONE


async def test_a_state_set_by_hand_is_refused_where_the_deals_contradict_it():
    uow = FakeLeadsUnitOfWork()
    account, contact = await people(uow)
    await deal_event(uow, created(new_id(), contact), T0)
    with pytest.raises(Conflict, match="open deal"):
        await execute(
            uow,
            CSM,
            lifecycle.set_lifecycle,
            kind=Account,
            ident=account,
            prospect=ProspectState.LOST,
            customer=None,
            expected_version=None,
        )
    changed = await execute(
        uow,
        CSM,
        lifecycle.set_lifecycle,
        kind=Account,
        ident=account,
        prospect=None,
        customer=CustomerState.FORMER,
        expected_version=None,
    )
    assert (changed.prospect_state, changed.customer_state) == (ProspectState.CURRENT, CustomerState.FORMER)
    assert uow.db.accounts[account].customer_override == CustomerState.FORMER


async def test_accounts_are_numbered_and_contacts_link_only_known_accounts():
    uow = FakeLeadsUnitOfWork()
    first, second = [await execute(uow, SALES, accounts.create_account, data={"name": n}) for n in ("A", "B")]
    assert (first.reference_number, second.reference_number) == (1000, 1001)
    with pytest.raises(InvalidInput) as refused:
        await execute(
            uow,
            SALES,
            accounts.create_contact,
            data={"last_name": "Hopper", "accounts": (AccountLink(new_id()),)},
        )
    assert (field_of(refused.value), len(uow.db.contacts)) == ("accounts", 0)
    [opened, _] = uow.published(published.AccountCreated)
    assert (opened.reference_number, opened.owner_id) == (1000, "sales-1")
