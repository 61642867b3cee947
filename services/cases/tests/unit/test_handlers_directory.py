"""The contacts and accounts read model, fed the leads service's events through the service's own
handler table as the consumer applies them: it recognises senders whatever the order of delivery, keeps
only the fields sent, follows merges (cases included), and applies a redelivery once."""

from uuid import uuid4

from crm_shared.events import Change, Envelope
from crm_shared.events.accounts import (
    AccountChanges,
    AccountCreated,
    AccountLink,
    AccountsMerged,
    AccountUpdatedV2,
    ContactChanges,
    ContactCreated,
    ContactsMerged,
    ContactUpdatedV2,
)
from crm_shared.events.cases import CaseOpened
from services.cases.tests.unit.fakes import FakeCasesUnitOfWork, deliver, take_in_mail

ACCOUNT, OTHER_ACCOUNT, CONTACT = uuid4(), uuid4(), uuid4()


def mail_from(address: str, n: int = 1) -> bytes:
    headers = f"From: {address}\r\nSubject: Help {n}\r\nMessage-ID: <{uuid4()}@x.example>\r\n"
    return f"{headers}\r\nHi\r\n".encode()


def contact(**values) -> ContactCreated:
    defaults = {"contact_id": CONTACT, "last_name": "Lovelace", "email": "ada@customer.example"}
    return ContactCreated(**defaults | values)


async def opened_for(uow: FakeCasesUnitOfWork, address: str, n: int = 1) -> CaseOpened:
    await take_in_mail(uow, mail_from(address, n))
    return uow.published(CaseOpened)[-1]


async def test_a_created_contact_is_recognised_by_any_of_its_addresses(uow):
    created = contact(
        account_id=ACCOUNT,
        accounts=[AccountLink(account_id=OTHER_ACCOUNT), AccountLink(account_id=ACCOUNT)],
        emails=["ada@customer.example", "Ada.L@Home.example"],
        language="fr",
    )
    envelope = Envelope.for_event(created, uow.context)
    assert await deliver(uow, created, envelope)
    assert not await deliver(uow, created, envelope)  # a redelivery is applied once

    [known] = await uow.directory.contacts_by_email("ADA.L@home.example")
    assert (known.id, known.account_id, known.account_ids) == (CONTACT, ACCOUNT, (ACCOUNT, OTHER_ACCOUNT))
    opened = await opened_for(uow, "ada.l@home.example")
    assert (opened.contact_ids, opened.account_id, opened.language, opened.unknown_contact) == (
        [CONTACT],
        ACCOUNT,
        "fr",
        False,
    )


async def test_an_update_keeps_what_it_does_not_change_and_may_come_before_the_creation(uow):
    early = ContactUpdatedV2(
        contact_id=CONTACT,
        changes=ContactChanges(emails=Change(before=None, after=["ada@customer.example"])),
        updated_by="sales-1",
    )
    await deliver(uow, early)
    assert [c.id for c in await uow.directory.contacts_by_email("ada@customer.example")] == [CONTACT]

    language = ContactUpdatedV2(
        contact_id=CONTACT,
        changes=ContactChanges(language=Change(before=None, after="fr")),
        updated_by="sales-1",
    )
    await deliver(uow, language)
    known = await uow.directory.contact(CONTACT)
    assert (known.language, known.emails) == ("fr", ("ada@customer.example",))


async def test_merged_contacts_answer_as_the_survivor_and_their_cases_follow(uow):
    survivor, merged = uuid4(), uuid4()
    await deliver(uow, contact(contact_id=survivor, email="ada@customer.example"))
    await deliver(uow, contact(contact_id=merged, email="lovelace@old.example"))
    case_id = (await opened_for(uow, "lovelace@old.example")).case_id
    assert uow.cases.rows[case_id].contact_ids == (merged,)

    await deliver(uow, ContactsMerged(survivor_id=survivor, merged_ids=[merged], merged_by="sales-1"))

    assert [c.id for c in await uow.directory.contacts_by_email("lovelace@old.example")] == [survivor]
    assert uow.cases.rows[case_id].contact_ids == (survivor,)


async def test_a_case_goes_to_the_accounts_csm_as_updated(uow):
    await deliver(uow, AccountCreated(account_id=ACCOUNT, name="Engines", csm_id="csm-1", team="emea"))
    await deliver(uow, contact(account_id=ACCOUNT))
    assert (await opened_for(uow, "ada@customer.example", 1)).assignee_id == "csm-1"

    changes = AccountChanges(csm_id=Change(before="csm-1", after="csm-2"))
    await deliver(uow, AccountUpdatedV2(account_id=ACCOUNT, changes=changes, updated_by="admin-1"))

    account = await uow.directory.account(ACCOUNT)
    assert (account.name, account.csm_id, account.team) == ("Engines", "csm-2", "emea")
    assert (await opened_for(uow, "ada@customer.example", 2)).assignee_id == "csm-2"


async def test_merged_accounts_answer_as_the_survivor_for_contacts_and_cases(uow):
    await deliver(uow, AccountCreated(account_id=ACCOUNT, name="Survivor", csm_id="csm-1"))
    await deliver(uow, AccountCreated(account_id=OTHER_ACCOUNT, name="Merged", csm_id="csm-9"))
    await deliver(uow, contact(account_id=OTHER_ACCOUNT))
    case_id = (await opened_for(uow, "ada@customer.example", 1)).case_id

    await deliver(uow, AccountsMerged(survivor_id=ACCOUNT, merged_ids=[OTHER_ACCOUNT], merged_by="admin-1"))

    assert (await uow.directory.account(OTHER_ACCOUNT)).name == "Survivor"
    assert (await uow.directory.contact(CONTACT)).account_id == ACCOUNT
    assert uow.cases.rows[case_id].account_id == ACCOUNT
    assert (await opened_for(uow, "ada@customer.example", 2)).assignee_id == "csm-1"
