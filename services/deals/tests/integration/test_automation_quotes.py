"""Automatic rules fed by real CloudEvents on Kafka, checked through the HTTP API, the database and the
events on crm.deals.events: quotes move and win deals, the accounts read model flags a prospect's deals.
"""

import uuid
from datetime import UTC, datetime

import pytest

from crm_shared.events.accounts import AccountCreated, Lifecycle, LifecycleStatusChanged
from crm_shared.events.quotes import OrderConfirmed, QuoteAccepted, QuoteSent
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService
from services.deals.tests.integration.test_automation_support import (
    SALES,
    SALES_SQUAD,
    STAGE_CHANGED,
    WON,
    create_pipeline,
    deliver,
    open_deal,
    published,
    service_fixture,
    stage_id,
)

pytestmark = pytest.mark.integration

REVIEW = "crm.deals.deal_review_suggested.v1"
NOW = datetime.now(UTC)
service = service_fixture("deals_automation_quotes")


@pytest.fixture(scope="module")
async def squad(service: RunningService) -> dict:
    return await create_pipeline(service, SALES_SQUAD)


def quote_sent(deal_id: uuid.UUID | str, quote_id: uuid.UUID | None = None) -> QuoteSent:
    return QuoteSent(
        quote_id=quote_id or uuid.uuid4(),
        deal_id=deal_id,
        amount_minor=990_000,
        currency="EUR",
        sent_by="csm-7",
        sent_at=NOW,
    )


def order_confirmed(deal_id: uuid.UUID | str) -> OrderConfirmed:
    return OrderConfirmed(
        order_id=uuid.uuid4(),
        deal_id=deal_id,
        amount_minor=1,
        currency="EUR",
        confirmed_by="sales-9",
        confirmed_at=NOW,
    )


async def test_a_sent_quote_moves_the_deal_to_the_proposal_stage_once(service, squad, kafka_bootstrap):
    deal_id = await open_deal(service, squad["id"], title="Refonte du site")
    event = quote_sent(deal_id)
    async with EventProbe(kafka_bootstrap, "crm.deals.events") as probe:
        await deliver(service, kafka_bootstrap, event)
        await deliver(service, kafka_bootstrap, event.model_copy())  # the same quote, another event id
        moved = await probe.wait_for(STAGE_CHANGED, lambda p: p["deal_id"] == deal_id)
    deal = (await service.http.get(f"/v1/deals/{deal_id}", headers=SALES)).json()
    assert deal["stage_id"] == stage_id(squad, "Offer send")
    assert deal["title"] == f"{datetime.now(UTC):%Y/%m/%d} Refonte du site"
    assert (moved.payload["cause"], moved.payload["changed_by"]) == ("quote_sent", "csm-7")
    assert (moved.payload["from_stage_name"], moved.payload["to_stage_name"]) == ("À contacter", "Offer send")
    assert len(await published(service, STAGE_CHANGED, deal_id)) == 1


async def test_events_naming_an_unknown_deal_are_applied_as_nothing(service, kafka_bootstrap):
    stranger = uuid.uuid4()
    for event in (quote_sent(stranger), order_confirmed(stranger), quote_sent(None)):  # type: ignore[arg-type]
        await deliver(service, kafka_bootstrap, event)  # applied (not dead-lettered), with no effect
    assert await published(service, None, stranger) == []


async def test_a_confirmed_order_wins_the_deal_once_as_the_confirming_user(service, squad, kafka_bootstrap):
    deal_id = await open_deal(service, squad["id"])
    event = order_confirmed(deal_id)
    async with EventProbe(kafka_bootstrap, "crm.deals.events") as probe:
        await deliver(service, kafka_bootstrap, event)
        await deliver(service, kafka_bootstrap, event.model_copy())
        accepted = QuoteAccepted(
            quote_id=uuid.uuid4(),
            deal_id=deal_id,
            amount_minor=1,
            currency="EUR",
            accepted_by="x",
            accepted_at=NOW,
        )
        await deliver(service, kafka_bootstrap, accepted)  # already won: nothing
        won = await probe.wait_for(WON, lambda p: p["deal_id"] == deal_id)
    assert (won.payload["cause"], won.payload["won_by"]) == ("order_confirmed", "sales-9")
    assert (await service.http.get(f"/v1/deals/{deal_id}", headers=SALES)).json()["status"] == "won"
    assert len(await published(service, WON, deal_id)) == 1


async def test_orders_do_not_win_deals_of_a_pipeline_that_says_no(service, kafka_bootstrap):
    deal_id = await open_deal(service, None)  # the default pipeline
    await deliver(service, kafka_bootstrap, order_confirmed(deal_id))
    assert (await service.http.get(f"/v1/deals/{deal_id}", headers=SALES)).json()["status"] == "open"


async def test_a_prospects_win_flags_its_other_open_deals_until_it_is_a_customer(
    service, squad, kafka_bootstrap
):
    account = uuid.uuid4()
    await deliver(service, kafka_bootstrap, AccountCreated(account_id=account, name="Acme", csm_id="csm-3"))
    first, second, third = [
        await open_deal(service, squad["id"], account_id=account, owner_id=o) for o in "abc"
    ]
    async with EventProbe(kafka_bootstrap, "crm.deals.events") as probe:
        await deliver(service, kafka_bootstrap, order_confirmed(first))
        won = await probe.wait_for(WON, lambda p: p["deal_id"] == first)
        flagged = await probe.wait_for(REVIEW, lambda p: p["deal_id"] == second)
    assert won.payload["csm_id"] == "csm-3"
    assert (flagged.payload["owner_id"], flagged.payload["won_deal_id"]) == ("b", first)
    assert (await service.http.get(f"/v1/deals/{third}", headers=SALES)).json()["needs_review"] is True

    customer = LifecycleStatusChanged(
        record_type="account",
        record_id=account,
        before=Lifecycle(prospect="current", customer="none"),
        after=Lifecycle(prospect="none", customer="current"),
        changed_by="sales-9",
        changed_at=NOW,
    )
    await deliver(service, kafka_bootstrap, customer)
    await deliver(service, kafka_bootstrap, order_confirmed(second))
    assert len(await published(service, WON, second)) == 1
    assert len(await published(service, REVIEW, third)) == 1  # the first win's only
