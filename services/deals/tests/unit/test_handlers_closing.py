"""Win, lose (with potential) and reopen through the bus on the fake unit of work: who may, the deal as
saved, and the events its subscribers get."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from crm_deals.domain.model import DealStatus
from crm_deals.service_layer import closing, use_cases
from crm_shared.errors import Conflict, Forbidden, InvalidInput, PreconditionFailed
from crm_shared.events import deals as published
from services.deals.tests.unit.fakes import (
    CSM,
    SALES,
    FakeDealsUnitOfWork,
    bus,
    pipeline,
    seed_closed,
    seed_deal,
    stage,
)

LATER = datetime.now(UTC).date() + timedelta(days=90)


async def win(uow: FakeDealsUnitOfWork, deal_id: uuid.UUID, actor=SALES, version=None) -> None:
    await bus(uow, actor).execute(use_cases.win_deal, deal_id=deal_id, expected_version=version)


async def lose(uow: FakeDealsUnitOfWork, deal_id: uuid.UUID, reason="budget", potential=None):
    return await bus(uow, SALES).execute(
        use_cases.lose_deal, deal_id=deal_id, reason=reason, potential=potential, expected_version=None
    )


async def test_sales_wins_a_deal_and_tells_subscribers_the_accounts_csm():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    account = uuid.uuid4()
    await uow.accounts.save(account, csm_id="csm-3", customer="current")
    deal = seed_deal(uow, p, at="Negotiation", account_id=account)
    await win(uow, deal.id, version=1)
    saved = uow.deal(deal.id)
    assert (saved.status, saved.stage_id, saved.probability) == (DealStatus.WON, stage(p, "Won").id, 100)
    assert saved.closed_at == saved.updated_at
    [won] = uow.published(published.DealWon)
    assert (won.deal_id, won.csm_id, won.won_by, won.cause, won.from_stage_name) == (
        deal.id,
        "csm-3",
        "sales-1",
        "manual",
        "Negotiation",
    )
    assert [s.stage_kind for s in await uow.stage_periods.of_deal(deal.id)] == ["won"]
    assert uow.published(published.DealReviewSuggested) == []  # a customer's account: nothing to review


async def test_only_sales_wins_a_deal_once_and_at_the_version_read():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p, owner_id="csm-1")
    with pytest.raises(Forbidden):
        await win(uow, deal.id, actor=CSM)  # even its owner
    with pytest.raises(PreconditionFailed):
        await win(uow, deal.id, version=2)
    assert (uow.deal(deal.id).status, uow.outbox) == (DealStatus.OPEN, [])
    await win(uow, deal.id)
    with pytest.raises(Conflict) as again:
        await win(uow, deal.id)
    assert again.value.code == "deal_closed"
    assert len(uow.published(published.DealWon)) == 1


async def test_a_lost_deal_keeps_its_reason_and_needs_one():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p)
    with pytest.raises(InvalidInput):
        await lose(uow, deal.id, reason="  ")
    _, follow_up = await lose(uow, deal.id, reason=" Budget gelé ")
    saved = uow.deal(deal.id)
    assert (saved.status, saved.lost_reason, follow_up) == (DealStatus.LOST, "Budget gelé", None)
    [lost] = uow.published(published.DealLost)
    assert (lost.reason, lost.lost_by, lost.to_stage_name, lost.follow_up_deal_id) == (
        "Budget gelé",
        "sales-1",
        "Lost",
        None,
    )


async def test_a_loss_with_potential_opens_a_linked_follow_up_in_cold_leads():
    sales, cold = pipeline(), pipeline("COLD LEADS", is_cold_leads_pipeline=True)
    uow = FakeDealsUnitOfWork(sales, cold)
    deal = seed_deal(uow, sales, owner_id="alice", team="a", tags=("vip",))
    _, follow_up = await lose(
        uow, deal.id, potential=closing.Potential(recontact_on=LATER, amount_minor=3000)
    )
    saved = uow.deal(follow_up.id)
    assert (saved.pipeline_id, saved.follow_up_of, saved.recontact_on, saved.expected_close_date) == (
        cold.id,
        deal.id,
        LATER,
        LATER,
    )
    assert (saved.title, saved.amount_minor, saved.owner_id, saved.team, saved.tags) == (
        "Site",
        3000,
        "alice",
        "a",
        ("vip",),
    )
    assert (uow.deal(deal.id).status, uow.deal(deal.id).recontact_on) == (DealStatus.LOST, LATER)
    [lost] = uow.published(published.DealLost)
    assert (lost.follow_up_deal_id, lost.recontact_on) == (follow_up.id, LATER)
    [opened] = uow.published(published.DealCreated)
    assert (opened.deal_id, opened.follow_up_of, opened.pipeline_name) == (
        follow_up.id,
        deal.id,
        "COLD LEADS",
    )


@pytest.mark.parametrize(
    ("potential", "field"),
    [
        (closing.Potential(recontact_on=date(2020, 1, 1)), "potential.recontact_on"),
        (closing.Potential(recontact_on=LATER, owner_id="ghost"), "potential.owner_id"),
    ],
)
async def test_a_bad_potential_is_refused_on_its_field_and_nothing_changes(potential, field):
    sales, cold = pipeline(), pipeline("COLD LEADS", is_cold_leads_pipeline=True)
    uow = FakeDealsUnitOfWork(sales, cold)
    deal = seed_deal(uow, sales)
    with pytest.raises(InvalidInput) as refused:
        await lose(uow, deal.id, potential=potential)
    assert refused.value.extra["errors"][0]["field"] == field
    assert (uow.deal(deal.id).status, len(uow.deals.rows), uow.outbox) == (DealStatus.OPEN, 1, [])


async def test_without_a_cold_leads_pipeline_a_loss_with_potential_is_a_conflict():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p)
    with pytest.raises(Conflict) as refused:
        await lose(uow, deal.id, potential=closing.Potential(recontact_on=LATER))
    assert refused.value.code == "no_cold_leads_pipeline"
    assert (uow.deal(deal.id).status, uow.outbox) == (DealStatus.OPEN, [])


async def test_reopening_puts_a_closed_deal_back_in_an_open_stage():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    won, lost = seed_closed(uow, p, won=True), seed_closed(uow, p, won=False)
    reopen = bus(uow, SALES).execute
    await reopen(use_cases.reopen_deal, deal_id=won.id)
    await reopen(use_cases.reopen_deal, deal_id=lost.id, stage_id=stage(p, "Negotiation").id)
    first, second = uow.deal(won.id), uow.deal(lost.id)
    assert (first.status, first.stage_id, first.closed_at) == (
        DealStatus.OPEN,
        stage(p, "À contacter").id,
        None,
    )
    assert (second.stage_id, second.probability, second.lost_reason) == (stage(p, "Negotiation").id, 80, None)
    reopened = uow.published(published.DealReopened)
    assert [(r.deal_id, r.from_status) for r in reopened] == [(won.id, "won"), (lost.id, "lost")]
    with pytest.raises(Conflict) as already:
        await reopen(use_cases.reopen_deal, deal_id=won.id)
    assert already.value.code == "deal_open"
