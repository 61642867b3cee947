"""Accounts and contacts: validation, normalisation, numbering and change events."""

import pytest

from crm_leads.domain.accounts import events
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.values import AccountLink, AccountType
from crm_leads.domain.addresses import AddressKind, PostalAddress
from crm_leads.service_layer.integration_events import translate
from crm_shared.errors import InvalidInput


def address(kind: AddressKind) -> PostalAddress:
    return PostalAddress(kind=kind, line1="1 rue de la Paix", country="FR", city="Paris")


def test_an_account_takes_its_email_domain_from_its_website():
    account = Account.create(name=" Initech ", website="https://www.Initech.example/about")
    assert account.name == "Initech"
    assert account.email_domain == "initech.example"


def test_an_account_has_at_most_one_address_of_each_kind():
    with pytest.raises(InvalidInput) as refused:
        Account.create(name="Initech", addresses=(address(AddressKind.BILLING), address(AddressKind.BILLING)))
    assert refused.value.extra["errors"][0]["field"] == "addresses"


def test_numbering_completes_the_opening_event():
    account = Account.create(name="Initech", type=AccountType.PARTNER, tags=("vip", " vip ", ""))
    account.assign_reference(1042)
    [opened] = account.pull_events()
    assert isinstance(opened, events.AccountOpened)
    assert (opened.reference_number, opened.type, opened.tags) == (1042, "partner", ("vip",))
    [published] = list(translate(opened))
    assert published.event_type == "crm.leads.account_created.v1"
    assert published.reference_number == 1042  # type: ignore[attr-defined]


def test_an_update_records_old_and_new_values_of_changed_fields_only():
    account = Account.create(name="Initech", addresses=(address(AddressKind.DEFAULT),))
    account.pull_events()
    changed = account.update(
        {"name": "Initech", "key_account": True, "addresses": (address(AddressKind.BILLING),)}, by="alice"
    )
    assert set(changed) == {"key_account", "addresses"}
    assert changed["key_account"] == (False, True)
    assert changed["addresses"][1][0]["kind"] == "billing"
    [event] = account.pull_events()
    assert isinstance(event, events.AccountChanged)
    assert event.by == "alice"


def test_an_update_without_changes_records_nothing():
    account = Account.create(name="Initech")
    account.pull_events()
    assert account.update({"name": "Initech"}, by="alice") == {}
    assert account.pull_events() == []


def test_contact_phones_are_stored_in_e164_and_emails_deduplicated():
    person = Contact.create(
        last_name="Hopper",
        emails=["Grace@Navy.example", "grace@navy.example", "g@home.example"],
        phones=["01 23 45 67 89", "+44 20 7946 0958"],
    )
    assert person.phones == ("+33123456789", "+442079460958")
    assert person.emails == ("grace@navy.example", "g@home.example")
    assert (person.email, person.email_domain) == ("grace@navy.example", "navy.example")


def test_an_impossible_phone_number_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        Contact.create(last_name="Hopper", phones=["12"])
    assert refused.value.extra["errors"][0]["field"] == "phones"


def test_the_first_linked_account_is_the_primary_one_and_links_are_unique():
    first, second = (
        AccountLink(Account.create(name="A").id, "buyer"),
        AccountLink(Account.create(name="B").id),
    )
    person = Contact.create(last_name="Hopper", accounts=[first, second])
    assert person.account_id == first.account_id
    with pytest.raises(InvalidInput):
        person.update({"accounts": [first, first]}, by="alice")


def test_contact_created_carries_links_and_preferences():
    account = Account.create(name="Navy")
    person = Contact.create(
        last_name="Hopper", accounts=[AccountLink(account.id, "admiral")], do_not_call=True, by="alice"
    )
    [added] = person.pull_events()
    [published] = list(translate(added))
    assert published.model_dump(mode="json")["accounts"] == [
        {"account_id": str(account.id), "role": "admiral"}
    ]
    assert published.do_not_call is True  # type: ignore[attr-defined]
