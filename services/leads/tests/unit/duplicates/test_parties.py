import uuid

import pytest
from pydantic import ValidationError

from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.duplicates.matching import MatchField, match
from crm_leads.domain.duplicates.parties import (
    ACCOUNT_FIELDS,
    CONTACT_FIELDS,
    LEAD_FIELDS,
    chosen_fields,
    party_of_account,
    party_of_contact,
    party_of_lead,
)
from crm_leads.domain.model import Lead
from crm_leads.entrypoints.duplicates.schemas import MergeIn
from crm_shared.errors import InvalidInput


def test_no_fields_named_means_every_field_of_the_kind():
    assert chosen_fields(None, LEAD_FIELDS) == LEAD_FIELDS
    assert chosen_fields(["email", " phone"], CONTACT_FIELDS) == {MatchField.EMAIL, MatchField.PHONE}


@pytest.mark.parametrize(("names", "allowed"), [(["colour"], LEAD_FIELDS), (["email"], ACCOUNT_FIELDS)])
def test_unknown_or_foreign_fields_are_refused(names, allowed):
    with pytest.raises(InvalidInput) as raised:
        chosen_fields(names, allowed)
    assert raised.value.extra["errors"][0]["field"] == "fields"


def test_accounts_compare_by_company_name_and_domain():
    a = party_of_account(Account.create(name="Société Dupont SARL", email_domain="dupont.example"))
    b = party_of_account(Account.create(name="DUPONT", website="https://www.dupont.example"))
    found = match(a, b, ACCOUNT_FIELDS)
    assert found.reasons == {MatchField.COMPANY: 100.0, MatchField.EMAIL_DOMAIN: 100.0}


def test_leads_and_contacts_compare_every_address_and_number():
    lead = Lead.create(last_name="Lovelace", email="ada@analytical.example", phone="+33612345678")
    contact = Contact.create(last_name="Byron", emails=["x@y.example", "ADA@analytical.example"])
    assert party_of_lead(lead).phones == ("+33612345678",)
    assert match(party_of_lead(lead), party_of_contact(contact), [MatchField.EMAIL]).score == 100.0


def test_a_merge_names_distinct_records_besides_the_survivor():
    survivor, other = uuid.uuid4(), uuid.uuid4()
    assert MergeIn(survivor_id=survivor, merged_ids=[other]).request().merged_ids == (other,)
    for merged in ([survivor], [other, other], []):
        with pytest.raises(ValidationError):
            MergeIn(survivor_id=survivor, merged_ids=merged)
    with pytest.raises(ValidationError):
        MergeIn.model_validate({"survivor_id": str(survivor), "merged_ids": [str(other)], "extra": 1})
