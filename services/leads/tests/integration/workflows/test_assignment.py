"""Assignment over HTTP against real PostgreSQL and Kafka: take charge, bulk assign, rules."""

from collections.abc import AsyncIterator

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

ADMIN = auth_headers("admin-1", Role.ADMIN)
SALES = auth_headers("sales-1", Role.SALES, team="north")
OTHER_SALES = auth_headers("sales-2", Role.SALES, team="south")
CSM = auth_headers("csm-1", Role.CSM)
ASSIGNED = "crm.leads.lead_assigned.v1"


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.2,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def new_lead(leads: RunningService, name: str = "Hopper") -> dict:
    response = await leads.http.post("/v1/leads", json={"last_name": name}, headers=SALES)
    assert response.status_code == 201, response.text
    return response.json()


async def owner_of(leads: RunningService, lead: dict) -> str:
    return (await leads.http.get(f"/v1/leads/{lead['id']}", headers=SALES)).json()["owner_id"]


async def test_taking_charge_reassigns_to_me_and_publishes_from_and_to(leads, kafka_bootstrap):
    lead = await new_lead(leads)
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        response = await leads.http.post(f"/v1/leads/{lead['id']}/take-charge", headers=OTHER_SALES)
        assert response.status_code == 200, response.text
        event = await probe.wait_for(ASSIGNED, lambda p: p["lead_id"] == lead["id"])
    assert response.json()["owner_id"] == "sales-2"
    assert {k: event.payload[k] for k in ("from_owner", "to_owner", "assigned_by", "team", "rule")} == {
        "from_owner": "sales-1",
        "to_owner": "sales-2",
        "assigned_by": "sales-2",
        "team": "south",
        "rule": None,
    }


async def test_bulk_assignment_is_all_or_nothing(leads):
    batch = [await new_lead(leads, f"Lead {i}") for i in range(3)]
    ids = [lead["id"] for lead in batch]
    unknown = "0193a9a0-0000-7000-8000-00000000ffff"
    refused = await leads.http.post(
        "/v1/leads/assignments", json={"lead_ids": [*ids, unknown], "owner_id": "sales-9"}, headers=SALES
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "lead_ids"
    assert [await owner_of(leads, lead) for lead in batch] == ["sales-1"] * 3

    done = await leads.http.post(
        "/v1/leads/assignments", json={"lead_ids": ids, "owner_id": "sales-9"}, headers=SALES
    )
    assert done.status_code == 200, done.text
    assert sorted(done.json()["assigned"]) == sorted(ids)
    assert [await owner_of(leads, lead) for lead in batch] == ["sales-9"] * 3


async def test_other_roles_cannot_assign_and_nothing_changes(leads):
    lead = await new_lead(leads)
    bulk = await leads.http.post(
        "/v1/leads/assignments", json={"lead_ids": [lead["id"]], "owner_id": "csm-1"}, headers=CSM
    )
    mine = await leads.http.post(f"/v1/leads/{lead['id']}/take-charge", headers=CSM)
    assert (bulk.status_code, mine.status_code) == (403, 403)
    assert await owner_of(leads, lead) == "sales-1"


async def test_only_admins_manage_rules_and_stale_versions_are_refused(leads):
    rule = {"name": "North", "kind": "round_robin", "team": "north-rules", "members": ["a", "b"]}
    assert (await leads.http.post("/v1/assignment-rules", json=rule, headers=SALES)).status_code == 403
    created = await leads.http.post("/v1/assignment-rules", json=rule, headers=ADMIN)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["position"], body["active"], body["version"]) == (0, True, 1)

    url = f"/v1/assignment-rules/{body['id']}"
    changed = await leads.http.patch(url, json={"active": False}, headers=ADMIN | {"If-Match": '"1"'})
    assert (changed.status_code, changed.headers["ETag"]) == (200, '"2"')
    stale = await leads.http.patch(url, json={"active": True}, headers=ADMIN | {"If-Match": '"1"'})
    assert stale.status_code == 412
    incomplete = await leads.http.post("/v1/assignment-rules", json=rule | {"team": None}, headers=ADMIN)
    assert incomplete.json()["errors"][0]["field"] == "team"
    listed = (await leads.http.get("/v1/assignment-rules?team=north-rules", headers=CSM)).json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
