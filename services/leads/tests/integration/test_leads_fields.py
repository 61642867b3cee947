"""Lead fields over HTTP: create, PATCH with If-Match, reference lists, permissions, LeadUpdated."""

from collections.abc import AsyncIterator

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES, team="north")
ADMIN = auth_headers("admin-1", Role.ADMIN)
SUPPORT = auth_headers("support-1", Role.SUPPORT)
CSM = auth_headers("csm-1", Role.CSM)
FULL = {
    "first_name": "Marie",
    "last_name": "Curie",
    "company_name": "Radium Institute",
    "job_title": "Director",
    "function": "Research  director",
    "department": "R&D",
    "industry_sector": "Science",
    "emails": [{"address": "marie@radium.example"}, {"address": "M.Curie@Sorbonne.example", "primary": True}],
    "phones": [
        {"number": "01 42 68 53 00", "kind": "work"},
        {"number": "+33 6 12 34 56 78", "kind": "mobile"},
    ],
    "address": {
        "street": "11 rue Pierre et Marie Curie",
        "postal_code": "75005",
        "city": "Paris",
        "country": "FR",
    },
    "website": "radium.example",
    "source": "event",
    "category": "research",
    "tags": [{"name": "VIP", "colour": "#FF0000"}],
    "score": 4,
    "company_size": "51-200",
    "key_account": True,
    "nurturing": False,
    "do_not_call": True,
    "do_not_email": False,
    "language": "fr",
    "description": "Met at the physics congress",
    "utm_source": "congress",
    "utm_medium": "booth",
    "utm_campaign": "autumn",
}


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads_fields"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def create(leads: RunningService, body: dict | None = None) -> dict:
    response = await leads.http.post("/v1/leads", json=body or FULL, headers=SALES)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    return response.json()


async def test_every_field_is_kept_and_normalised(leads):
    lead = await create(leads)
    assert lead["email"] == "m.curie@sorbonne.example"
    assert [e["address"] for e in lead["emails"]] == ["m.curie@sorbonne.example", "marie@radium.example"]
    assert [p["number"] for p in lead["phones"]] == ["+33142685300", "+33612345678"]
    assert lead["phone"] == "+33142685300"
    assert lead["tags"] == [{"name": "VIP", "colour": "#ff0000"}]
    assert (lead["website"], lead["function"], lead["team"]) == (
        "https://radium.example",
        "Research director",
        "north",
    )
    assert (lead["owner_id"], lead["status"], lead["score"], lead["company_size"]) == (
        "sales-1",
        "to_process",
        4,
        "51-200",
    )
    again = (await leads.http.get(f"/v1/leads/{lead['id']}", headers=SUPPORT)).json()
    assert again == {k: v for k, v in lead.items() if k != "duplicates"}  # a warning of create only


async def test_new_function_values_join_their_list_and_sources_must_exist(leads):
    await create(leads, {"last_name": "Meitner", "function": "research DIRECTOR"})
    functions = (await leads.http.get("/v1/reference-values?kind=function", headers=SUPPORT)).json()
    assert [f["value"] for f in functions] == ["Research director"]  # one value, matched whatever its case
    refused = await leads.http.post(
        "/v1/leads", json={"last_name": "Noether", "source": "carrier pigeon"}, headers=SALES
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "source"


async def test_only_admin_edits_reference_lists(leads):
    body = {"kind": "source", "value": "carrier pigeon", "label_fr": "Pigeon voyageur"}
    assert (await leads.http.post("/v1/reference-values", json=body, headers=SALES)).status_code == 403
    sources = (await leads.http.get("/v1/reference-values?kind=source", headers=SALES)).json()
    assert "carrier pigeon" not in [s["value"] for s in sources]
    added = await leads.http.post("/v1/reference-values", json=body, headers=ADMIN)
    assert added.status_code == 201, added.text
    assert (await leads.http.post("/v1/reference-values", json=body, headers=ADMIN)).status_code == 409
    await create(leads, {"last_name": "Noether", "source": "Carrier Pigeon"})
    retired = await leads.http.patch(
        f"/v1/reference-values/{added.json()['id']}", json={"active": False}, headers=ADMIN
    )
    assert retired.json()["active"] is False
    refused = await leads.http.post(
        "/v1/leads", json={"last_name": "Noether", "source": "carrier pigeon"}, headers=SALES
    )
    assert refused.status_code == 422


async def test_patch_with_if_match_publishes_old_and_new_values(leads, kafka_bootstrap):
    lead = await create(leads)
    url = f"/v1/leads/{lead['id']}"
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        response = await leads.http.patch(
            url, json={"score": 2, "nurturing": True, "job_title": None}, headers=SALES | {"If-Match": '"1"'}
        )
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == '"2"'
        event = await probe.wait_for("crm.leads.lead_updated.v1", lambda p: p["lead_id"] == lead["id"])
    assert event.payload["changed"] == {
        "score": [4, 2],
        "nurturing": [False, True],
        "job_title": ["Director", None],
    }
    assert event.payload["updated_by"] == "sales-1"

    stale = await leads.http.patch(url, json={"score": 5}, headers=SALES | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    current = (await leads.http.get(url, headers=SALES)).json()
    assert (current["score"], current["version"]) == (2, 2)


async def test_invalid_changes_name_their_field_and_change_nothing(leads):
    lead = await create(leads)
    url = f"/v1/leads/{lead['id']}"
    cases = {
        "body.last_name": {"last_name": None},
        "body.score": {"score": 6},
        "body.emails.0.address": {"emails": [{"address": "nope"}]},
        "phones.0.number": {"phones": [{"number": "12"}]},
        "body.unknown": {"unknown": 1},
    }
    for field, body in cases.items():
        response = await leads.http.patch(url, json=body, headers=SALES)
        assert response.status_code == 422, (field, response.text)
        assert field in [e["field"] for e in response.json()["errors"]]
    assert (await leads.http.get(url, headers=SALES)).json()["version"] == 1


async def test_refused_writes_change_nothing(leads):
    lead = await create(leads)
    url = f"/v1/leads/{lead['id']}"
    assert (await leads.http.patch(url, json={"score": 1}, headers=SUPPORT)).status_code == 403
    assert (await leads.http.post("/v1/leads", json=FULL, headers=CSM)).status_code == 403
    assert (
        await leads.http.patch(url, json={"function": "Brand new function"}, headers=CSM)
    ).status_code == 403
    functions = (await leads.http.get("/v1/reference-values?kind=function", headers=SALES)).json()
    assert "Brand new function" not in [f["value"] for f in functions]
    assert (await leads.http.get(url, headers=SALES)).json()["version"] == 1


async def test_a_converted_lead_is_read_only(leads):
    lead = await create(leads)
    converted = await leads.http.post(f"/v1/leads/{lead['id']}/convert", json={}, headers=SALES)
    assert converted.status_code == 200, converted.text
    refused = await leads.http.patch(f"/v1/leads/{lead['id']}", json={"score": 1}, headers=SALES)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/lead_converted")
