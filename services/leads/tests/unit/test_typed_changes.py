"""Every field a lead, an account or a contact can change reaches its typed `.v2` update event: a field
added or renamed in the domain without its contract fails here, not in a consumer."""

from typing import get_args
from uuid import uuid4

import pytest

from crm_leads.domain import events, model
from crm_leads.domain.accounts import account as accounts
from crm_leads.domain.accounts import contact as account_contacts
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.accounts.values import AccountLink, AccountType
from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.model import Lead
from crm_leads.domain.values import EmailEntry, PhoneEntry, PhoneKind, Tag
from crm_leads.domain.workflows.intake import MAPPABLE_FIELDS, FormSubmitted
from crm_leads.service_layer.integration_events import translate
from crm_shared.events import Change, IntegrationEvent, UnpublishedChange
from crm_shared.events.accounts import AccountChanges, AccountUpdatedV2, ContactChanges, ContactUpdatedV2
from crm_shared.events.leads import (
    LeadAddress,
    LeadChanges,
    LeadEmail,
    LeadPhone,
    LeadTag,
    LeadUpdated,
    LeadUpdatedV2,
)

LEAD_VALUES = {
    "first_name": "Marie", "last_name": "Sklodowska", "company_name": "Radium", "job_title": "Director",
    "function": "Research", "department": "Physics", "industry_sector": "Science",
    "emails": (EmailEntry("marie@radium.fr", True), EmailEntry("m@curie.fr")),
    "phones": (PhoneEntry("+33142685300", PhoneKind.MOBILE, True),),
    "address": PostalAddress(line1="1 rue Pierre et Marie Curie", city="Paris", country="FR"),
    "website": "radium.fr", "source": "web", "category": "lab", "tags": (Tag("vip", "#ff0000"),),
    "score": 4, "company_size": "11-50", "key_account": True, "nurturing": True, "do_not_call": True,
    "do_not_email": True, "language": "fr", "team": "north", "description": "Two Nobel prizes",
    "utm_source": "news", "utm_medium": "mail", "utm_campaign": "spring", "utm_term": "radium",
    "utm_content": "banner",
}  # fmt: skip
ACCOUNT_VALUES = {
    "name": "Radium SA", "type": AccountType.CUSTOMER, "website": "https://radium.fr",
    "email_domain": "radium.fr", "owner_id": "sales-2", "csm_id": "csm-1", "team": "north",
    "language": "fr", "key_account": True, "tags": ("lab", "vip"),
    "addresses": (
        PostalAddress.of({"kind": "billing", "line1": "1 rue Curie", "country": "fr", "city": "Paris"}),
    ),
}  # fmt: skip
LINKED = uuid4()
CONTACT_VALUES = {
    "first_name": "Irène", "last_name": "Joliot-Curie", "emails": ["irene@radium.fr", "ijc@curie.fr"],
    "phones": ["+33142685301"], "job_title": "Chemist", "language": "fr", "do_not_email": True,
    "do_not_call": True, "accounts": [AccountLink(LINKED, "buyer")],
}  # fmt: skip


def published(domain_event: object, kind: type[IntegrationEvent]) -> IntegrationEvent:
    [found] = [e for e in translate(domain_event) if isinstance(e, kind)]
    return found


def test_the_samples_cover_every_editable_field():
    assert set(LEAD_VALUES) == model.EDITABLE
    assert set(ACCOUNT_VALUES) == accounts.EDITABLE
    assert set(CONTACT_VALUES) == account_contacts.EDITABLE


def test_every_changeable_field_of_a_lead_is_published_typed():
    lead = Lead.create(last_name="Curie")
    lead.pull_events()
    lead.update(LEAD_VALUES, by="alice")
    [event] = lead.pull_events()
    v2 = published(event, LeadUpdatedV2)
    assert isinstance(v2, LeadUpdatedV2)
    assert v2.changes.changed_fields() == model.EDITABLE
    assert v2.changes.emails == Change(
        before=[], after=[LeadEmail(address="marie@radium.fr", primary=True), LeadEmail(address="m@curie.fr")]
    )
    assert v2.changes.phones == Change(
        before=[], after=[LeadPhone(number="+33142685300", kind="mobile", primary=True)]
    )
    assert v2.changes.address == Change(
        before=None, after=LeadAddress(street="1 rue Pierre et Marie Curie", city="Paris", country="FR")
    )
    assert v2.changes.tags == Change(before=[], after=[LeadTag(name="vip", colour="#ff0000")])
    assert v2.changes.score == Change(before=0, after=4)
    assert set(published(event, LeadUpdated).changed) == model.EDITABLE  # v1 is still published


