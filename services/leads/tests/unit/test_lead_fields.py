"""Lead fields: emails, E.164 phones, tags, score, and LeadUpdated's old and new values."""

import pytest

from crm_leads.domain import events
from crm_leads.domain import values as lead_fields
from crm_leads.domain.addresses import PostalAddress
from crm_leads.domain.model import Lead
from crm_leads.domain.values import EmailEntry, PhoneEntry, Tag
from crm_leads.service_layer.integration_events import translate
from crm_shared.errors import InvalidInput
from crm_shared.events import Change
from crm_shared.events.leads import LeadTag


def test_phones_are_normalised_to_e164_in_the_address_country():
    assert lead_fields.e164("01 42 68 53 00", region="FR") == "+33142685300"
    assert lead_fields.e164("+44 20 7946 0958", region=None) == "+442079460958"
    assert lead_fields.phone_region(PostalAddress(country="be"), "fr") == "BE"
    assert lead_fields.phone_region(None, "fr") == "FR"
    assert lead_fields.phone_region(None, "en") is None


@pytest.mark.parametrize("raw", ["01 42 68 53 00", "12", "not a number"])
def test_numbers_that_cannot_be_read_are_refused_naming_the_field(raw):
    with pytest.raises(InvalidInput) as refused:
        lead_fields.phones([PhoneEntry(raw)], region=None)
    assert refused.value.extra["errors"][0]["field"] == "phones.0.number"


def test_one_primary_email_comes_first_and_duplicates_are_refused():
    kept = lead_fields.emails([EmailEntry("a@x.example"), EmailEntry("B@X.example", primary=True)])
    assert kept == (EmailEntry("b@x.example", True), EmailEntry("a@x.example", False))
    assert lead_fields.emails([EmailEntry("a@x.example")])[0].primary
    with pytest.raises(InvalidInput):
        lead_fields.emails([EmailEntry("a@x.example"), EmailEntry("A@x.example")])
    with pytest.raises(InvalidInput):
        lead_fields.emails([EmailEntry("a@x.example", True), EmailEntry("b@x.example", True)])


def test_tags_need_a_colour_and_are_unique_by_name():
    assert lead_fields.tags([Tag("VIP", "#FF0000"), Tag("vip", "#00ff00")]) == (Tag("VIP", "#ff0000"),)
    with pytest.raises(InvalidInput):
        lead_fields.tags([Tag("VIP", "red")])


def test_create_keeps_the_shorthand_email_and_phone_as_primary():
    new = Lead.create(last_name="Curie", email="Marie@Radium.Example", phone="+33 1 42 68 53 00")
    assert (new.email, new.phone) == ("marie@radium.example", "+33142685300")
    assert new.email_domain == "radium.example"


@pytest.mark.parametrize("score", [-1, 6])
def test_score_is_zero_to_five(score):
    with pytest.raises(InvalidInput):
        Lead.create(last_name="Curie", score=score)


def test_update_records_old_and_new_values_of_changed_fields_only():
    new = Lead.create(last_name="Curie", score=1)
    new.pull_events()
    changed = new.update({"score": 4, "last_name": "Curie", "key_account": True}, by="alice")
    assert changed == {"score": (1, 4), "key_account": (False, True)}
    [event] = new.pull_events()
    assert event == events.LeadUpdated(new.id, {"score": (1, 4), "key_account": (False, True)}, "alice")
    [v1, v2] = translate(event)
    assert v1.model_dump(mode="json")["changed"] == {"score": [1, 4], "key_account": [False, True]}
    assert v2.model_dump(mode="json")["changes"] == {
        "score": {"before": 1, "after": 4},
        "key_account": {"before": False, "after": True},
    }


def test_an_update_that_changes_nothing_records_nothing():
    new = Lead.create(last_name="Curie")
    new.pull_events()
    assert new.update({"last_name": "Curie"}, by="alice") == {}
    assert new.pull_events() == []


def test_value_objects_in_changes_publish_as_json():
    new = Lead.create(last_name="Curie")
    new.pull_events()
    new.update({"tags": (Tag("vip", "#ff0000"),)}, by="alice")
    [v1, v2] = translate(new.pull_events()[0])
    tags = v1.model_dump(mode="json")["changed"]["tags"]
    assert tags == [[], [{"name": "vip", "colour": "#ff0000"}]]
    assert v2.changes.tags == Change(before=[], after=[LeadTag(name="vip", colour="#ff0000")])


def test_tags_and_addresses_compare_by_their_keys_whatever_the_script():
    kept = lead_fields.tags(
        [Tag("Été"), Tag("ÉTÉ"), Tag("Straße"), Tag("STRASSE"), Tag("İzmir"), Tag("izmir")]
    )
    assert [t.name for t in kept] == ["Été", "Straße", "İzmir", "izmir"]  # the first spelling stays
    with pytest.raises(InvalidInput):
        lead_fields.emails([EmailEntry("ÉLODIE@ÉCOLE.FR"), EmailEntry("E\u0301lodie@École.fr")])
    [kept_address] = lead_fields.emails([EmailEntry(" ÉLODIE@ÉCOLE.FR ")])
    assert kept_address.address == "élodie@école.fr"


def test_search_text_is_casefolded_names_company_and_addresses():
    lead = Lead.create(
        first_name="JÉRÔME", last_name="STRAẞER", company_name="ΟΔΟΣ  Ltd", email="Jérôme@École.FR"
    )
    assert lead.search_text == "jérôme strasser οδοσ ltd jérôme@école.fr"
