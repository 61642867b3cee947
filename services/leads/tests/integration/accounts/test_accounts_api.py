"""Accounts and contacts over HTTP on real PostgreSQL and Kafka: CRUD, filters, If-Match, permissions."""

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("accounts"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.3,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def create_account(leads: RunningService, **fields) -> dict:
    body = {"name": f"Initech {uuid4().hex[:6]}"} | fields
    response = await leads.http.post("/v1/accounts", json=body, headers=SALES)
    assert response.status_code == 201, response.text
    return response.json()


async def create_contact(leads: RunningService, **fields) -> dict:
    response = await leads.http.post("/v1/contacts", json={"last_name": "Hopper"} | fields, headers=SALES)
    assert response.status_code == 201, response.text
    return response.json()


async def test_accounts_are_numbered_in_sequence_and_published(leads, kafka_bootstrap):
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        first = await create_account(
            leads,
            type="partner",
            website="https://www.initech.example",
            tags=["vip"],
            addresses=[{"kind": "billing", "line1": "1 rue de la Paix", "city": "Paris", "country": "fr"}],
        )
        second = await create_account(leads)
        event = await probe.wait_for("crm.leads.account_created.v1", lambda p: p["account_id"] == first["id"])
    assert second["reference_number"] == first["reference_number"] + 1
    assert first["email_domain"] == "initech.example"
    assert first["addresses"][0]["country"] == "FR"
    assert first["owner_id"] == "sales-1"
    assert event.payload["reference_number"] == first["reference_number"]
    assert event.payload["type"] == "partner"


async def test_patch_with_a_stale_if_match_is_refused_and_changes_nothing(leads, kafka_bootstrap):
    account = await create_account(leads)
    url = f"/v1/accounts/{account['id']}"
    read = await leads.http.get(url, headers=SUPPORT)
    assert read.headers["ETag"] == '"1"'
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        updated = await leads.http.patch(
            url, json={"key_account": True, "team": "north"}, headers=SALES | {"If-Match": '"1"'}
        )
        assert updated.status_code == 200, updated.text
        assert updated.headers["ETag"] == '"2"'
        event = await probe.wait_for(
            "crm.leads.account_updated.v1", lambda p: p["account_id"] == account["id"]
        )
    assert event.payload["changed"] == {"key_account": [False, True], "team": [None, "north"]}
    stale = await leads.http.patch(url, json={"name": "Other"}, headers=SALES | {"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert (await leads.http.get(url, headers=SALES)).json()["name"] == account["name"]


async def test_support_cannot_write_and_nothing_changes(leads):
    account = await create_account(leads)
    refused = await leads.http.patch(f"/v1/accounts/{account['id']}", json={"name": "X"}, headers=SUPPORT)
    assert refused.status_code == 403
    assert (await leads.http.post("/v1/accounts", json={"name": "X"}, headers=SUPPORT)).status_code == 403
    assert (await leads.http.get(f"/v1/accounts/{account['id']}", headers=SUPPORT)).json()["version"] == 1


async def test_invalid_input_names_the_fields(leads):
    response = await leads.http.post(
        "/v1/contacts", json={"last_name": "", "emails": ["nope"], "colour": "red"}, headers=SALES
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.last_name", "body.emails.0", "body.colour"} <= fields
    phone = await leads.http.post("/v1/contacts", json={"last_name": "H", "phones": ["12"]}, headers=SALES)
    assert phone.status_code == 422
    assert phone.json()["errors"][0]["field"] == "phones"


async def test_account_filters_and_keyset_pages(leads):
    tag = uuid4().hex[:8]
    made = [await create_account(leads, tags=[tag], type="supplier") for _ in range(3)]
    await create_account(leads, tags=[tag], type="partner")
    first = (await leads.http.get(f"/v1/accounts?tag={tag}&type=supplier&limit=2", headers=SALES)).json()
    cursor = first["next_cursor"]
    second = (
        await leads.http.get(f"/v1/accounts?tag={tag}&type=supplier&cursor={cursor}", headers=SALES)
    ).json()
    seen = [a["id"] for a in first["items"] + second["items"]]
    assert seen == [a["id"] for a in reversed(made)]
    unknown = await leads.http.get("/v1/accounts?colour=red", headers=SALES)
    assert unknown.status_code == 422


async def test_contacts_link_accounts_with_roles_and_find_related_ones(leads, kafka_bootstrap):
    domain = f"{uuid4().hex[:8]}.example"
    first, second = await create_account(leads), await create_account(leads)
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        grace = await create_contact(
            leads,
            emails=[f"grace@{domain}"],
            phones=["01 23 45 67 89"],
            accounts=[{"account_id": first["id"], "role": "CTO"}, {"account_id": second["id"]}],
        )
        await probe.wait_for("crm.leads.contact_created.v1", lambda p: p["contact_id"] == grace["id"])
    assert grace["phones"] == ["+33123456789"]
    assert grace["account_id"] == first["id"]
    assert grace["accounts"][0] == {"account_id": first["id"], "role": "CTO"}
    alan = await create_contact(leads, emails=[f"alan@{domain.upper()}"])
    await create_contact(leads, emails=["someone@gmail.com"])
    related = (await leads.http.get(f"/v1/contacts/{grace['id']}/related", headers=SUPPORT)).json()
    assert [c["id"] for c in related["items"]] == [alan["id"]]
    linked = (await leads.http.get(f"/v1/contacts?account_id={second['id']}", headers=SUPPORT)).json()
    assert [c["id"] for c in linked["items"]] == [grace["id"]]
    by_email = (await leads.http.get(f"/v1/contacts?email=alan@{domain}", headers=SUPPORT)).json()
    assert [c["id"] for c in by_email["items"]] == [alan["id"]]


async def test_a_contact_update_replaces_links_and_refuses_unknown_accounts(leads):
    account = await create_account(leads)
    grace = await create_contact(leads)
    url = f"/v1/contacts/{grace['id']}"
    unknown = await leads.http.patch(url, json={"accounts": [{"account_id": str(uuid4())}]}, headers=SALES)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "accounts"
    linked = await leads.http.patch(
        url,
        json={"accounts": [{"account_id": account["id"], "role": "buyer"}], "do_not_email": True},
        headers=SALES,
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["account_id"] == account["id"]
    assert (await leads.http.get(url, headers=SALES)).json()["do_not_email"] is True
