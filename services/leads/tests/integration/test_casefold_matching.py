"""Case-insensitive uniqueness, search and duplicate checks agree with Python's casefold() on the
C-locale cluster the tests run on (where SQL's lower() leaves "É" alone)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
ADMIN = auth_headers("admin-1", Role.ADMIN)


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads_casefold"), kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    async with running_service(definition(settings)) as service:
        yield service


async def post(leads: RunningService, url: str, body: dict[str, Any], headers=SALES) -> dict[str, Any]:
    response = await leads.http.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def listed(leads: RunningService, url: str, **params: str) -> list[str]:
    response = await leads.http.get(url, params=params | {"limit": "100"}, headers=SALES)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def assert_taken(response: Any, field: str, code: str) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["type"].rsplit("/", 1)[1], body["errors"][0]["field"]) == (code, field)


async def test_an_account_in_capitals_is_a_duplicate_of_its_name_in_lower_case(leads):
    louvre = await post(leads, "/v1/accounts", {"name": "ÉCOLE DU LOUVRE SARL"})
    again = await post(leads, "/v1/accounts", {"name": "école du louvre"})
    assert [(d["id"], d["reasons"]) for d in again["duplicates"]] == [(louvre["id"], {"company": 100.0})]
    found = await leads.http.get(f"/v1/accounts/{louvre['id']}/duplicates", headers=SALES)
    assert [d["id"] for d in found.json()] == [again["id"]]
    # A name all accented capitals: pg_trgm on a C-locale cluster sees no word in "ÉTÉ".
    summer = await post(leads, "/v1/accounts", {"name": "ÉTÉ SAS"})
    assert [d["id"] for d in (await post(leads, "/v1/accounts", {"name": "été"}))["duplicates"]] == [
        summer["id"]
    ]
    strasse = await post(leads, "/v1/accounts", {"name": "Hauptstraße Immobilien GmbH"})
    upper = await post(leads, "/v1/accounts", {"name": "HAUPTSTRASSE IMMOBILIEN"})
    assert [d["id"] for d in upper["duplicates"]] == [strasse["id"]]


async def test_contacts_with_non_ascii_capitals_are_found_by_name_and_address(leads):
    first = {"first_name": "ÉLODIE", "last_name": "MÜLLER", "emails": ["ÉLODIE.MÜLLER@ÉCOLE.FR"]}
    elodie = await post(leads, "/v1/contacts", first)
    assert elodie["emails"] == ["élodie.müller@école.fr"]
    by_name = await post(leads, "/v1/contacts", {"first_name": "élodie", "last_name": "müller"})
    assert [(d["id"], list(d["reasons"])) for d in by_name["duplicates"]] == [(elodie["id"], ["name"])]
    by_address = await post(
        leads, "/v1/contacts", {"last_name": "Autre", "emails": ["Élodie.Müller@École.fr"]}
    )
    [warning] = by_address["duplicates"]
    assert (warning["id"], warning["reasons"]["email"]) == (elodie["id"], 100.0)
    filtered = await listed(leads, "/v1/contacts", email="ÉLODIE.MÜLLER@école.FR")
    assert sorted(filtered) == sorted([elodie["id"], by_address["id"]])


async def test_a_non_latin_name_equal_by_casefold_is_a_duplicate_whatever_the_locale(leads):
    # pg_trgm sees no word in Greek on a C-locale cluster: the casefolded substring finds it.
    nikos = await post(leads, "/v1/contacts", {"first_name": "ΝΊΚΟΣ", "last_name": "ΠΑΠΑΔΌΠΟΥΛΟΣ"})
    lower = await post(leads, "/v1/contacts", {"first_name": "Νίκος", "last_name": "Παπαδόπουλος"})
    assert [d["id"] for d in lower["duplicates"]] == [nikos["id"]]


async def test_a_lead_in_capitals_is_a_duplicate_and_found_by_text_search(leads):
    body = {"first_name": "JÉRÔME", "last_name": "STRAẞER", "company_name": "ÉCOLE DU LOUVRE SARL"}
    first = await post(leads, "/v1/leads", body | {"email": "JEROME@LOUVRE.EXAMPLE"})
    second = await post(
        leads,
        "/v1/leads",
        {"first_name": "jérôme", "last_name": "strasser", "company_name": "école du louvre"},
    )
    [warning] = second["duplicates"]
    assert warning["id"] == first["id"]
    assert (warning["reasons"]["name"], warning["reasons"]["company"]) == (100.0, 100.0)
    for q in ("école du louvre", "STRASSER", "jérôme", "jerome@louvre.example"):
        assert first["id"] in await listed(leads, "/v1/leads", q=q), q
    assert first["id"] not in await listed(leads, "/v1/leads", q="ecole du louvre")  # casefold keeps accents


async def test_accounts_and_contacts_are_found_by_text_whatever_the_case(leads):
    account = await post(leads, "/v1/accounts", {"name": "ÉDITIONS ÎLE-DE-FRANCE"})
    contact = await post(leads, "/v1/contacts", {"first_name": "Ørsted", "last_name": "ÅSE"})
    assert account["id"] in await listed(leads, "/v1/accounts", q="éditions île")
    assert contact["id"] in await listed(leads, "/v1/contacts", q="ørsted åse")


async def test_conversion_offers_the_account_named_in_capitals(leads):
    account = await post(leads, "/v1/accounts", {"name": "ÉTOILE ÉLECTRIQUE SA"})
    lead = await post(leads, "/v1/leads", {"last_name": "Monet", "company_name": "étoile électrique"})
    refused = await leads.http.post(f"/v1/leads/{lead['id']}/convert", json={}, headers=SALES)
    assert refused.status_code == 409, refused.text
    assert [(c["id"], c["reasons"]) for c in refused.json()["candidates"]] == [(account["id"], ["name"])]


def status(key: str, label_en: str, label_fr: str) -> dict[str, Any]:
    return {"key": key, "label_en": label_en, "label_fr": label_fr, "position": 3}


async def test_status_labels_are_unique_per_language_as_casefold_decides(leads):
    url = "/v1/lead-statuses"
    await post(leads, url, status("team_isle", "Équipe Île", "Équipe Île"), ADMIN)
    clash = await leads.http.post(url, json=status("team_isle_2", "ÉQUIPE ÎLE", "Autre"), headers=ADMIN)
    assert_taken(clash, "label_en", "status_label_taken")
    clash = await leads.http.post(url, json=status("lost_again", "Lost again", "PERDU"), headers=ADMIN)
    assert_taken(clash, "label_fr", "status_label_taken")
    await post(leads, url, status("street", "Straße", "Rue"), ADMIN)
    clash = await leads.http.post(url, json=status("street_2", "STRASSE", "Rue 2"), headers=ADMIN)
    assert_taken(clash, "label_en", "status_label_taken")
    await post(leads, url, status("izmir", "İzmir", "İzmir"), ADMIN)
    await post(leads, url, status("izmir_plain", "izmir", "izmir"), ADMIN)  # Python keeps them apart
    renamed = await leads.http.patch(f"{url}/street", json={"label_en": "équipe  île"}, headers=ADMIN)
    assert_taken(renamed, "label_en", "status_label_taken")
    exists = await leads.http.post(url, json=status("street", "Street", "Voie"), headers=ADMIN)
    assert_taken(exists, "key", "status_exists")
    labels = [s["label_en"] for s in (await leads.http.get(url, headers=SALES)).json()]
    assert (labels.count("Straße"), labels.count("STRASSE")) == (1, 0)


async def test_reference_values_are_unique_as_casefold_decides(leads):
    url = "/v1/reference-values"
    await post(leads, url, {"kind": "function", "value": "Directrice Générale Straße"}, ADMIN)
    clash = await leads.http.post(
        url, json={"kind": "function", "value": "DIRECTRICE  GÉNÉRALE STRASSE"}, headers=ADMIN
    )
    assert_taken(clash, "value", "reference_exists")
    await post(leads, url, {"kind": "department", "value": "İzmir"}, ADMIN)
    await post(leads, url, {"kind": "department", "value": "izmir"}, ADMIN)
