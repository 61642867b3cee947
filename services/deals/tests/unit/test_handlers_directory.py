"""The accounts read model fed by leads' events, and merges re-pointing deals to the survivor."""

import uuid
from datetime import UTC, datetime

from crm_shared.events import deals as published
from crm_shared.events.accounts import (
    AccountChanges,
    AccountCreated,
    AccountsMerged,
    AccountUpdatedV2,
    ContactsMerged,
    Lifecycle,
    LifecycleStatusChanged,
)
from crm_shared.events.changes import Change
from services.deals.tests.unit.fakes import FakeDealsUnitOfWork, deliver, pipeline, seed_closed, seed_deal


def lifecycle(record_id: uuid.UUID, customer: str, record_type: str = "account") -> LifecycleStatusChanged:
    return LifecycleStatusChanged(
        record_type=record_type,  # type: ignore[arg-type]
        record_id=record_id,
        before=Lifecycle(prospect="current", customer="none"),
        after=Lifecycle(prospect="none", customer=customer),  # type: ignore[arg-type]
        changed_by="system",
        changed_at=datetime.now(UTC),
    )


async def test_account_events_in_any_order_fill_in_one_record():
    uow, account = FakeDealsUnitOfWork(), uuid.uuid4()
    await deliver(uow, lifecycle(account, "current"))  # before the account's creation
    await deliver(uow, lifecycle(uuid.uuid4(), "current", record_type="contact"))
    await deliver(uow, AccountCreated(account_id=account, name="Acme", owner_id="sales-1", csm_id=None))
    changes = AccountChanges.of(
        {"csm_id": (None, "csm-4"), "name": ("Acme", "Acme SA"), "website": (None, "acme.example")}
    )
    await deliver(uow, AccountUpdatedV2(account_id=account, changes=changes, updated_by="sales-1"))
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
    uow, account = FakeDealsUnitOfWork(), uuid.uuid4()
    await deliver(uow, AccountCreated(account_id=account, name="Acme"))
    assert (await uow.accounts.get(account)).is_prospect
    await deliver(uow, lifecycle(account, "former"))
    assert (await uow.accounts.get(account)).is_prospect
    await deliver(uow, lifecycle(account, "current"))
    assert not (await uow.accounts.get(account)).is_prospect


async def test_merged_accounts_repoint_every_deal_closed_ones_too_and_once():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    survivor, merged, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    open_one = seed_deal(uow, p, account_id=merged)
    closed = seed_closed(uow, p, won=False, account_id=merged)
    untouched = seed_deal(uow, p, account_id=other)
    event = AccountsMerged(survivor_id=survivor, merged_ids=[merged], merged_by="sales-2")
    await deliver(uow, event)
    await deliver(uow, event.model_copy())  # again, as another event: nothing left to re-point
    assert [uow.deal(d.id).account_id for d in (open_one, closed, untouched)] == [survivor, survivor, other]
    updates = uow.published(published.DealUpdatedV2)
    assert [(u.deal_id, u.changes.account_id, u.updated_by) for u in updates] == [
        (d.id, Change(before=merged, after=survivor), "sales-2") for d in (open_one, closed)
    ]
    assert (await uow.accounts.get(merged)).merged_into == survivor


async def test_merged_contacts_repoint_primary_and_secondary_contacts():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    survivor, a, b, kept = (uuid.uuid4() for _ in range(4))
    primary = seed_deal(uow, p, contact_id=a, contact_ids=(kept,))
    secondary = seed_deal(uow, p, contact_id=kept, contact_ids=(b, survivor))
    await deliver(uow, ContactsMerged(survivor_id=survivor, merged_ids=[a, b], merged_by="sales-3"))
    assert (uow.deal(primary.id).contact_id, uow.deal(primary.id).contact_ids) == (survivor, (kept,))
    assert (uow.deal(secondary.id).contact_id, uow.deal(secondary.id).contact_ids) == (kept, (survivor,))
    [first, second] = uow.published(published.DealUpdatedV2)
    assert first.changes == published.DealChanges(contact_id=Change(before=a, after=survivor))
    assert second.changes == published.DealChanges(contact_ids=Change(before=[b, survivor], after=[survivor]))


async def test_a_survivor_listed_among_the_merged_is_left_alone():
    p = pipeline()
    uow = FakeDealsUnitOfWork(p)
    survivor = uuid.uuid4()
    deal = seed_deal(uow, p, account_id=survivor)
    await deliver(uow, AccountsMerged(survivor_id=survivor, merged_ids=[survivor], merged_by="x"))
    assert uow.deal(deal.id).account_id == survivor
    assert (uow.outbox, uow.deal(deal.id).version) == ([], 1)
    assert await uow.accounts.get(survivor) is None
