"""The accounts read model fed by leads' events, and merges re-pointing deals to the survivor."""

import uuid
from datetime import UTC, datetime

from crm_deals.domain import events
from crm_deals.entrypoints.consumers import HANDLERS
from crm_deals.service_layer import automation, directory_events
from crm_shared.events.accounts import (
    AccountChanges,
    AccountCreated,
    AccountsMerged,
    AccountUpdatedV2,
    ContactsMerged,
    Lifecycle,
    LifecycleStatusChanged,
)
from services.deals.tests.unit.test_automation_fakes import FakeUow, envelope, open_deal, pipeline


def lifecycle(record_id: uuid.UUID, customer: str, record_type: str = "account") -> LifecycleStatusChanged:
    return LifecycleStatusChanged(
        record_type=record_type,  # type: ignore[arg-type]
        record_id=record_id,
        before=Lifecycle(prospect="current", customer="none"),
        after=Lifecycle(prospect="none", customer=customer),  # type: ignore[arg-type]
        changed_by="system",
        changed_at=datetime.now(UTC),
    )


async def handle(uow: FakeUow, event) -> None:
    await HANDLERS[type(event)](event, uow=uow, envelope=envelope(event))


async def test_account_events_in_any_order_fill_in_one_record():
    uow, account = FakeUow(), uuid.uuid4()
    await handle(uow, lifecycle(account, "current"))  # before the account's creation
    await handle(uow, lifecycle(uuid.uuid4(), "current", record_type="contact"))
    await handle(uow, AccountCreated(account_id=account, name="Acme", owner_id="sales-1", csm_id=None))
    changes = AccountChanges.of(
        {"csm_id": (None, "csm-4"), "name": ("Acme", "Acme SA"), "website": (None, "acme.example")}
    )
    await handle(uow, AccountUpdatedV2(account_id=account, changes=changes, updated_by="sales-1"))
    known = await uow.accounts.get(account)
    assert known is not None
    assert (known.name, known.owner_id, known.csm_id, known.customer) == (
        "Acme SA",
        "sales-1",
        "csm-4",
        "current",
    )
    assert not known.is_prospect
    assert list(uow.accounts.rows) == [account]  # a contact's lifecycle is no account


async def test_an_account_created_is_a_prospect_until_leads_says_customer():
    uow, account = FakeUow(), uuid.uuid4()
    await handle(uow, AccountCreated(account_id=account, name="Acme"))
    assert (await uow.accounts.get(account)).is_prospect
    await handle(uow, lifecycle(account, "former"))
    assert (await uow.accounts.get(account)).is_prospect
    await handle(uow, lifecycle(account, "current"))
    assert not (await uow.accounts.get(account)).is_prospect


async def test_merged_accounts_repoint_every_deal_closed_ones_too_and_once():
    p = pipeline()
    uow = FakeUow(p)
    survivor, merged, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    open_one = await open_deal(uow, p, account_id=merged)
    closed = await open_deal(uow, p, account_id=merged)
    closed.lose(pipeline=p, reason="budget", by="sales-1")
    closed.pull_events()
    untouched = await open_deal(uow, p, account_id=other)
    event = AccountsMerged(survivor_id=survivor, merged_ids=[merged], merged_by="sales-2")
    await handle(uow, event)
    await handle(uow, event.model_copy())  # again, as another event: nothing left to re-point
    assert (open_one.account_id, closed.account_id, untouched.account_id) == (survivor, survivor, other)
    updates = uow.deals.of_type(events.DealUpdated)
    assert [(u.deal_id, u.changed, u.updated_by) for u in updates] == [
        (d.id, {"account_id": (merged, survivor)}, "sales-2") for d in (open_one, closed)
    ]
    assert (await uow.accounts.get(merged)).merged_into == survivor


async def test_merged_contacts_repoint_primary_and_secondary_contacts():
    p = pipeline()
    uow = FakeUow(p)
    survivor, a, b, kept = (uuid.uuid4() for _ in range(4))
    primary = await open_deal(uow, p, contact_id=a, contact_ids=(kept,))
    secondary = await open_deal(uow, p, contact_id=kept, contact_ids=(b, survivor))
    await handle(uow, ContactsMerged(survivor_id=survivor, merged_ids=[a, b], merged_by="sales-3"))
    assert (primary.contact_id, primary.contact_ids) == (survivor, (kept,))
    assert (secondary.contact_id, secondary.contact_ids) == (kept, (survivor,))
    [first, second] = uow.deals.of_type(events.DealUpdated)
    assert first.changed == {"contact_id": (a, survivor)}
    assert second.changed == {"contact_ids": ([b, survivor], [survivor])}


async def test_a_survivor_listed_among_the_merged_is_left_alone():
    p = pipeline()
    uow = FakeUow(p)
    survivor = uuid.uuid4()
    deal = await open_deal(uow, p, account_id=survivor)
    await automation.repoint_merged_accounts(
        AccountsMerged(survivor_id=survivor, merged_ids=[survivor], merged_by="x"),
        uow=uow,  # type: ignore[arg-type]
        envelope=None,  # type: ignore[arg-type]
    )
    await directory_events.accounts_merged(
        AccountsMerged(survivor_id=survivor, merged_ids=[survivor], merged_by="x"),
        uow=uow,  # type: ignore[arg-type]
        envelope=None,  # type: ignore[arg-type]
    )
    assert deal.account_id == survivor
    assert uow.deals.events == []
    assert await uow.accounts.get(survivor) is None
