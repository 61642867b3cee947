"""Imports and exports on the in-memory unit of work: valid rows are written with their events, a bad
row is left out whole (even what it wrote before its use case refused it), keys update the records
they name, and a dry run writes nothing."""

from typing import Any

from crm_leads.domain.accounts.lists import Filters
from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.transfer.rows import (
    AccountRef,
    ImportBatch,
    ImportKey,
    ImportKind,
    ImportMode,
    ImportResult,
    ImportRow,
    RowError,
)
from crm_leads.service_layer.transfer import exports
from crm_leads.service_layer.transfer.imports import import_records
from crm_leads.service_layer.use_cases import NewLead
from crm_shared.events import accounts as published_accounts
from crm_shared.events import leads as published
from services.leads.tests.unit.fakes import SALES, FakeLeadsUnitOfWork, execute, read


def lead_row(row: int, last_name: str, external_id: str | None = None, **details: Any) -> ImportRow:
    return ImportRow(
        row=row,
        create=NewLead(last_name=last_name, details=details),
        changes={"last_name": last_name, **details},
        external_id=external_id,
    )


def leads(*rows: ImportRow) -> list[ImportBatch]:
    return [ImportBatch(ImportKind.LEADS, list(rows), lambda field: field)]


async def run(uow: FakeLeadsUnitOfWork, batches: list[ImportBatch], **options: Any) -> ImportResult:
    how = {"mode": ImportMode.CREATE, "key": ImportKey.EXTERNAL_ID} | options
    return await execute(uow, SALES, import_records, batches=batches, **how)


async def test_a_row_refused_half_way_leaves_nothing_and_the_others_are_imported():
    uow = FakeLeadsUnitOfWork()
    rows = (
        lead_row(2, "Hopper", function="Cryptanalyste"),
        lead_row(3, "Turing", function="Mathématicien", source="carrier pigeon"),
        lead_row(4, "Lovelace"),
    )
    result = await run(uow, leads(*rows))
    assert [(o.row, o.action) for o in result.outcomes] == [(2, "created"), (3, "rejected"), (4, "created")]
    assert result.errors == [RowError(3, "source", "'carrier pigeon' is not in the list of source values")]
    assert sorted(x.last_name for x in uow.db.leads.values()) == ["Hopper", "Lovelace"]
    # The function the refused row added before its source was refused went with it.
    assert [r.value for r in uow.db.references.values()] == ["Cryptanalyste"]
    assert len(uow.published(published.LeadCreated)) == 2


async def test_a_row_whose_checks_failed_is_rejected_with_its_errors():
    uow = FakeLeadsUnitOfWork()
    bad = ImportRow(row=5, create=None, changes=None, create_errors=(RowError(5, "emails", "not an email"),))
    result = await run(uow, leads(bad))
    assert (result.count("rejected"), result.errors) == (1, [RowError(5, "emails", "not an email")])
    assert uow.db.leads == {}


async def test_an_external_id_updates_its_record_on_the_next_import_and_names_one_record_only():
    uow = FakeLeadsUnitOfWork()
    await run(uow, leads(lead_row(2, "Hopper", "SF-1")))
    [lead_id] = uow.db.leads
    assert uow.db.external_ids == {("leads", "SF-1"): lead_id}
    updated = await run(uow, leads(lead_row(2, "Murray Hopper", "SF-1")), mode=ImportMode.UPDATE_BY_KEY)
    assert [(o.action, o.record_id) for o in updated.outcomes] == [("updated", lead_id)]
    assert uow.db.leads[lead_id].last_name == "Murray Hopper"
    again = await run(uow, leads(lead_row(2, "Hopper", "SF-1")))  # mode create: the key is taken
    assert [e.column for e in again.errors] == ["external_id"]
    assert len(uow.db.leads) == 1


async def test_contacts_link_to_accounts_of_the_same_import_by_reference():
    uow = FakeLeadsUnitOfWork()
    account = ImportRow(row=1, create={"name": "Navy"}, changes={"name": "Navy"}, reference="AccountRef1")
    contacts = [
        ImportRow(
            row=1,
            create={"last_name": "Hopper"},
            changes={},
            accounts=(AccountRef("AccountId", reference="AccountRef1"),),
        ),
        ImportRow(
            row=2,
            create={"last_name": "Turing"},
            changes={},
            accounts=(AccountRef("AccountId", reference="Nope"),),
        ),
    ]
    batches = [
        ImportBatch(ImportKind.ACCOUNTS, [account], lambda field: field, "Accounts.json"),
        ImportBatch(ImportKind.CONTACTS, contacts, lambda field: field, "Contacts.json"),
    ]
    result = await run(uow, batches)
    [navy] = uow.db.accounts
    [hopper] = uow.db.contacts.values()
    assert hopper.accounts == (AccountLink(navy),)
    assert [(e.file, e.row, e.column, e.message) for e in result.errors] == [
        ("Contacts.json", 2, "AccountId", "no record @Nope in this import")
    ]
    assert len(uow.published(published_accounts.ContactCreated)) == 1


async def test_a_dry_run_reports_what_an_import_would_do_and_writes_nothing():
    uow = FakeLeadsUnitOfWork()
    batches = leads(lead_row(2, "Hopper", "SF-1"), lead_row(3, "Lovelace"))
    result = await read(
        uow, SALES, import_records, batches=batches, mode=ImportMode.CREATE, key=ImportKey.EXTERNAL_ID
    )
    assert result.count("created") == 2
    assert (uow.db.leads, uow.db.external_ids, uow.outbox) == ({}, {}, [])


async def test_an_export_page_carries_the_records_external_ids():
    uow = FakeLeadsUnitOfWork()
    accounts = [ImportRow(row=n, create={"name": f"A{n}"}, changes={}, external_id=f"X-{n}") for n in (1, 2)]
    await run(uow, [ImportBatch(ImportKind.ACCOUNTS, accounts, lambda field: field)])
    page = await read(uow, SALES, exports.export_accounts, filters=Filters(equal={}), cursor=None)
    assert sorted(page.external_ids.values()) == ["X-1", "X-2"]
    assert {page.external_ids[a.id] for a in page.records} == {"X-1", "X-2"}
    assert page.next_cursor is None