def test_every_field_a_web_form_fills_is_published_typed():
    filled = {name: (None, "fr" if name == "language" else f"{name} value") for name in MAPPABLE_FIELDS}
    submitted = FormSubmitted(uuid4(), "contact-fr", uuid4(), False, filled, {}, "web-form:contact-fr")
    v2 = published(submitted, LeadUpdatedV2)
    assert isinstance(v2, LeadUpdatedV2)
    assert v2.changes.changed_fields() == MAPPABLE_FIELDS
    assert v2.changes.email == Change(before=None, after="email value")


def test_the_phone_kinds_of_the_contract_are_the_domains():
    kind = LeadPhone.model_fields["kind"].annotation
    assert set(get_args(kind)) == {k.value for k in PhoneKind}


def test_every_changeable_field_of_an_account_is_published_typed():
    account = Account.create(name="Radium", by="alice")
    account.pull_events()
    account.update(ACCOUNT_VALUES, by="alice")
    [event] = account.pull_events()
    v2 = published(event, AccountUpdatedV2)
    assert isinstance(v2, AccountUpdatedV2)
    assert v2.changes.changed_fields() == accounts.EDITABLE
    assert v2.changes.type == Change(before="prospect", after="customer")
    assert v2.changes.tags == Change(before=[], after=["lab", "vip"])
    assert v2.changes.addresses is not None
    [billing] = v2.changes.addresses.after or []
    assert (billing.kind, billing.line1, billing.city) == ("billing", "1 rue Curie", "Paris")
    assert billing.country == "FR"  # as the domain normalised it


def test_every_changeable_field_of_a_contact_is_published_typed():
    contact = Contact.create(last_name="Curie", by="alice")
    contact.pull_events()
    contact.update(CONTACT_VALUES, by="alice")
    [event] = contact.pull_events()
    v2 = published(event, ContactUpdatedV2)
    assert isinstance(v2, ContactUpdatedV2)
    assert v2.changes.changed_fields() == account_contacts.EDITABLE
    assert v2.changes.emails == Change(before=[], after=["irene@radium.fr", "ijc@curie.fr"])
    assert v2.changes.accounts is not None
    assert [(link.account_id, link.role) for link in v2.changes.accounts.after or []] == [(LINKED, "buyer")]


@pytest.mark.parametrize(
    "renamed",
    [
        events.LeadUpdated(uuid4(), {"surname": ("Curie", "Sklodowska")}, "alice"),
        FormSubmitted(uuid4(), "k", uuid4(), False, {"mobile": (None, "+33142685300")}, {}, "web-form:k"),
    ],
    ids=["lead", "web-form"],
)
def test_a_field_the_lead_contract_lacks_cannot_be_published(renamed: object):
    with pytest.raises(UnpublishedChange, match="LeadChanges has no field"):
        translate(renamed)


def test_the_account_and_contact_contracts_refuse_fields_they_lack():
    with pytest.raises(UnpublishedChange, match="AccountChanges has no field vat_number"):
        AccountChanges.of({"vat_number": (None, "FR123")})
    with pytest.raises(UnpublishedChange, match="ContactChanges has no field mobile"):
        ContactChanges.of({"mobile": (None, "+33142685300")})


def test_a_lead_contract_consumer_reads_what_the_producer_wrote():
    lead = Lead.create(last_name="Curie")
    lead.pull_events()
    lead.update({"tags": (Tag("vip", "#ff0000"),), "score": 2}, by="alice")
    v2 = published(lead.pull_events()[0], LeadUpdatedV2)
    read = LeadUpdatedV2.model_validate_json(v2.model_dump_json())
    assert read == v2
    assert read.changes == LeadChanges(
        tags=Change(before=[], after=[LeadTag(name="vip", colour="#ff0000")]), score=Change(before=0, after=2)
    )
