"""QuoteSent moves a deal to its pipeline's proposal stage; OrderConfirmed / QuoteAccepted win it."""

import uuid
from datetime import UTC, datetime

from crm_deals.domain import events
from crm_deals.domain.model import DealStatus
from crm_deals.service_layer import automation, directory_events
from crm_shared.events.accounts import AccountCreated, Lifecycle, LifecycleStatusChanged
from crm_shared.events.quotes import OrderConfirmed, QuoteAccepted, QuoteSent
from services.deals.tests.unit.test_automation_fakes import FakeUow, envelope, open_deal, pipeline, stage

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


async def send(uow: FakeUow, event: QuoteSent) -> None:
    await automation.move_to_proposal_on_quote_sent(event, uow=uow, envelope=envelope(event))  # type: ignore[arg-type]


async def confirm(uow: FakeUow, event: OrderConfirmed) -> None:
    await automation.win_on_order_confirmed(event, uow=uow, envelope=envelope(event))  # type: ignore[arg-type]


async def test_a_sent_quote_moves_the_deal_to_the_proposal_stage_and_redates_its_title():
    p = pipeline(title_date_prefix=True)
    uow = FakeUow(p)
    deal = await open_deal(uow, p, title="2020/01/02 Refonte du site")
    await send(uow, quote_sent(deal.id, by="csm-7"))
    assert deal.stage_id == stage(p, "Offer send").id
    assert deal.probability == 50
    assert deal.title == f"{datetime.now(UTC):%Y/%m/%d} Refonte du site"
    [moved] = uow.deals.of_type(events.DealStageChanged)
    assert (moved.cause, moved.changed_by, moved.from_stage_name) == ("quote_sent", "csm-7", "À contacter")
    assert uow.deals.of_type(events.DealUpdated)[0].changed["title"][0] == "2020/01/02 Refonte du site"


async def test_the_same_quote_sent_twice_moves_the_deal_once():
    p = pipeline()
    uow = FakeUow(p)
    deal = await open_deal(uow, p)
    event = quote_sent(deal.id)
    await send(uow, event)
    await send(uow, event.model_copy())
    assert len(uow.deals.of_type(events.DealStageChanged)) == 1
    assert deal.version == 2


async def test_a_sent_quote_never_drags_a_deal_back_nor_moves_a_closed_one():
    p = pipeline()
    uow = FakeUow(p)
    ahead = await open_deal(uow, p, at="Negotiation")
    lost = await open_deal(uow, p)
    lost.lose(pipeline=p, reason="budget", by="sales-1")
    lost.pull_events()
    await send(uow, quote_sent(ahead.id))
    await send(uow, quote_sent(lost.id))
    assert ahead.stage_id == stage(p, "Negotiation").id
    assert lost.status is DealStatus.LOST
    assert uow.deals.events == []


async def test_without_a_proposal_stage_or_a_known_deal_a_sent_quote_changes_nothing():
    p = pipeline(with_proposal=False)
    uow = FakeUow(p)
    deal = await open_deal(uow, p)
    await send(uow, quote_sent(deal.id))
    await send(uow, quote_sent(None))
    await send(uow, quote_sent(uuid.uuid4()))  # not a deal of ours: logged, not an error
    assert deal.stage_id == stage(p, "À contacter").id
    assert uow.deals.events == []


async def test_a_confirmed_order_wins_the_deal_as_the_confirming_user_once():
    p = pipeline(win_when_order_confirmed=True)
    uow = FakeUow(p)
    deal = await open_deal(uow, p)
    event = order_confirmed(deal.id, by="sales-9")
    await confirm(uow, event)
    await confirm(uow, event.model_copy())  # the same order, another event id
    assert deal.status is DealStatus.WON
    [won] = uow.deals.of_type(events.DealWon)
    assert (won.cause, won.won_by, won.to_stage_name) == ("order_confirmed", "sales-9", "Won")


async def test_an_accepted_quote_wins_with_its_own_cause():
    p = pipeline(win_when_order_confirmed=True)
    uow = FakeUow(p)
    deal = await open_deal(uow, p)
    event = QuoteAccepted(
        quote_id=uuid.uuid4(),
        deal_id=deal.id,
        amount_minor=1,
        currency="EUR",
        accepted_by="csm-2",
        accepted_at=NOW,
    )
    await automation.win_on_quote_accepted(event, uow=uow, envelope=envelope(event))  # type: ignore[arg-type]
    [won] = uow.deals.of_type(events.DealWon)
    assert (won.cause, won.won_by) == ("quote_accepted", "csm-2")


async def test_orders_win_nothing_where_the_pipeline_says_no_or_the_deal_is_lost_or_unknown():
    manual, auto = pipeline(), pipeline("AUTO", win_when_order_confirmed=True)
    uow = FakeUow(manual, auto)
    kept_open = await open_deal(uow, manual)
    lost = await open_deal(uow, auto)
    lost.lose(pipeline=auto, reason="budget", by="sales-1")
    lost.pull_events()
    for deal_id in (kept_open.id, lost.id, uuid.uuid4(), None):
        await confirm(uow, order_confirmed(deal_id))
    assert (kept_open.status, lost.status) == (DealStatus.OPEN, DealStatus.LOST)
    assert uow.deals.events == []


async def test_winning_a_prospects_deal_flags_its_other_open_deals_until_it_is_a_customer():
    p = pipeline(win_when_order_confirmed=True)
    uow = FakeUow(p)
    account = uuid.uuid4()
    created = AccountCreated(account_id=account, name="Acme", owner_id="sales-1", csm_id="csm-3")
    await directory_events.account_created(created, uow=uow, envelope=envelope(created))  # type: ignore[arg-type]
    first, other, third = [
        await open_deal(uow, p, account_id=account, owner_id=o) for o in ("s1", "s2", "s3")
    ]
    await confirm(uow, order_confirmed(first.id))
    [won] = uow.deals.of_type(events.DealWon)
    flagged = uow.deals.of_type(events.DealReviewSuggested)
    assert won.csm_id == "csm-3"
    assert [(f.deal_id, f.owner_id) for f in flagged] == [(other.id, "s2"), (third.id, "s3")]
    assert {(f.won_deal_id, f.reason) for f in flagged} == {(first.id, "account_won_while_prospect")}
    assert other.needs_review
    assert third.needs_review

    uow.deals.events.clear()
    customer = LifecycleStatusChanged(
        record_type="account",
        record_id=account,
        before=Lifecycle(prospect="current", customer="none"),
        after=Lifecycle(prospect="none", customer="current"),
        changed_by="system",
        changed_at=NOW,
    )
    await directory_events.lifecycle_status_changed(customer, uow=uow, envelope=envelope(customer))  # type: ignore[arg-type]
    await confirm(uow, order_confirmed(other.id))
    assert len(uow.deals.of_type(events.DealWon)) == 1
    assert uow.deals.of_type(events.DealReviewSuggested) == []
