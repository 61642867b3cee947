"""Pipelines and stages through HTTP, against real PostgreSQL and Kafka."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.events.leads import ConvertedDeal, LeadConverted
from crm_shared.settings import KafkaSettings
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
ADMIN = auth_headers("admin-1", Role.ADMIN)
SUPPORT = auth_headers("support-1", Role.SUPPORT)

SALES_SQUAD = {
    "name": "SALES SQUAD",
    "team": "sales",
    "stages": [
        {"name": "À contacter", "probability": 10},
        {"name": "En contact", "probability": 25},
        {"name": "Offer send", "probability": 50},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ],
    "settings": {"proposal_stage": "Offer send", "win_when_order_confirmed": True},
}


@pytest.fixture
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_pipelines"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
    )
    async with running_service(definition(settings)) as running:
        yield running


async def create(service: RunningService, body: dict | None = None, headers=SALES) -> dict:
    response = await service.http.post("/v1/pipelines", json=body or SALES_SQUAD, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    return response.json()


def stage_id(pipeline: dict, name: str) -> str:
    return next(s["id"] for s in pipeline["stages"] if s["name"] == name)


async def test_create_read_and_edit_with_if_match(service):
    created = await create(service)
    assert [s["name"] for s in created["stages"]][:3] == ["À contacter", "En contact", "Offer send"]
    assert created["settings"]["proposal_stage_id"] == stage_id(created, "Offer send")
    assert created["settings"]["win_when_order_confirmed"] is True
    url = f"/v1/pipelines/{created['id']}"
    read = await service.http.get(url, headers=SUPPORT)
    assert (read.status_code, read.headers["ETag"]) == (200, '"1"')

    changed = await service.http.patch(
        url,
        json={"team": "squad-a", "settings": {"title_date_prefix": True}},
        headers={**SALES, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["settings"]["title_date_prefix"] is True
    stale = await service.http.patch(url, json={"team": "squad-b"}, headers={**SALES, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await service.http.get(url, headers=SALES)).json()["team"] == "squad-a"

    clash = await service.http.post(
        "/v1/pipelines", json=SALES_SQUAD | {"name": "sales squad"}, headers=SALES
    )
    assert clash.status_code == 409
    incomplete = {
        **SALES_SQUAD,
        "name": "No won",
        "stages": SALES_SQUAD["stages"][:3] + SALES_SQUAD["stages"][4:],
    }
    assert (await service.http.post("/v1/pipelines", json=incomplete, headers=SALES)).status_code == 422


async def test_stages_are_added_edited_and_reordered(service):
    created = await create(service)
    url = f"/v1/pipelines/{created['id']}"
    added = await service.http.post(
        f"{url}/stages", json={"name": "Négociation", "probability": 70}, headers=SALES
    )
    assert added.status_code == 201, added.text
    names = [s["name"] for s in added.json()["stages"]]
    assert names == ["À contacter", "En contact", "Offer send", "Négociation", "Won", "Lost"]

    first = stage_id(created, "À contacter")
    edited = await service.http.patch(f"{url}/stages/{first}", json={"probability": 5}, headers=ADMIN)
    assert edited.json()["stages"][0]["probability"] == 5
    second_won = await service.http.patch(f"{url}/stages/{first}", json={"kind": "won"}, headers=SALES)
    assert second_won.status_code == 422

    ids = [s["id"] for s in added.json()["stages"]]
    order = [ids[1], ids[0], *ids[2:]]
    moved = await service.http.put(f"{url}/stages/order", json={"stage_ids": order}, headers=SALES)
    assert [s["id"] for s in moved.json()["stages"]] == order
    assert moved.headers["ETag"] == '"4"'
    partial = await service.http.put(f"{url}/stages/order", json={"stage_ids": order[:-1]}, headers=SALES)
    assert partial.status_code == 422


async def test_archived_pipelines_are_read_only_and_listed_on_request(service):
    created = await create(service)
    url = f"/v1/pipelines/{created['id']}"
    archived = await service.http.post(f"{url}/archive", headers=SALES)
    assert archived.json()["archived"] is True
    listed = (await service.http.get("/v1/pipelines", headers=SALES)).json()
    assert created["id"] not in [p["id"] for p in listed]
    everything = (await service.http.get("/v1/pipelines?include_archived=true", headers=SALES)).json()
    assert created["id"] in [p["id"] for p in everything]
    assert (await service.http.patch(url, json={"name": "Again"}, headers=SALES)).status_code == 409
    extra = await service.http.post(f"{url}/stages", json={"name": "More", "probability": 1}, headers=SALES)
    assert extra.status_code == 409
    default = next(p for p in listed if p["is_default"])
    refused = await service.http.post(f"/v1/pipelines/{default['id']}/archive", headers=ADMIN)
    assert refused.status_code == 409


async def open_deal(service: RunningService, kafka_bootstrap: str) -> dict:
    event = LeadConverted(
        lead_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        contact_id=uuid.uuid4(),
        deal=ConvertedDeal(title="Site", amount_minor=1000, currency="EUR", owner_id="sales-1"),
        converted_by="sales-1",
    )
    await publish_event(kafka_bootstrap, event)
    for _ in range(100):
        items = (await service.http.get("/v1/deals", headers=SALES)).json()["items"]
        if found := [d for d in items if d["lead_id"] == str(event.lead_id)]:
            return found[0]
        await asyncio.sleep(0.2)
    raise AssertionError("the deal was not opened")


async def test_a_stage_with_deals_is_deleted_only_with_a_target(service, kafka_bootstrap):
    deal = await open_deal(service, kafka_bootstrap)
    default = (await service.http.get(f"/v1/pipelines/{deal['pipeline_id']}", headers=SALES)).json()
    url = f"/v1/pipelines/{default['id']}/stages/{deal['stage_id']}"
    other = await create(service)

    assert (await service.http.delete(url, headers=SALES)).status_code == 409
    kind = await service.http.patch(url, json={"kind": "lost"}, headers=SALES)
    assert kind.status_code == 409
    foreign = stage_id(other, "En contact")
    assert (await service.http.delete(f"{url}?move_deals_to={foreign}", headers=SALES)).status_code == 422
    itself = await service.http.delete(f"{url}?move_deals_to={deal['stage_id']}", headers=SALES)
    assert itself.status_code == 422
    still = (await service.http.get(f"/v1/deals/{deal['id']}", headers=SALES)).json()
    assert still["stage_id"] == deal["stage_id"]

    target = stage_id(default, "Qualification")
    deleted = await service.http.delete(f"{url}?move_deals_to={target}", headers=SALES)
    assert deleted.status_code == 200, deleted.text
    assert deal["stage_id"] not in [s["id"] for s in deleted.json()["stages"]]
    moved = (await service.http.get(f"/v1/deals/{deal['id']}", headers=SALES)).json()
    assert (moved["stage_id"], moved["probability"], moved["version"]) == (target, 20, deal["version"] + 1)


async def test_an_empty_stage_is_deleted_and_the_proposal_setting_follows(service):
    created = await create(service)
    offer = stage_id(created, "Offer send")
    deleted = await service.http.delete(f"/v1/pipelines/{created['id']}/stages/{offer}", headers=SALES)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["settings"]["proposal_stage_id"] is None
    assert [s["position"] for s in deleted.json()["stages"]] == [0, 1, 2, 3]
