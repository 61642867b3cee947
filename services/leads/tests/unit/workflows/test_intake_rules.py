from datetime import UTC, datetime

import pytest

from crm_leads.domain.model import Lead
from crm_leads.domain.workflows.intake import FormSubmitted, IntakeForm, RateLimit, fill_empty
from crm_leads.service_layer.integration_events import translate
from crm_shared.errors import Forbidden, InvalidInput
from crm_shared.events import Change
from crm_shared.events.leads import LeadChanges

MAPPING = {"nom": "last_name", "courriel": "email", "societe": "company_name", "tel": "phone"}


def form(**fields) -> IntakeForm:
    values = {"form_key": "contact-fr", "name": "Contact", "field_mapping": MAPPING} | fields
    return IntakeForm.create(consent_fields=["optin"], **values)


def error_field(refused: pytest.ExceptionInfo[InvalidInput]) -> str:
    return refused.value.extra["errors"][0]["field"]


def test_a_submission_maps_form_fields_to_lead_fields_and_records_consents():
    entry = form().read({"nom": " Curie ", "courriel": "Marie@Radium.FR", "optin": True, "website_url": ""})
    assert entry.values == {"last_name": "Curie", "email": "marie@radium.fr"}
    assert entry.consents == {"optin": True}
    assert not entry.spam


def test_a_filled_honeypot_marks_spam_without_validating():
    entry = form().read({"website_url": "http://spam.example", "nom": ""})
    assert entry.spam


@pytest.mark.parametrize(
    ("submission", "field"),
    [
        ({"courriel": "a@b.fr"}, "body.nom"),
        ({"nom": "Curie", "courriel": "not-an-email"}, "body.courriel"),
        ({"nom": "Curie", "courriel": "a@b.fr", "extra": "x"}, "body.extra"),
        ({"nom": "Curie", "courriel": "a@b.fr", "optin": "maybe"}, "body.optin"),
        ({"nom": "x" * 2001, "courriel": "a@b.fr"}, "body.nom"),
    ],
)
def test_invalid_submissions_name_the_form_field(submission, field):
    with pytest.raises(InvalidInput) as refused:
        form().read(submission)
    assert error_field(refused) == field


@pytest.mark.parametrize(
    "mapping",
    [
        {"nom": "last_name"},
        {"nom": "last_name", "mail": "email", "x": "owner_id"},
        {"a": "email", "b": "email"},
    ],
)
def test_a_form_must_map_name_and_email_to_lead_fields_once(mapping):
    with pytest.raises(InvalidInput) as refused:
        form(field_mapping=mapping)
    assert error_field(refused) == "field_mapping"


def test_closed_forms_and_foreign_origins_are_refused():
    with pytest.raises(Forbidden):
        form(allowed_origins=["https://www.example.fr"]).admit("https://evil.example")
    with pytest.raises(Forbidden):
        form(active=False).admit(None)
    form(allowed_origins=["https://www.example.fr"]).admit("https://www.example.fr")
    form().admit(None)


def test_a_form_completes_only_the_empty_fields_of_a_lead():
    lead = Lead.create(last_name="Curie", email="marie@radium.fr")
    filled = fill_empty(lead, {"last_name": "Sklodowska", "company_name": "Radium", "email": "m@x.fr"})
    assert filled == {"company_name": (None, "Radium")}
    assert (lead.last_name, lead.company_name, lead.email) == ("Curie", "Radium", "marie@radium.fr")


def test_completing_an_open_lead_is_published_as_an_update_and_a_new_lead_is_not():
    lead = Lead.create(last_name="Curie")
    done = FormSubmitted(lead.id, "k", lead.id, False, {"company_name": (None, "Radium")}, {}, "web-form:k")
    [v1, v2] = list(translate(done))
    assert v1.changed == {"company_name": (None, "Radium")}
    assert v2.changes == LeadChanges(company_name=Change(before=None, after="Radium"))
    created = FormSubmitted(lead.id, "k", lead.id, True, {}, {"optin": True}, "web-form:k")
    assert list(translate(created)) == []


def test_rate_limit_windows_are_fixed_and_say_how_long_to_wait():
    limit = RateLimit(limit=3, window_s=60)
    now = datetime(2026, 11, 23, 10, 0, 45, 500_000, tzinfo=UTC)
    assert limit.window(now) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert limit.retry_after(now) == 15
