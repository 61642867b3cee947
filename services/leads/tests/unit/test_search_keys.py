"""The derived columns the repositories write for search and duplicate checks (ADR 0006)."""

from crm_leads.adapters.search_keys import account_keys, contact_search_text
from crm_leads.domain.duplicates.matching import company_key


def test_an_account_name_in_capitals_has_the_keys_of_its_lower_case_spelling():
    upper, lower = account_keys("ÉCOLE DU LOUVRE SARL"), account_keys("école du louvre sarl")
    assert upper == lower
    assert upper["search_text"] == "école du louvre sarl"
    assert upper["name_key"] == company_key("école du louvre") == "ecole du louvre"
    assert account_keys("Hauptstraße  GmbH") == account_keys("HAUPTSTRASSE GMBH")


def test_a_contact_search_text_holds_its_names_and_every_address_casefolded():
    text = contact_search_text("ÉLODIE", "STRAẞER", ["élodie@école.fr", "e.s@x.example"])
    assert text == "élodie strasser élodie@école.fr e.s@x.example"
    assert contact_search_text(None, "ΟΔΟΣ", []) == contact_search_text(None, "οδος", [])
