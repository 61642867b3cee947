"""The activity timeline over HTTP: every change of a lead, newest first, with old and new values."""

from collections.abc import AsyncIterator

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.ids import new_id
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
OTHER = auth_headers("sales-2", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads_history"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def test_a_lead_timeline_holds_every_change_newest_first(leads):
    body = {"last_name": "Franklin", "company_name": "King's College", "email": "rosalind@kings.example"}
    lead = (await leads.http.post("/v1/leads", json=body, headers=SALES)).json()
    url = f"/v1/leads/{lead['id']}"
    assert (await leads.http.patch(url, json={"score": 5}, headers=OTHER)).status_code == 200
    assert (
        await leads.http.post(f"{url}/move", json={"status": "nurturing"}, headers=SALES)
    ).status_code == 200
    assert (await leads.http.post(f"{url}/lose", json={"reason": "timing"}, headers=SALES)).status_code == 200
    assert (await leads.http.post(f"{url}/reopen", headers=SALES)).status_code == 200
    converted = await leads.http.post(f"{url}/convert", json={}, headers=SALES)
    assert converted.status_code == 200, converted.text
    refused = await leads.http.patch(url, json={"score": 1}, headers=SALES)
    assert refused.status_code == 409

    timeline = (await leads.http.get(f"{url}/history", headers=SUPPORT)).json()["items"]
    kinds = [entry["event_type"] for entry in timeline]
    assert kinds[-3:] == ["lead_status_changed", "lead_updated", "lead_created"]
    assert kinds.count("lead_status_changed") == 4  # moved, lost, reopened, converted
    assert "lead_converted" in kinds
    updated = next(e for e in timeline if e["event_type"] == "lead_updated")
    assert (updated["actor"], updated["data"]["changed"]) == ("sales-2", {"score": [0, 5]})
    lost = next(e for e in timeline if e["data"].get("to_status") == "lost")
    assert (lost["data"]["from_status"], lost["data"]["lost_reason"], lost["actor"]) == (
        "nurturing",
        "timing",
        "sales-1",
    )
    assert all(e["subject_id"] == lead["id"] for e in timeline)
    assert timeline == sorted(timeline, key=lambda e: e["id"], reverse=True)

    # The account the lead became has its own timeline, starting with the conversion.
    account_id = converted.json()["account"]["id"]
    account_timeline = (await leads.http.get(f"/v1/history/{account_id}", headers=SUPPORT)).json()["items"]
    assert "lead_converted" in [e["event_type"] for e in account_timeline]
    assert {e["subject_field"] for e in account_timeline} >= {"account_id"}


async def test_timelines_page_by_cursor(leads):
    lead = (await leads.http.post("/v1/leads", json={"last_name": "Meitner"}, headers=SALES)).json()
    for score in range(1, 6):
        await leads.http.patch(f"/v1/leads/{lead['id']}", json={"score": score}, headers=SALES)
    first = (await leads.http.get(f"/v1/leads/{lead['id']}/history?limit=4", headers=SALES)).json()
    rest = (
        await leads.http.get(f"/v1/history/{lead['id']}?limit=4&cursor={first['next_cursor']}", headers=SALES)
    ).json()
    scores = [
        e["data"]["changed"]["score"][1]
        for e in first["items"] + rest["items"]
        if e["event_type"] == "lead_updated"
    ]
    assert scores == [5, 4, 3, 2, 1]
    assert rest["items"][-1]["event_type"] == "lead_created"
    assert rest["next_cursor"] is None


async def test_unknown_leads_have_no_timeline_and_a_refused_write_leaves_no_trace(leads):
    assert (await leads.http.get(f"/v1/leads/{new_id()}/history", headers=SALES)).status_code == 404
    lead = (await leads.http.post("/v1/leads", json={"last_name": "Noether"}, headers=SALES)).json()
    assert (
        await leads.http.patch(f"/v1/leads/{lead['id']}", json={"score": 2}, headers=SUPPORT)
    ).status_code == 403
    stale = await leads.http.patch(
        f"/v1/leads/{lead['id']}", json={"score": 2}, headers=SALES | {"If-Match": '"9"'}
    )
    assert stale.status_code == 412
    timeline = (await leads.http.get(f"/v1/leads/{lead['id']}/history", headers=SALES)).json()["items"]
    assert [e["event_type"] for e in timeline] == ["lead_created"]
