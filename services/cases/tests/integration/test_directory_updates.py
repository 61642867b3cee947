"""The contacts and accounts read model follows leads' typed updates (`.v2`): a contact's new addresses
and accounts decide who a sender is and whose CSM gets the case. Real PostgreSQL, the consumer's own
handlers."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest

from crm_cases.adapters.case_directory import KnownContact
from crm_cases.entrypoints.consumers import HANDLERS
from crm_shared.events import Change, IntegrationEvent
from crm_shared.events.accounts import (
    AccountChanges,
    AccountCreated,
    AccountLink,
    AccountUpdated,
    AccountUpdatedV2,
    ContactChanges,
    ContactCreated,
    ContactUpdated,
    ContactUpdatedV2,
)
from crm_shared.testing.service import RunningService
from services.cases.tests.integration.case_support import CONTEXT, cases_service, detail, feed, mail, mail_in

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    async with cases_service(kafka_bootstrap, make_database("cases_directory")) as running:
        yield running


async def handle(service: RunningService, event: IntegrationEvent) -> None:
    await feed(service, HANDLERS[type(event)], event)


async def known(service: RunningService, contact_id: UUID) -> KnownContact | None:
    async with service.runtime.uow(CONTEXT) as uow:
        return await uow.directory.contact(contact_id)


async def senders(service: RunningService, address: str) -> list[UUID]:
    async with service.runtime.uow(CONTEXT) as uow:
        return [c.id for c in await uow.directory.contacts_by_email(address)]


def test_the_service_reads_the_typed_updates_only():
    assert {AccountUpdatedV2, ContactUpdatedV2} <= set(HANDLERS)
    assert not {AccountUpdated, ContactUpdated} & set(HANDLERS)


async def test_a_contact_moved_to_new_addresses_and_accounts_is_recognised_there(service):
    old_account, new_account, contact = uuid4(), uuid4(), uuid4()
    suffix = uuid4().hex[:8]
    old, new, other = (f"{name}-{suffix}@acme.example" for name in ("marie", "m.curie", "curie"))
    await handle(service, AccountCreated(account_id=old_account, name="Old", csm_id="csm-old"))
    await handle(service, AccountCreated(account_id=new_account, name="New", csm_id="csm-new"))
    links = [AccountLink(account_id=old_account)]
    await handle(service, ContactCreated(contact_id=contact, last_name="Curie", email=old, accounts=links))

    moved = ContactChanges(
        emails=Change(before=[old], after=[new, other]),
        accounts=Change(before=links, after=[AccountLink(account_id=new_account, role="buyer"), *links]),
        language=Change(before=None, after="fr"),
    )
    await handle(service, ContactUpdatedV2(contact_id=contact, changes=moved, updated_by="sales-1"))

    found = await known(service, contact)
    assert found is not None
    assert (found.account_id, found.account_ids) == (new_account, (new_account, old_account))
    assert (found.last_name, found.language) == ("Curie", "fr")
    assert await senders(service, old) == []
    assert await senders(service, new) == await senders(service, other) == [contact]
    case = await detail(service, await mail_in(service, mail(new.upper())))
    assert (case["contact_ids"], case["account_id"]) == ([str(contact)], str(new_account))
    assert (case["assignee_id"], case["language"]) == ("csm-new", "fr")


async def test_an_update_arriving_before_its_contact_starts_the_record(service):
    contact, account = uuid4(), uuid4()
    address = f"early-{uuid4().hex[:8]}@acme.example"
    changes = ContactChanges(
        last_name=Change(before=None, after="Early"),
        emails=Change(before=[], after=[address]),
        accounts=Change(before=[], after=[AccountLink(account_id=account)]),
    )
    await handle(service, ContactUpdatedV2(contact_id=contact, changes=changes, updated_by="sales-1"))
    found = await known(service, contact)
    assert found is not None
    assert (found.last_name, found.emails, found.account_id) == ("Early", (address,), account)


async def test_a_typed_account_update_hands_new_cases_to_its_new_csm(service):
    account, contact = uuid4(), uuid4()
    address = f"buyer-{uuid4().hex[:8]}@acme.example"
    await handle(service, AccountCreated(account_id=account, name="Acme", csm_id="csm-4", team="north"))
    links = [AccountLink(account_id=account)]
    await handle(
        service, ContactCreated(contact_id=contact, last_name="Buyer", email=address, accounts=links)
    )
    changes = AccountChanges(
        csm_id=Change(before="csm-4", after="csm-9"), key_account=Change(before=False, after=True)
    )
    await handle(service, AccountUpdatedV2(account_id=account, changes=changes, updated_by="sales-1"))
    async with service.runtime.uow(CONTEXT) as uow:
        kept = await uow.directory.account(account)
    assert kept is not None
    assert (kept.name, kept.csm_id, kept.team) == ("Acme", "csm-9", "north")
    case = await detail(service, await mail_in(service, mail(address)))
    assert case["assignee_id"] == "csm-9"
