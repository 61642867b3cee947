"""Merges over HTTP on real PostgreSQL and Kafka: values chosen, links re-pointed, merged records kept
read-only, history reachable, one `...Merged` event; a refused merge changes nothing."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.events.deals import DealCreated, DealWon
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)
TOPIC = "crm.leads.events"


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("merges"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.2,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def post(leads: RunningService, url: str, body: dict, status: int = 201) -> dict:
    response = await leads.http.post(url, json=body, headers=SALES)
    assert response.status_code == status, response.text
    return response.json()


async def get(leads: RunningService, url: str) -> Any:
    response = await leads.http.get(url, headers=SALES)
    assert response.status_code == 200, response.text
    return response.json()


async def until(leads: RunningService, url: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = await get(leads, url)
        if check(body):
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"{url} never matched; last: {body}")


async def test_leads_merge_field_by_field_and_the_merged_lead_lives_on_read_only(leads, kafka_bootstrap):
    keep = await post(leads, "/v1/leads", {"last_name": "Lovelace", "email": "ada@analytical.example"})
    dup = await post(
        leads,
        "/v1/leads",
        {"last_name": "Lovelace", "job_title": "CTO", "email": "ada@byron.example", "phone": "+33612345678"},
    )
    body = {"survivor_id": keep["id"], "merged_ids": [dup["id"]], "choices": {"last_name": dup["id"]}}
    refused = await leads.http.post("/v1/leads/merge", json=body, headers=SUPPORT)
    assert refused.status_code == 403
    assert (await get(leads, f"/v1/leads/{dup['id']}"))["merged_into"] is None

    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        survivor = await post(leads, "/v1/leads/merge", body, status=200)
        event = await probe.wait_for("crm.leads.leads_merged.v1", lambda p: p["survivor_id"] == keep["id"])
    assert event.payload == {"survivor_id": keep["id"], "merged_ids": [dup["id"]], "merged_by": "sales-1"}
    assert (survivor["job_title"], survivor["phone"]) == ("CTO", "+33612345678")  # gaps filled
    assert [e["address"] for e in survivor["emails"]] == ["ada@analytical.example", "ada@byron.example"]
    assert [e["primary"] for e in survivor["emails"]] == [True, False]

    merged = await get(leads, f"/v1/leads/{dup['id']}")
    assert (merged["merged_into"], merged["job_title"]) == (keep["id"], "CTO")
    gone = await leads.http.patch(f"/v1/leads/{dup['id']}", json={"score": 3}, headers=SALES)
    assert (gone.status_code, gone.json()["merged_into"]) == (410, keep["id"])
    listed = await get(leads, "/v1/leads?q=lovelace")
    assert keep["id"] in {lead["id"] for lead in listed["items"]}
    assert dup["id"] not in {lead["id"] for lead in listed["items"]}

    timeline = (await get(leads, f"/v1/leads/{keep['id']}/history"))["items"]
    kinds = [entry["event_type"] for entry in timeline]
    assert kinds[:2] == ["leads_merged", "lead_updated"]
    assert timeline[1]["data"]["changed"]["job_title"] == [None, "CTO"]
    merged_timeline = (await get(leads, f"/v1/leads/{dup['id']}/history"))["items"]
    assert [e["event_type"] for e in merged_timeline] == ["leads_merged", "lead_created"]
    again = await leads.http.post("/v1/leads/merge", json=body, headers=SALES)
    assert again.status_code == 410


async def test_a_converted_lead_is_neither_merged_nor_merged_into(leads):
    converted = await post(leads, "/v1/leads", {"last_name": "Babbage", "company_name": "Difference"})
    await post(leads, f"/v1/leads/{converted['id']}/convert", {}, status=200)
    open_lead = await post(leads, "/v1/leads", {"last_name": "Babbage"})
    for survivor, merged in ((open_lead, converted), (converted, open_lead)):
        body = {"survivor_id": survivor["id"], "merged_ids": [merged["id"]]}
        refused = await leads.http.post("/v1/leads/merge", json=body, headers=SALES)
        assert (refused.status_code, refused.json()["type"]) == (
            409,
            "https://errors.crm.local/lead_converted",
        )
    assert (await get(leads, f"/v1/leads/{open_lead['id']}"))["version"] == open_lead["version"]


async def test_accounts_merge_moves_contacts_leads_and_deals_without_doubling_links(leads, kafka_bootstrap):
    keep = await post(leads, "/v1/accounts", {"name": "Acme"})
    dup = await post(
        leads, "/v1/accounts", {"name": "ACME SAS", "email_domain": "acme.example", "tags": ["vip"]}
    )
    only_dup = await post(
        leads, "/v1/contacts", {"last_name": "Coyote", "accounts": [{"account_id": dup["id"], "role": "CTO"}]}
    )
    both = await post(
        leads,
        "/v1/contacts",
        {
            "last_name": "Runner",
            "accounts": [{"account_id": keep["id"], "role": "buyer"}, {"account_id": dup["id"]}],
        },
    )
    lead = await post(leads, "/v1/leads", {"last_name": "Wile"})
    conversion = {"account": {"id": dup["id"]}, "contact": {"mode": "none"}}
    await post(leads, f"/v1/leads/{lead['id']}/convert", conversion, status=200)
    deal = uuid4()
    await publish_event(kafka_bootstrap, _created(deal, only_dup["id"], dup["id"]))
    await until(leads, f"/v1/accounts/{dup['id']}", lambda a: a["prospect_state"] == "current")

    body = {"survivor_id": keep["id"], "merged_ids": [dup["id"]]}
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        survivor = await post(leads, "/v1/accounts/merge", body, status=200)
        event = await probe.wait_for("crm.leads.accounts_merged.v1", lambda p: p["survivor_id"] == keep["id"])
    assert event.payload["merged_ids"] == [dup["id"]]
    assert (survivor["email_domain"], survivor["tags"], survivor["prospect_state"]) == (
        "acme.example",
        ["vip"],
        "current",
    )
    assert (await get(leads, f"/v1/contacts/{only_dup['id']}"))["accounts"] == [
        {"account_id": keep["id"], "role": "CTO"}
    ]
    assert (await get(leads, f"/v1/contacts/{both['id']}"))["accounts"] == [
        {"account_id": keep["id"], "role": "buyer"}
    ]
    assert (await get(leads, f"/v1/leads/{lead['id']}"))["account_id"] == keep["id"]
    assert (await get(leads, f"/v1/leads/{lead['id']}/conversion"))["account_id"] == keep["id"]
    assert (await get(leads, f"/v1/accounts/{dup['id']}"))["merged_into"] == keep["id"]
    assert dup["id"] not in {a["id"] for a in (await get(leads, "/v1/accounts"))["items"]}
    history = (await get(leads, f"/v1/history/{keep['id']}"))["items"]
    assert history[0]["event_type"] == "accounts_merged"

    # A late deal event still naming the merged account counts for the survivor.
    await publish_event(kafka_bootstrap, _won(deal, only_dup["id"], dup["id"]))
    await until(leads, f"/v1/accounts/{keep['id']}", lambda a: a["customer_state"] == "current")


async def test_contacts_merge_combines_details_and_links_and_repoints_leads(leads, kafka_bootstrap):
    a = await post(leads, "/v1/accounts", {"name": "Initech"})
    b = await post(leads, "/v1/accounts", {"name": "Initrode"})
    keep = await post(
        leads,
        "/v1/contacts",
        {"last_name": "Lumbergh", "emails": ["bill@initech.example"], "accounts": [{"account_id": a["id"]}]},
    )
    dup = await post(
        leads,
        "/v1/contacts",
        {
            "last_name": "Lumberg",
            "emails": ["bill@initrode.example"],
            "phones": ["+33612345678"],
            "accounts": [{"account_id": b["id"], "role": "VP"}, {"account_id": a["id"], "role": "boss"}],
        },
    )
    lead = await post(leads, "/v1/leads", {"last_name": "Lumbergh"})
    conversion = {"account": {"id": a["id"]}, "contact": {"mode": "existing", "id": dup["id"]}}
    await post(leads, f"/v1/leads/{lead['id']}/convert", conversion, status=200)

    body = {"survivor_id": keep["id"], "merged_ids": [dup["id"]], "choices": {"last_name": dup["id"]}}
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        survivor = await post(leads, "/v1/contacts/merge", body, status=200)
        await probe.wait_for("crm.leads.contacts_merged.v1", lambda p: p["survivor_id"] == keep["id"])
        updated = await probe.wait_for(
            "crm.leads.contact_updated.v1", lambda p: p["contact_id"] == keep["id"]
        )
    assert survivor["last_name"] == "Lumberg"
    assert survivor["emails"] == ["bill@initech.example", "bill@initrode.example"]
    assert survivor["phones"] == ["+33612345678"]
    assert survivor["accounts"] == [
        {"account_id": a["id"], "role": None},
        {"account_id": b["id"], "role": "VP"},
    ]
    assert updated.payload["changed"]["last_name"] == ["Lumbergh", "Lumberg"]
    merged = await get(leads, f"/v1/contacts/{dup['id']}")
    assert (merged["merged_into"], merged["accounts"]) == (keep["id"], [])
    assert (await get(leads, f"/v1/leads/{lead['id']}"))["contact_id"] == keep["id"]
    linked = await get(leads, f"/v1/contacts?account_id={a['id']}")
    assert [c["id"] for c in linked["items"]] == [keep["id"]]
    gone = await leads.http.patch(f"/v1/contacts/{dup['id']}", json={"job_title": "VP"}, headers=SALES)
    assert gone.status_code == 410


def _created(deal: Any, contact: str, account: str) -> DealCreated:
    return DealCreated(
        deal_id=deal, title="Anvils", amount_minor=100, currency="EUR", pipeline_id=uuid4(),
        stage_id=uuid4(), owner_id="sales-1", account_id=account, contact_id=contact,
    )  # fmt: skip


def _won(deal: Any, contact: str, account: str) -> DealWon:
    stage = uuid4()
    return DealWon(
        deal_id=deal, title="Anvils", amount_minor=100, currency="EUR", owner_id="sales-1",
        account_id=account, contact_id=contact, from_stage=stage, to_stage=stage,
        won_at=datetime.now(UTC) + timedelta(seconds=1), won_by="sales-1",
    )  # fmt: skip
