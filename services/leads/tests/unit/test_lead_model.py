import pytest

from crm_leads.domain import events
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.model import Lead, LeadStatus
from crm_leads.service_layer.integration_events import translate
from crm_shared.errors import Conflict
from crm_shared.events import UntranslatedEvent


def lead(**fields) -> Lead:
    return Lead.create(last_name="Lovelace", first_name="Ada", email="Ada@Analytical.Example", **fields)


def test_new_lead_records_creation_and_starts_to_process():
    new = lead(company_name="Analytical")
    assert new.status is LeadStatus.TO_PROCESS
    assert [type(e) for e in new.pull_events()] == [events.LeadCreated]
    assert new.pull_events() == []


def test_conversion_links_the_lead_and_records_every_id():
    new = lead(company_name="Analytical")
    new.pull_events()
    account = Account.open_from(new)
    contact = Contact.from_lead(new, account)
    deal = events.DealRequest("Engine", 100, "EUR", "alice")
    new.convert(account=account, contact=contact, deal=deal, by="alice")
    assert new.status is LeadStatus.CONVERTED
    assert (new.account_id, new.contact_id) == (account.id, contact.id)
    converted, moved = new.pull_events()
    assert converted == events.LeadConverted(new.id, account.id, contact.id, deal, "alice")
    assert moved == events.LeadStatusChanged(new.id, "to_process", "converted", "alice")


def test_account_is_named_after_the_company_else_the_person():
    assert Account.open_from(lead(company_name="Analytical")).name == "Analytical"
    assert Account.open_from(lead()).name == "Ada Lovelace"
    assert Account.open_from(lead()).email_domain == "analytical.example"


@pytest.mark.parametrize("status", [LeadStatus.CONVERTED, LeadStatus.LOST])
def test_closed_leads_cannot_be_converted(status):
    new = lead()
    new.status = status
    with pytest.raises(Conflict):
        new.convert(account=Account.open_from(new), contact=None, deal=None, by="alice")
    assert new.account_id is None


def test_conversion_without_deal_translates_to_an_event_without_deal():
    new = lead()
    account = Account.open_from(new)
    new.convert(account=account, contact=None, deal=None, by="alice")
    [published] = list(translate(new.pull_events()[-2]))
    assert published.deal is None
    assert published.contact_id is None
    assert published.event_type == "crm.leads.lead_converted.v1"


def test_an_event_the_service_does_not_declare_cannot_be_translated():
    with pytest.raises(UntranslatedEvent, match="neither published nor internal"):
        translate(object())
