"""ContractRenewalDue opens one renewal deal per contract and period, owned by the account's CSM."""

import uuid
from datetime import UTC, date, datetime

import pytest

from crm_deals.adapters.directories import KnownUser
from crm_deals.domain.model import DealStatus, Pipeline
from crm_deals.entrypoints.consumers import HANDLERS
from crm_shared.events import deals as published
from crm_shared.events import topic_of
from crm_shared.events.quotes import ContractRenewalDue
from crm_shared.messaging.consumer import PoisonMessage
from services.deals.tests.unit.fakes import FakeDealsUnitOfWork, deliver, pipeline, seed_deal

START, END = date(2027, 1, 1), date(2027, 12, 31)


def renewal_due(contract_id: uuid.UUID | None = None, **values) -> ContractRenewalDue:
    fields = {
        "contract_id": contract_id or uuid.uuid4(),
        "title": "Maintenance site",
        "end_date": date(2026, 12, 31),
        "renewal_start": START,
        "renewal_end": END,
        "budget_minor": 1_200_000,
        "currency": "EUR",
        "owner_id": "sales-1",
    }
    return ContractRenewalDue(**fields | values)


def renewals_and_sales() -> tuple[FakeDealsUnitOfWork, Pipeline, Pipeline]:
    renewals, sales = pipeline("CLIENTS SQUAD - CSM", is_renewal_pipeline=True), pipeline()
    renewals.team = "csm"
    known = [KnownUser("csm-4", "csm-east", ("csm",), True)]
    return FakeDealsUnitOfWork(renewals, sales, users=known), renewals, sales


async def test_a_renewal_deal_opens_in_the_renewal_pipeline_for_the_accounts_csm():
    uow, renewals, sales = renewals_and_sales()
    account, contact, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await uow.accounts.save(account, csm_id="csm-4")
    source = seed_deal(uow, sales, account_id=account, contact_id=contact, contact_ids=(other,))
    event = renewal_due(deal_id=source.id, account_id=account, csm_id="csm-from-quotes")
    await deliver(uow, event)
    [created] = uow.published(published.DealCreated)
    deal = uow.deal(created.deal_id)
    assert (deal.pipeline_id, deal.status, deal.owner_id, deal.team) == (
        renewals.id,
        DealStatus.OPEN,
        "csm-4",
        "csm-east",
    )
    assert deal.title == "Maintenance site (2027-01-01 → 2027-12-31)"
    assert (deal.amount_minor, deal.currency, deal.expected_close_date) == (
        1_200_000,
        "EUR",
        date(2026, 12, 31),
    )
    assert (deal.renewal_of_contract, deal.renewal_start) == (event.contract_id, START)
    assert (deal.account_id, deal.contact_id, deal.contact_ids) == (account, contact, (other,))
    assert (created.renewal_of_contract, created.created_by) == (event.contract_id, "system")
    assert (created.pipeline_name, created.owner_id) == ("CLIENTS SQUAD - CSM", "csm-4")


async def test_the_same_renewal_due_twice_opens_one_deal_and_the_next_period_another():
    uow, *_ = renewals_and_sales()
    contract = uuid.uuid4()
    await deliver(uow, renewal_due(contract))
    await deliver(uow, renewal_due(contract))  # another event id, same contract and period
    await deliver(uow, renewal_due(contract, renewal_start=date(2028, 1, 1), renewal_end=date(2028, 12, 31)))
    assert sorted(d.renewal_start for d in uow.deals.rows.values()) == [START, date(2028, 1, 1)]
    assert len(uow.published(published.DealCreated)) == 2


@pytest.mark.parametrize(
    ("known_csm", "event_csm", "owner"),
    [(None, "csm-q", "csm-q"), (None, None, "sales-1"), ("csm-4", None, "csm-4")],
)
async def test_the_owner_is_the_known_csm_else_the_contracts_csm_else_its_owner(known_csm, event_csm, owner):
    uow, *_ = renewals_and_sales()
    account = uuid.uuid4()
    await uow.accounts.save(account, csm_id=known_csm)
    await deliver(uow, renewal_due(account_id=account, csm_id=event_csm))
    [deal] = uow.deals.rows.values()
    assert deal.owner_id == owner


async def test_a_dated_pipeline_dates_the_title_today_and_long_titles_keep_the_period():
    renewals = pipeline("RENEWALS", is_renewal_pipeline=True, title_date_prefix=True)
    uow = FakeDealsUnitOfWork(renewals)
    await deliver(uow, renewal_due(title="2024/05/06 " + "x" * 300))
    await deliver(uow, renewal_due(title="y" * 250))
    deal, undated = uow.deals.rows.values()
    assert undated.title.startswith(f"{datetime.now(UTC):%Y/%m/%d} yyy")
    assert undated.title.endswith(" (2027-01-01 → 2027-12-31)")
    assert deal.title.startswith(f"{datetime.now(UTC):%Y/%m/%d} xxx")
    assert deal.title.endswith(" (2027-01-01 → 2027-12-31)")
    assert len(deal.title) <= 255


async def test_without_a_renewal_pipeline_the_event_is_refused_for_the_dead_letter_topic():
    archived = pipeline("ARCHIVED RENEWALS", is_renewal_pipeline=True)
    archived.archived = True
    uow = FakeDealsUnitOfWork(pipeline(), archived)
    with pytest.raises(PoisonMessage, match=r"no pipeline takes renewals.*replay"):
        await deliver(uow, renewal_due())
    assert (uow.deals.rows, uow.outbox, uow.commits) == ({}, [], 0)


def test_every_consumed_event_has_a_handler_on_the_quotes_and_leads_topics():
    names = {cls.__name__ for cls in HANDLERS}
    assert names == {
        "LeadConverted",
        "QuoteSent",
        "QuoteAccepted",
        "OrderConfirmed",
        "ContractRenewalDue",
        "AccountCreated",
        "AccountUpdatedV2",
        "LifecycleStatusChanged",
        "AccountsMerged",
        "ContactsMerged",
    }
    assert {topic_of(cls.event_type) for cls in HANDLERS} == {"crm.leads.events", "crm.quotes.events"}
