"""Lead conversion over HTTP against real PostgreSQL and Kafka: exactly once, whatever the client does."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_leads.adapters.accounts.tables import accounts, contacts
from crm_leads.adapters.workflows.tables import idempotency_keys
from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
OTHER_SALES = auth_headers("sales-2", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)
CONVERTED = "crm.leads.lead_converted.v1"
PIPELINE, STAGE = "0193a9a0-0000-7000-8000-000000000001", "0193a9a0-0000-7000-8000-000000000002"


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.2,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def create_lead(leads: RunningService, company: str, email: str, last_name: str = "Lovelace") -> dict:
    body = {"first_name": "Ada", "last_name": last_name, "company_name": company, "email": email}
    response = await leads.http.post("/v1/leads", json=body, headers=SALES)
    assert response.status_code == 201, response.text
    return response.json()


async def count(leads: RunningService, table: Any, *where: Any) -> int:
    async with leads.runtime.engine.connect() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(table).where(*where))).scalar_one()
        )


def convert(
    leads: RunningService, lead: dict, body: dict | None = None, key: str | None = None, headers=SALES
):
    extra = {"Idempotency-Key": key} if key else {}
    return leads.http.post(f"/v1/leads/{lead['id']}/convert", json=body or {}, headers=headers | extra)


async def test_conversion_with_deal_data_links_the_lead_and_publishes_every_id(leads, kafka_bootstrap):
    lead = await create_lead(leads, "Analytical", "ada@analytical.example")
    deal = {
        "title": "Analytical engine",
        "amount_minor": 1_200_000,
        "currency": "EUR",
        "pipeline_id": PIPELINE,
        "stage_id": STAGE,
        "expected_close_date": "2027-03-31",
    }
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        response = await convert(leads, lead, {"deal": deal})
        assert response.status_code == 200, response.text
        body = response.json()
        event = await probe.wait_for(CONVERTED, lambda p: p["lead_id"] == lead["id"])
    assert body["lead"]["status"] == "converted"
    assert (body["account"]["name"], body["account"]["email_domain"]) == ("Analytical", "analytical.example")
    assert event.payload["account_id"] == body["account"]["id"] == body["lead"]["account_id"]
    assert event.payload["contact_id"] == body["contact"]["id"] == body["lead"]["contact_id"]
    assert event.payload["deal"] == deal | {"owner_id": "sales-1"}
    assert event.key == lead["id"].encode()

    linked = (await leads.http.get(f"/v1/leads/{lead['id']}/conversion", headers=SUPPORT)).json()
    assert (linked["account_id"], linked["contact_id"]) == (body["account"]["id"], body["contact"]["id"])
    assert linked["deal"]["expected_close_date"] == "2027-03-31"
    again = await convert(leads, lead)
    assert (again.status_code, again.json()["type"]) == (409, "https://errors.crm.local/already_converted")
    assert again.headers["content-type"] == "application/problem+json"


async def test_same_lead_from_two_clients_and_a_repeated_key_converts_once(leads, kafka_bootstrap):
    lead = await create_lead(leads, "Difference Engines", "charles@difference.example", "Babbage")
    accounts_before, contacts_before = await count(leads, accounts), await count(leads, contacts)
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        responses = await asyncio.gather(
            convert(leads, lead, key="client-1"),
            convert(leads, lead, key="client-1"),  # a double click / retry of the first client
            convert(leads, lead, key="client-1"),
            convert(leads, lead, headers=OTHER_SALES, key="client-2"),
            convert(leads, lead, headers=OTHER_SALES),
        )
        await probe.wait_for(CONVERTED, lambda p: p["lead_id"] == lead["id"])
        await asyncio.sleep(2)  # room for a second event, which must not come
    assert {r.status_code for r in responses} <= {200, 409}
    # The three requests with one key share one outcome: the later ones waited and replayed the first.
    assert len({(r.status_code, r.text) for r in responses[:3]}) == 1
    successes = {r.text for r in responses if r.status_code == 200}
    assert len(successes) == 1  # replays carry the very same body
    assert await count(leads, accounts) == accounts_before + 1
    assert await count(leads, contacts) == contacts_before + 1
    assert [e.payload["lead_id"] for e in probe.seen if e.type == CONVERTED].count(lead["id"]) == 1


async def test_a_retry_replays_the_response_and_a_reused_key_is_refused(leads):
    lead = await create_lead(leads, "Jacquard Looms", "joseph@jacquard.example", "Jacquard")
    first = await convert(leads, lead, {"contact": {"mode": "none"}}, key="retry-me")
    retry = await convert(leads, lead, {"contact": {"mode": "none"}}, key="retry-me")
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert first.json()["contact"] is None
    reused = await convert(leads, lead, {"contact": {"mode": "new"}}, key="retry-me")
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["field"] == "header.Idempotency-Key"
    assert await count(leads, idempotency_keys, idempotency_keys.c.key == "retry-me") == 1


async def test_a_likely_duplicate_account_is_offered_then_linked_or_confirmed(leads):
    first = await create_lead(leads, "Hollerith Tabulating SAS", "herman@hollerith.example", "Hollerith")
    existing = (await convert(leads, first)).json()
    second = await create_lead(leads, "hollerith tabulating", "clerk@hollerith.example", "Clerk")

    refused = await convert(leads, second)
    assert refused.status_code == 409
    [candidate] = refused.json()["candidates"]
    assert candidate["id"] == existing["account"]["id"]
    assert set(candidate["reasons"]) == {"name", "email_domain"}
    assert (await leads.http.get(f"/v1/leads/{second['id']}", headers=SALES)).json()["status"] == "to_process"

    contact = existing["contact"]["id"]
    body = {"account": {"id": candidate["id"]}, "contact": {"mode": "existing", "id": contact}}
    linked = (await convert(leads, second, body)).json()
    assert (linked["account"]["id"], linked["contact"]["id"]) == (candidate["id"], contact)
    assert (linked["conversion"]["account_created"], linked["conversion"]["contact_created"]) == (
        False,
        False,
    )

    third = await create_lead(leads, "Hollerith Tabulating", "ops@hollerith.example", "Ops")
    body = {"account": {"confirm_new": True}, "contact": {"mode": "existing", "id": contact}}
    confirmed = await convert(leads, third, body)
    assert confirmed.status_code == 200, confirmed.text
    new_account = confirmed.json()["account"]["id"]
    assert new_account != candidate["id"]
    # The existing contact now works for both accounts.
    links = [link["account_id"] for link in confirmed.json()["contact"]["accounts"]]
    assert links == [candidate["id"], new_account]


async def test_unknown_account_or_contact_is_named(leads):
    lead = await create_lead(leads, "Leibniz Calculators", "gottfried@leibniz.example", "Leibniz")
    missing = "0193a9a0-0000-7000-8000-00000000ffff"
    response = await convert(leads, lead, {"account": {"id": missing}})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "account.id")
    response = await convert(leads, lead, {"contact": {"mode": "existing"}})
    assert response.status_code == 422
    assert (await leads.http.get(f"/v1/leads/{lead['id']}", headers=SALES)).json()["status"] == "to_process"


async def test_support_cannot_convert_and_nothing_changes(leads):
    lead = await create_lead(leads, "Pascal", "blaise@pascal.example", "Pascal")
    accounts_before = await count(leads, accounts)
    response = await convert(leads, lead, headers=SUPPORT)
    assert response.status_code == 403
    assert (await leads.http.get(f"/v1/leads/{lead['id']}", headers=SUPPORT)).json()["status"] == "to_process"
    assert await count(leads, accounts) == accounts_before


async def test_requests_without_a_valid_token_are_refused(leads):
    assert (
        await leads.http.post("/v1/leads/0193a9a0-0000-7000-8000-000000000001/convert", json={})
    ).status_code == 401


async def test_the_contact_keeps_the_leads_opt_outs_and_every_address(leads):
    body = {
        "last_name": "Quiet",
        "company_name": "Hush",
        "emails": [{"address": "q@hush.example", "primary": True}, {"address": "q2@hush.example"}],
        "do_not_email": True,
        "do_not_call": True,
        "job_title": "Librarian",
    }
    created = await leads.http.post("/v1/leads", json=body, headers=SALES)
    assert created.status_code == 201, created.text
    response = await convert(leads, created.json(), {"account": {"confirm_new": True}})
    assert response.status_code == 200, response.text
    contact = (await leads.http.get(f"/v1/contacts/{response.json()['contact']['id']}", headers=SALES)).json()
    assert (contact["do_not_email"], contact["do_not_call"]) == (True, True)
    assert contact["job_title"] == "Librarian"
    assert contact["email"] == "q@hush.example"
    assert set(contact["emails"]) == {"q@hush.example", "q2@hush.example"}
