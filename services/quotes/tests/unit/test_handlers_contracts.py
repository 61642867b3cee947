"""The quotes handlers on the fake unit of work: a won deal sets up its one contract (what ContractCreated
tells the notifier, which keeps the renewal reminder), a refused one is dead-lettered, readers read."""

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from crm_quotes.domain.model import ContractStatus
from crm_quotes.service_layer import use_cases
from crm_shared.auth import Role
from crm_shared.errors import Forbidden, NotFound
from crm_shared.events.quotes import ContractCreated
from crm_shared.messaging.consumer import PoisonMessage
from services.quotes.tests.unit.fakes import (
    FakeQuotesUnitOfWork,
    bus,
    deal_won,
    deliver,
    envelope,
    principal,
)

READERS = [principal(f"{r}-1", r) for r in (Role.SALES, Role.CSM, Role.SUPPORT, Role.ADMIN)]


async def test_a_won_deal_sets_up_a_years_contract_and_tells_subscribers():
    uow = FakeQuotesUnitOfWork()
    event = deal_won(title="  Analytical engine ", won_at=datetime(2024, 2, 29, 12, tzinfo=UTC))
    await deliver(uow, event)
    [contract] = uow.contracts.rows.values()
    assert (contract.deal_id, contract.account_id, contract.title) == (
        event.deal_id,
        event.account_id,
        "Analytical engine",
    )
    assert (contract.start_date, contract.end_date) == (date(2024, 2, 29), date(2025, 2, 28))
    assert (contract.budget_minor, contract.currency, contract.owner_id, contract.csm_id) == (
        1_200_000,
        "EUR",
        "sales-1",
        "csm-1",
    )
    assert contract.status is ContractStatus.ACTIVE
    [created] = uow.published(ContractCreated)
    assert created == ContractCreated(
        contract_id=contract.id,
        deal_id=event.deal_id,
        account_id=event.account_id,
        title="Analytical engine",
        start_date=date(2024, 2, 29),
        end_date=date(2025, 2, 28),
        budget_minor=1_200_000,
        currency="EUR",
        owner_id="sales-1",
        csm_id="csm-1",
    )


async def test_the_term_starts_on_the_utc_day_of_the_win():
    uow = FakeQuotesUnitOfWork()
    new_year_in_paris = datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    await deliver(uow, deal_won(won_at=new_year_in_paris))  # still 2025 in UTC
    [contract] = uow.contracts.rows.values()
    assert (contract.start_date, contract.end_date) == (date(2025, 12, 31), date(2026, 12, 31))


async def test_a_deal_has_one_contract_however_often_it_is_won():
    uow = FakeQuotesUnitOfWork()
    event = deal_won()
    sent = envelope(event)
    assert await deliver(uow, event, sent)
    assert not await deliver(uow, event, sent)  # redelivered: the inbox refuses it
    assert await deliver(uow, deal_won(event.deal_id, amount_minor=5))  # won again after a reopening
    [contract] = uow.contracts.rows.values()
    assert contract.budget_minor == 1_200_000
    assert len(uow.published(ContractCreated)) == 1
    assert uow.commits == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"currency": "euro"}, "currency"), ({"title": "   "}, "title"), ({"owner_id": " "}, "owner_id")],
)
async def test_a_won_deal_no_contract_can_take_is_refused_for_the_dead_letters(overrides, field):
    uow = FakeQuotesUnitOfWork()
    with pytest.raises(PoisonMessage, match=field):
        await deliver(uow, deal_won(**overrides))
    assert (uow.contracts.rows, uow.outbox, uow.commits) == ({}, [], 0)


@pytest.mark.parametrize("reader", READERS, ids=lambda p: p.user_id)
async def test_every_role_of_the_crm_reads_contracts(reader):
    uow = FakeQuotesUnitOfWork()
    event = deal_won()
    await deliver(uow, event)
    [contract] = uow.contracts.rows.values()
    found = await bus(uow, reader).read(use_cases.get_contract, contract_id=contract.id)
    assert (found.id, found.deal_id) == (contract.id, event.deal_id)
    assert uow.commits == 1  # a read commits nothing


async def test_a_caller_without_a_crm_role_reads_nothing_and_an_unknown_contract_is_not_found():
    uow = FakeQuotesUnitOfWork()
    await deliver(uow, deal_won())
    [contract] = uow.contracts.rows.values()
    outsider = principal("guest")
    with pytest.raises(Forbidden):
        await bus(uow, outsider).read(use_cases.get_contract, contract_id=contract.id)
    with pytest.raises(Forbidden):
        await bus(uow, outsider).read(
            use_cases.list_contracts, deal_id=None, account_id=None, owner_id=None, after=None, limit=10
        )
    with pytest.raises(NotFound):
        await bus(uow, READERS[0]).read(use_cases.get_contract, contract_id=uuid4())


async def test_contracts_are_listed_newest_first_by_deal_account_or_owner_a_page_at_a_time():
    uow = FakeQuotesUnitOfWork()
    account = uuid4()
    for owner in ("sales-1", "sales-2", "sales-1"):
        await deliver(uow, deal_won(account_id=account, owner_id=owner))
    await deliver(uow, deal_won(owner_id="sales-1"))  # another account
    oldest, middle, newest, elsewhere = uow.contracts.rows.values()
    read = bus(uow, READERS[1]).read

    async def listed(**filters):
        query = {"deal_id": None, "account_id": None, "owner_id": None, "after": None, "limit": 10} | filters
        return [c.id for c in await read(use_cases.list_contracts, **query)]

    assert await listed(account_id=account) == [newest.id, middle.id, oldest.id]
    assert await listed(account_id=account, owner_id="sales-1") == [newest.id, oldest.id]
    assert await listed(deal_id=middle.deal_id) == [middle.id]
    assert await listed(limit=2) == [elsewhere.id, newest.id]
    assert await listed(after=newest.id, limit=2) == [middle.id, oldest.id]
