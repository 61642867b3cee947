"""Merges in leads re-point deals; a contract due for renewal opens its renewal deal once, or waits in the
dead-letter topic until a renewal pipeline exists. Real CloudEvents on Kafka, effects read back.
"""

import uuid
from datetime import date

import pytest

from crm_deals.adapters.tables import deals
from crm_deals.domain.model import Deal
from crm_shared.events import Change, EventContext
from crm_shared.events.accounts import (
    AccountChanges,
    AccountCreated,
    AccountsMerged,
    AccountUpdated,
    AccountUpdatedV2,
    ContactsMerged,
)
from crm_shared.events.quotes import ContractRenewalDue
from crm_shared.messaging.consumer import Outcome
from crm_shared.messaging.replay import Selection, replay_dead_letters
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import RunningService
from services.deals.tests.integration.test_automation_support import (
    CREATED,
    SALES,
    UPDATED,
    count,
    create_pipeline,
    deliver,
    open_deal,
    published,
    service_fixture,
)

pytestmark = pytest.mark.integration

service = service_fixture("deals_automation_accounts")

CSM_SQUAD = {
    "name": "CLIENTS SQUAD - CSM",
    "team": "csm",
    "stages": [
        {"name": "En cours et à prolonger", "probability": 30},
        {"name": "Offer send", "probability": 60},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ],
    "settings": {"proposal_stage": "Offer send", "is_renewal_pipeline": True},
}


async def get(service: RunningService, deal_id: str) -> dict:
    response = await service.http.get(f"/v1/deals/{deal_id}", headers=SALES)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def win(service: RunningService, deal_id: str) -> None:
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        deal: Deal = await uow.deals.get(uuid.UUID(deal_id))
        deal.win(pipeline=await uow.pipelines.get(deal.pipeline_id), by="sales-1")
        await uow.deals.update(deal)
        await uow.commit()


async def test_merged_accounts_repoint_open_and_closed_deals_once(service, kafka_bootstrap):
    survivor, merged, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    open_one = await open_deal(service, None, account_id=merged)
    closed = await open_deal(service, None, account_id=merged)
    await win(service, closed)
    untouched = await open_deal(service, None, account_id=other)
    event = AccountsMerged(survivor_id=survivor, merged_ids=[merged], merged_by="sales-2")
    async with EventProbe(kafka_bootstrap, "crm.deals.events") as probe:
        await deliver(service, kafka_bootstrap, event)
        await deliver(service, kafka_bootstrap, event.model_copy())  # the same merge, another event id
        updated = await probe.wait_for(UPDATED, lambda p: p["deal_id"] == closed)
    assert updated.payload["changed"] == {"account_id": [str(merged), str(survivor)]}
    assert updated.payload["updated_by"] == "sales-2"
    assert (await get(service, open_one))["account_id"] == str(survivor)
    assert (await get(service, closed))["account_id"] == str(survivor)
    assert (await get(service, closed))["status"] == "won"
    assert (await get(service, untouched))["account_id"] == str(other)
    assert len(await published(service, UPDATED, open_one)) == 1
    assert len(await published(service, UPDATED, closed)) == 1
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        assert (await uow.accounts.get(merged)).merged_into == survivor


async def test_a_typed_account_update_renames_and_hands_the_account_to_its_new_csm(service, kafka_bootstrap):
    account = uuid.uuid4()
    await deliver(
        service,
        kafka_bootstrap,
        AccountCreated(account_id=account, name="Acme", owner_id="sales-1", csm_id="csm-4"),
    )
    untyped = {"owner_id": ("sales-1", "v1-only"), "name": ("Acme", "Acme SA")}
    await publish_event(
        kafka_bootstrap, AccountUpdated(account_id=account, changed=untyped, updated_by="sales-2")
    )
    changes = AccountChanges(
        name=Change(before="Acme", after="Acme SA"),
        csm_id=Change(before="csm-4", after="csm-9"),
        website=Change(before=None, after="https://acme.example"),  # not kept here
    )
    await deliver(
        service, kafka_bootstrap, AccountUpdatedV2(account_id=account, changes=changes, updated_by="sales-2")
    )
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        known = await uow.accounts.get(account)
    assert known is not None
    # The v1 published beside it (same key, so read first) is not applied: the owner did not change.
    assert (known.name, known.owner_id, known.csm_id) == ("Acme SA", "sales-1", "csm-9")


async def test_merged_contacts_repoint_primary_and_secondary_contacts(service, kafka_bootstrap):
    survivor, primary, secondary, kept = (uuid.uuid4() for _ in range(4))
    first = await open_deal(service, None, contact_id=primary, contact_ids=[kept])
    second = await open_deal(service, None, contact_id=kept, contact_ids=[secondary])
    merge = ContactsMerged(survivor_id=survivor, merged_ids=[primary, secondary], merged_by="sales-3")
    await deliver(service, kafka_bootstrap, merge)
    one, two = await get(service, first), await get(service, second)
    assert (one["contact_id"], one["contact_ids"]) == (str(survivor), [str(kept)])
    assert (two["contact_id"], two["contact_ids"]) == (str(kept), [str(survivor)])


async def test_a_renewal_waits_in_the_dead_letter_topic_for_a_renewal_pipeline_then_opens_once(
    service, kafka_bootstrap
):
    account, contract = uuid.uuid4(), uuid.uuid4()
    await deliver(service, kafka_bootstrap, AccountCreated(account_id=account, name="Acme", csm_id="csm-4"))
    due = ContractRenewalDue(
        contract_id=contract,
        account_id=account,
        title="Maintenance site",
        end_date=date(2026, 12, 31),
        renewal_start=date(2027, 1, 1),
        renewal_end=date(2027, 12, 31),
        budget_minor=1_200_000,
        currency="EUR",
        owner_id="sales-1",
        csm_id="csm-from-quotes",
    )
    async with EventProbe(kafka_bootstrap, "crm.quotes.events.dlq") as dead_letters:
        envelope = await publish_event(kafka_bootstrap, due)
        letter = await dead_letters.wait_for(due.event_type, lambda p: p["contract_id"] == str(contract))
    assert "no pipeline takes renewals" in letter.headers["dlq_error"]
    assert letter.headers["ce_id"] == str(envelope.id)

    csm_squad = await create_pipeline(service, CSM_SQUAD)
    async with EventProbe(kafka_bootstrap, "crm.deals.events") as probe:
        selection = Selection(event_ids=frozenset({str(envelope.id)}))
        outcomes = await replay_dead_letters(service.runtime, selection)
        assert [(o["event_id"], o["outcome"]) for o in outcomes] == [(str(envelope.id), Outcome.APPLIED)]
        created = await probe.wait_for(CREATED, lambda p: p["renewal_of_contract"] == str(contract))
    await deliver(service, kafka_bootstrap, due.model_copy())  # the same period again: nothing new
    assert await count(service, deals, deals.c.renewal_of_contract == contract) == 1
    deal = await get(service, created.payload["deal_id"])
    assert (deal["pipeline_id"], deal["owner_id"], deal["account_id"]) == (
        csm_squad["id"],
        "csm-4",
        str(account),
    )
    assert deal["title"] == "Maintenance site (2027-01-01 → 2027-12-31)"
    assert (deal["amount_minor"], deal["currency"], deal["expected_close_date"]) == (
        1_200_000,
        "EUR",
        "2026-12-31",
    )
