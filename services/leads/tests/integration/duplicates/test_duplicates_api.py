"""Duplicate checks over HTTP on real PostgreSQL: warnings on create, fuzzy search on chosen fields."""

from collections.abc import AsyncIterator

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("duplicates"), kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    async with running_service(definition(settings)) as service:
        yield service


async def post(leads: RunningService, url: str, body: dict) -> dict:
    response = await leads.http.post(url, json=body, headers=SALES)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_new_lead_warns_of_look_alikes_and_is_created_anyway(leads):
    ada = {"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical Engines Ltd"}
    first = await post(leads, "/v1/leads", ada | {"email": "ada@analytical.example"})
    assert first["duplicates"] == []
    second = await post(leads, "/v1/leads", ada | {"email": "ADA@analytical.example", "company_name": "X"})
    [warning] = second["duplicates"]
    assert (warning["id"], warning["score"]) == (first["id"], 100.0)
    assert warning["reasons"]["email"] == 100.0
    assert warning["label"] == "Ada Lovelace (Analytical Engines Ltd)"
    stranger = await post(leads, "/v1/leads", {"last_name": "Hopper", "company_name": "Cobol Inc"})
    assert stranger["duplicates"] == []
    assert (await leads.http.get(f"/v1/leads/{second['id']}", headers=SALES)).status_code == 200


async def test_find_duplicates_compares_only_the_chosen_fields(leads):
    a = await post(
        leads, "/v1/leads", {"first_name": "Jean-Pierre", "last_name": "Dupont", "phone": "+33612345678"}
    )
    b = await post(
        leads, "/v1/leads", {"first_name": "Dupont", "last_name": "Jean Pierre", "email": "jp@dupont.example"}
    )
    url = f"/v1/leads/{b['id']}/duplicates"
    by_name = (await leads.http.get(url, params={"fields": "name", "threshold": 80}, headers=SUPPORT)).json()
    assert [(d["id"], list(d["reasons"])) for d in by_name] == [(a["id"], ["name"])]
    assert by_name[0]["score"] >= 80
    by_phone = await leads.http.get(url, params={"fields": "phone,email"}, headers=SUPPORT)
    assert by_phone.json() == []
    wrong = await leads.http.get(url, params={"fields": "name,colour"}, headers=SUPPORT)
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "fields")
    assert (await leads.http.get(url, params={"threshold": 101}, headers=SUPPORT)).status_code == 422


async def test_contacts_match_on_a_number_written_nationally(leads):
    first = await post(leads, "/v1/contacts", {"last_name": "Curie", "phones": ["+33 1 23 45 67 89"]})
    second = await post(leads, "/v1/contacts", {"last_name": "Sklodowska", "phones": ["01 23 45 67 89"]})
    assert [(d["id"], d["reasons"]) for d in second["duplicates"]] == [(first["id"], {"phone": 100.0})]
    found = await leads.http.get(f"/v1/contacts/{first['id']}/duplicates", headers=SALES)
    assert [d["id"] for d in found.json()] == [second["id"]]
    refused = await leads.http.get(f"/v1/contacts/{first['id']}/duplicates?fields=company", headers=SALES)
    assert refused.status_code == 422


async def test_accounts_match_by_company_name_and_domain(leads):
    first = await post(
        leads, "/v1/accounts", {"name": "Société Durand S.A.R.L.", "email_domain": "durand.example"}
    )
    second = await post(leads, "/v1/accounts", {"name": "DURAND", "website": "https://www.durand.example"})
    [warning] = second["duplicates"]
    assert warning["id"] == first["id"]
    assert warning["reasons"] == {"company": 100.0, "email_domain": 100.0}
    url = f"/v1/accounts/{second['id']}/duplicates"
    by_domain = (
        await leads.http.get(url, params={"fields": "email_domain", "threshold": 50}, headers=SALES)
    ).json()
    assert [(d["id"], d["score"]) for d in by_domain] == [(first["id"], 60.0)]
    assert (
        await leads.http.get(url, params={"fields": "email_domain", "threshold": 61}, headers=SALES)
    ).json() == []
