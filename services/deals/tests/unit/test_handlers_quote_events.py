"""QuoteSent moves a deal to its pipeline's proposal stage; OrderConfirmed / QuoteAccepted win it."""

import uuid
from datetime import UTC, datetime

from crm_deals.domain import events
from crm_deals.domain.model import DealStatus
from crm_shared.events import deals as published
from crm_shared.events.accounts import AccountCreated, Lifecycle, LifecycleStatusChanged
from crm_shared.events.quotes import OrderConfirmed, QuoteAccepted, QuoteSent
from services.deals.tests.unit.fakes import (
    FakeDealsUnitOfWork,
    deliver,
    envelope,
    pipeline,
    seed_closed,
    seed_deal,
    stage,
)

NOW = datetime.now(UTC)


def quote_sent(deal_id: uuid.UUID | None, by: str = "csm-7") -> QuoteSent:
    return QuoteSent(
        quote_id=uuid.uuid4(), deal_id=deal_id, amount_minor=1000, currency="EUR", sent_by=by, sent_at=NOW
    )


def order_confirmed(deal_id: uuid.UUID | None, by: str = "sales-9") -> OrderConfirmed:
    return OrderConfirmed(
        order_id=uuid.uuid4(),
        deal_id=deal_id,
        amount_minor=1000,
        currency="EUR",
        confirmed_by=by,
        confirmed_at=NOW,
    )


async def test_a_sent_quote_moves_the_deal_to_the_proposal_stage_and_redates_its_title():
    p = pipeline(title_date_prefix=True)
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p, title="2020/01/02 Refonte du site")
    await deliver(uow, quote_sent(deal.id, by="csm-7"))
    saved = uow.deal(deal.id)
    assert (saved.stage_id, saved.probability, saved.version) == (stage(p, "Offer send").id, 50, 2)
    assert saved.title == f"{datetime.now(UTC):%Y/%m/%d} Refonte du site"
    [moved] = uow.raised(events.DealStageChanged)
    assert (moved.cause, moved.changed_by, moved.from_stage_name) == ("quote_sent", "csm-7", "À contacter")
    [out] = uow.published(published.DealStageChanged)
    assert (out.deal_id, out.to_stage_name, out.cause) == (deal.id, "Offer send", "quote_sent")
    [retitled] = uow.published(published.DealUpdatedV2)
    assert retitled.changes.title is not None
    assert retitled.changes.title.before == "2020/01/02 Refonte du site"
    [period] = await uow.stage_periods.of_deal(deal.id)
    assert (period.stage_name, period.entered_by, period.left_at) == ("Offer send", "csm-7", None)


async def test_the_same_quote_sent_twice_moves_the_deal_once():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p)
    event = quote_sent(deal.id)
    sent = envelope(event)
    assert await deliver(uow, event, sent)
    assert not await deliver(uow, event, sent)  # a redelivery: the inbox refuses it
    assert await deliver(uow, event.model_copy())  # another event id: the deal's stage decides
    assert len(uow.published(published.DealStageChanged)) == 1
    assert uow.deal(deal.id).version == 2


async def test_a_sent_quote_never_drags_a_deal_back_nor_moves_a_closed_one():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    ahead = seed_deal(uow, p, at="Negotiation")
    lost = seed_closed(uow, p, won=False)
    await deliver(uow, quote_sent(ahead.id))
    await deliver(uow, quote_sent(lost.id))
    assert uow.deal(ahead.id).stage_id == stage(p, "Negotiation").id
    assert uow.deal(lost.id).status is DealStatus.LOST
    assert (uow.outbox, uow.commits) == ([], 2)


async def test_without_a_proposal_stage_or_a_known_deal_a_sent_quote_changes_nothing():
    p = pipeline(with_proposal=False)
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p)
    await deliver(uow, quote_sent(deal.id))
    await deliver(uow, quote_sent(None))
    assert await deliver(uow, quote_sent(uuid.uuid4()))  # not a deal of ours: applied as a no-op
    assert uow.deal(deal.id).stage_id == stage(p, "À contacter").id
    assert uow.outbox == []


async def test_a_confirmed_order_wins_the_deal_as_the_confirming_user_once():
    p = pipeline(win_when_order_confirmed=True)
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p)
    event = order_confirmed(deal.id, by="sales-9")
    await deliver(uow, event)
    await deliver(uow, event.model_copy())  # the same order, another event id
    assert uow.deal(deal.id).status is DealStatus.WON
    [won] = uow.published(published.DealWon)
    assert (won.deal_id, won.cause, won.won_by, won.to_stage_name) == (
        deal.id,
        "order_confirmed",
        "sales-9",
        "Won",
    )


async def test_an_accepted_quote_wins_with_its_own_cause():
    p = pipeline(win_when_order_confirmed=True)
    uow = FakeDealsUnitOfWork(p)
    deal = seed_deal(uow, p)
    event = QuoteAccepted(
        quote_id=uuid.uuid4(),
        deal_id=deal.id,
        amount_minor=1,
        currency="EUR",
        accepted_by="csm-2",
        accepted_at=NOW,
    )
    await deliver(uow, event)
    [won] = uow.published(published.DealWon)
    assert (won.cause, won.won_by) == ("quote_accepted", "csm-2")


async def test_orders_win_nothing_where_the_pipeline_says_no_or_the_deal_is_lost_or_unknown():
    manual, auto = pipeline(), pipeline("AUTO", win_when_order_confirmed=True)
    uow = FakeDealsUnitOfWork(manual, auto)
    kept_open = seed_deal(uow, manual)
    lost = seed_closed(uow, auto, won=False)
    for deal_id in (kept_open.id, lost.id, uuid.uuid4(), None):
        await deliver(uow, order_confirmed(deal_id))
    assert (uow.deal(kept_open.id).status, uow.deal(lost.id).status) == (DealStatus.OPEN, DealStatus.LOST)
    assert uow.outbox == []


async def test_winning_a_prospects_deal_flags_its_other_open_deals_until_it_is_a_customer():
    p = pipeline(win_when_order_confirmed=True)
    uow = FakeDealsUnitOfWork(p)
    account = uuid.uuid4()
    await deliver(uow, AccountCreated(account_id=account, name="Acme", owner_id="sales-1", csm_id="csm-3"))
    first, other, third = [seed_deal(uow, p, account_id=account, owner_id=o) for o in ("s1", "s2", "s3")]
    await deliver(uow, order_confirmed(first.id))
    [won] = uow.published(published.DealWon)
    flagged = uow.published(published.DealReviewSuggested)
    assert won.csm_id == "csm-3"
    assert [(f.deal_id, f.owner_id) for f in flagged] == [(other.id, "s2"), (third.id, "s3")]
    assert {(f.won_deal_id, f.reason) for f in flagged} == {(first.id, "account_won_while_prospect")}
    assert uow.deal(other.id).needs_review
    assert uow.deal(third.id).needs_review

    uow.outbox.clear()
    customer = LifecycleStatusChanged(
        record_type="account",
        record_id=account,
        before=Lifecycle(prospect="current", customer="none"),
        after=Lifecycle(prospect="none", customer="current"),
        changed_by="system",
        changed_at=NOW,
    )
    await deliver(uow, customer)
    await deliver(uow, order_confirmed(other.id))
    assert [w.deal_id for w in uow.published(published.DealWon)] == [other.id]
    assert uow.published(published.DealReviewSuggested) == []
