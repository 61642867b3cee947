import uuid
from datetime import UTC, datetime

import pytest

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.duplicates.merge import MergedRecord, combined, mark_merged, merged_changes
from crm_leads.domain.model import Lead
from crm_shared.errors import InvalidInput

S, D1, D2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
FIELDS = ["email", "phone", "company_name", "job_title"]
RECORDS = {
    S: {"email": "a@x.example", "phone": None, "company_name": "X", "job_title": ""},
    D1: {"email": "b@x.example", "phone": "+33612345678", "company_name": "X SAS", "job_title": None},
    D2: {"email": None, "phone": "+33700000000", "company_name": None, "job_title": "CTO"},
}


def test_survivor_keeps_its_values_and_fills_gaps_from_duplicates():
    changes = merged_changes(survivor_id=S, records=RECORDS, mergeable=FIELDS, choices={})
    assert changes == {"phone": (None, "+33612345678"), "job_title": ("", "CTO")}


def test_explicit_choices_win_field_by_field():
    changes = merged_changes(
        survivor_id=S, records=RECORDS, mergeable=FIELDS, choices={"email": D1, "phone": D2}
    )
    assert changes["email"] == ("a@x.example", "b@x.example")
    assert changes["phone"] == (None, "+33700000000")
    assert "company_name" not in changes


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"survivor_id": uuid.uuid4()}, "survivor_id"),
        ({"choices": {"id": D1}}, "choices.id"),
        ({"choices": {"email": uuid.uuid4()}}, "choices.email"),
        ({"records": {S: RECORDS[S]}}, "ids"),
    ],
)
def test_invalid_merges_name_the_field(kwargs, field):
    arguments = {"survivor_id": S, "records": RECORDS, "mergeable": FIELDS, "choices": {}} | kwargs
    with pytest.raises(InvalidInput) as raised:
        merged_changes(**arguments)
    assert raised.value.extra["errors"][0]["field"] == field


def test_combined_collections_keep_every_item_once_survivor_first():
    records = {
        S: {"emails": ("a@x.example",), "tags": ("vip",)},
        D1: {"emails": ("b@x.example", "a@x.example"), "tags": ()},
        D2: {"emails": (), "tags": ("fr", "vip")},
    }
    changes = merged_changes(
        survivor_id=S,
        records=records,
        mergeable=["emails", "tags"],
        choices={},
        combine={"emails": str.lower, "tags": str.lower},
    )
    assert changes["emails"] == (("a@x.example",), ("a@x.example", "b@x.example"))
    assert changes["tags"] == (("vip",), ("vip", "fr"))


def test_a_chosen_collection_replaces_rather_than_combines():
    records = {S: {"emails": ("a@x.example",)}, D1: {"emails": ("b@x.example",)}}
    changes = merged_changes(
        survivor_id=S, records=records, mergeable=["emails"], choices={"emails": D1}, combine={"emails": str}
    )
    assert changes == {"emails": (("a@x.example",), ("b@x.example",))}


def test_combined_keys_items_so_the_first_of_a_kind_wins():
    assert combined([[("billing", "A")], [("billing", "B"), ("delivery", "C")]], key=lambda a: a[0]) == (
        ("billing", "A"),
        ("delivery", "C"),
    )


def test_a_merged_lead_is_read_only_and_says_where_it_lives_on():
    lead, survivor = Lead.create(last_name="Dup"), Lead.create(last_name="Keep")
    mark_merged("lead", lead, into=survivor.id, at=datetime.now(UTC))
    with pytest.raises(MergedRecord) as raised:
        lead.update({"first_name": "X"}, by="u")
    assert (raised.value.status, raised.value.extra["merged_into"]) == (410, str(survivor.id))
    with pytest.raises(MergedRecord):
        mark_merged("lead", lead, into=uuid.uuid4(), at=datetime.now(UTC))  # merged once only


@pytest.mark.parametrize(
    "record",
    [
        lambda: Account.create(name="Acme"),
        lambda: Contact.create(last_name="Doe"),
    ],
)
def test_merged_accounts_and_contacts_refuse_changes(record):
    merged = record()
    mark_merged("record", merged, into=uuid.uuid4(), at=datetime.now(UTC))
    with pytest.raises(MergedRecord):
        merged.update({}, by="u")


def test_a_refusal_to_be_contacted_survives_the_merge_unless_chosen_away():
    records = {S: {"do_not_email": False}, D1: {"do_not_email": True}}
    arguments = {"survivor_id": S, "records": records, "mergeable": ["do_not_email"]}
    assert merged_changes(**arguments, choices={}, restrictive=["do_not_email"]) == {
        "do_not_email": (False, True)
    }
    assert merged_changes(**arguments, choices={"do_not_email": S}, restrictive=["do_not_email"]) == {}
