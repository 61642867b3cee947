"""Salesforce data tree files read as account and contact rows (the shared sample data)."""

import json

import pytest

from crm_leads.adapters.transfer.salesforce import read_trees
from crm_leads.domain.transfer.rows import ImportKind
from crm_leads.entrypoints.transfer.checks import checked, checked_batch
from crm_shared.errors import InvalidInput
from tests.data import SALESFORCE_SAMPLES as SAMPLES


def sample(name: str) -> tuple[str, bytes]:
    return name, (SAMPLES / name).read_bytes()


def test_the_sample_accounts_come_before_the_contacts_that_reference_them() -> None:
    found = read_trees(
        [sample("Contacts.json"), sample("data-plan.json"), sample("Accounts.json")], phone_region="US"
    )
    assert [(b.kind, b.file, len(b.records)) for b in found.batches] == [
        (ImportKind.ACCOUNTS, "Accounts.json", 10),
        (ImportKind.CONTACTS, "Contacts.json", 6),
    ]
    accounts, contacts = (checked_batch(batch) for batch in found.batches)
    alpha = accounts.rows[0]
    assert alpha.reference == "AccountRef1"
    assert alpha.create["name"] == "Alpha Dynamics"
    assert alpha.create["type"].value == "partner"
    assert accounts.rows[1].create["type"].value == "customer"
    amy = contacts.rows[0]
    assert amy.create["emails"] == ["amy@demo.net"]
    assert amy.create["phones"] == ["+14152568563"]
    assert amy.create["job_title"] == "VP of Engineering"
    assert amy.accounts[0].reference == "AccountRef1"
    assert amy.accounts[0].column == "AccountId"
    assert found.ignored == {"Phone", "NumberOfEmployees", "Picture__c"}
    assert found.refused == []


def test_other_records_are_refused_and_errors_name_salesforce_fields() -> None:
    tree = {
        "records": [
            {"attributes": {"type": "Opportunity", "referenceId": "O1"}, "Name": "Big deal"},
            {"attributes": {"type": "Contact", "referenceId": "C1"}, "Email": "nope", "AccountId": "001XX"},
        ]
    }
    found = read_trees([("tree.json", json.dumps(tree).encode())], phone_region=None)
    assert [(e.row, e.column) for e in found.refused] == [(1, "attributes.type")]
    contact = checked(found.batches[0].records[0])
    assert {(e.row, e.column) for e in contact.create_errors} == {(2, "LastName"), (2, "Email")}
    assert contact.accounts[0].external_id == "001XX"
    assert found.batches[0].column_of("phones.0") == "Phone"


def test_a_file_that_is_not_a_data_tree_is_refused_whole() -> None:
    with pytest.raises(InvalidInput, match="Salesforce data tree"):
        read_trees([("x.json", b'{"rows": []}')], phone_region=None)
