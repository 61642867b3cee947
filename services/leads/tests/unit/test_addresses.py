"""One postal address for every record, stored and published in the shapes leads and accounts always
had: a lead's `{street, ...}`, an account's typed `{kind, line1, line2, ...}`."""

import pytest

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.values import plain
from crm_leads.domain.addresses import AddressKind, PostalAddress
from crm_leads.domain.model import Lead
from crm_leads.service_layer.integration_events import translate
from crm_shared.errors import InvalidInput
from crm_shared.events.accounts import AccountAddress, AccountCreated
from crm_shared.events.leads import LeadAddress, LeadUpdated


def test_a_leads_address_reads_and_writes_its_street_shape():
    stored = {
        "street": "1 rue Curie",
        "postal_code": "75005",
        "city": "Paris",
        "region": None,
        "country": "FR",
    }
    address = PostalAddress.of(stored)
    assert (address.line1, address.street, address.kind) == ("1 rue Curie", "1 rue Curie", None)
    assert address.street_fields() == stored
    assert set(stored) == set(LeadAddress.model_fields)


def test_an_accounts_address_is_typed_and_plain_in_the_published_shape():
    address = PostalAddress.of({"kind": "billing", "line1": "1 rue de la Paix", "country": "fr"})
    assert (address.kind, address.country) == (AddressKind.BILLING, "FR")
    published = plain(address)
    assert published == {
        "kind": "billing", "line1": "1 rue de la Paix", "country": "FR", "line2": None,
        "postal_code": None, "city": None, "region": None,
    }  # fmt: skip
    assert set(published) == set(AccountAddress.model_fields)


def test_a_lead_update_publishes_the_address_with_its_street():
    lead = Lead.create(last_name="Curie")
    lead.pull_events()
    lead.update({"address": PostalAddress(line1="1 rue Curie", city="Paris", country="FR")}, by="alice")
    [v1] = [e for e in translate(lead.pull_events()[0]) if isinstance(e, LeadUpdated)]
    before, after = v1.changed["address"]
    assert before is None
    assert after == {
        "street": "1 rue Curie",
        "postal_code": None,
        "city": "Paris",
        "region": None,
        "country": "FR",
    }


def test_an_account_publishes_its_typed_addresses():
    billing = PostalAddress.of({"kind": "billing", "line1": "1 rue de la Paix", "country": "fr"})
    account = Account.create(name="Initech", addresses=(billing,))
    [created] = [e for e in translate(account.pull_events()[0]) if isinstance(e, AccountCreated)]
    assert created.addresses == [AccountAddress(kind="billing", line1="1 rue de la Paix", country="FR")]


@pytest.mark.parametrize(
    "address",
    [
        PostalAddress(line1="1 rue de la Paix", country="FR"),
        PostalAddress(kind=AddressKind.BILLING, country="FR"),
    ],
    ids=["untyped", "no first line"],
)
def test_an_account_refuses_an_address_without_kind_or_first_line(address: PostalAddress):
    with pytest.raises(InvalidInput, match="kind, a first line and a country"):
        Account.create(name="Initech", addresses=(address,))
