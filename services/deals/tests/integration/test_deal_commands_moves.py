"""Deal moves (kanban, pipelines), losses with potential and reopening, through HTTP and Kafka."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService
from services.deals.tests.integration.deal_support import SALES, TOPIC, create, deals_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    async with deals_service(kafka_bootstrap, make_database("deals_command_moves")) as running:
        yield running


@pytest.fixture
async def probe(kafka_bootstrap: str) -> AsyncIterator[EventProbe]:
    async with EventProbe(kafka_bootstrap, TOPIC) as watching:
        yield watching


async def pipeline(service: RunningService, name: str, **settings) -> dict:
    stages = [
        {"name": "À contacter", "probability": 10},
        {"name": "En contact", "probability": 25},
        {"name": "Offer send", "probability": 50},
        {"name": "Won", "probability": 100, "kind": "won"},
        {"name": "Lost", "probability": 0, "kind": "lost"},
    ]
    body = {"name": name, "stages": stages, "settings": settings}
    response = await service.http.post("/v1/pipelines", json=body, headers=SALES)
    assert response.status_code == 201, response.text
    return response.json()


def stage(pipeline: dict, name: str) -> str:
    return next(s["id"] for s in pipeline["stages"] if s["name"] == name)


async def default_pipeline(service: RunningService) -> dict:
    found = (await service.http.get("/v1/pipelines", headers=SALES)).json()
    return next(p for p in found if p["is_default"])


async def ranks(service: RunningService, *deal_ids: str) -> list[float]:
    return [(await service.http.get(f"/v1/deals/{i}", headers=SALES)).json()["rank"] for i in deal_ids]


async def test_kanban_moves_place_deals_between_their_neighbours(service, probe):
    default = await default_pipeline(service)
    qualification = stage(default, "Qualification")
    a, b, c = [await create(service, title=name) for name in "ABC"]

    def move(deal: dict, **body) -> object:
        return service.http.post(
            f"/v1/deals/{deal['id']}/move", json={"stage_id": qualification} | body, headers=SALES
        )

    moved = await move(c)
    assert (moved.status_code, moved.json()["stage_id"], moved.json()["probability"]) == (
        200,
        qualification,
        20,
    )
    assert (await move(a, before_id=c["id"])).status_code == 200
    assert (await move(b, after_id=a["id"], before_id=c["id"])).status_code == 200
    rank_a, rank_b, rank_c = await ranks(service, a["id"], b["id"], c["id"])
    assert rank_a < rank_b < rank_c
    reorder = await move(c, before_id=a["id"])  # to the top of the stage
    assert reorder.json()["rank"] < rank_a
    bottom = await move(c)
    assert bottom.json()["rank"] > rank_b

    changed = await probe.wait_for("crm.deals.deal_stage_changed.v1", lambda p: p["deal_id"] == c["id"])
    assert (changed.payload["from_stage_name"], changed.payload["to_stage_name"]) == (
        "Prospecting",
        "Qualification",
    )
    assert (changed.payload["from_pipeline"], changed.payload["to_pipeline"]) == (
        default["id"],
        default["id"],
    )
    assert changed.payload["probability"] == [10, 20]
    reordered = await probe.wait_for(
        "crm.deals.deal_updated.v1", lambda p: p["deal_id"] == c["id"] and "rank" in p["changed"]
    )
    assert reordered.payload["changed"]["rank"] == [rank_c, reorder.json()["rank"]]

    elsewhere = await move(a, before_id=str((await create(service))["id"]))
    assert (elsewhere.status_code, elsewhere.json()["errors"][0]["field"]) == (422, "before_id")
    won_stage = await service.http.post(
        f"/v1/deals/{a['id']}/move", json={"stage_id": stage(default, "Won")}, headers=SALES
    )
    assert won_stage.status_code == 422


async def test_moving_to_a_dated_pipeline_and_on_by_stage_name(service, probe):
    default = await default_pipeline(service)
    squad = await pipeline(service, "SALES SQUAD", proposal_stage="Offer send", title_date_prefix=True)
    csm = await pipeline(service, "CLIENTS SQUAD - CSM")
    deal = await create(service, title="Refonte")
    url = f"/v1/deals/{deal['id']}/move-pipeline"
    moved = await service.http.post(
        url, json={"pipeline_id": squad["id"], "stage_id": stage(squad, "Offer send")}, headers=SALES
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["title"] == f"{datetime.now(UTC):%Y/%m/%d} Refonte"
    same = await service.http.post(url, json={"pipeline_id": squad["id"]}, headers=SALES)
    assert (same.status_code, same.json()["errors"][0]["field"]) == (422, "pipeline_id")
    back = await service.http.post(
        f"/v1/deals/{deal['id']}/move", json={"stage_id": stage(squad, "En contact")}, headers=SALES
    )
    assert back.status_code == 200
    mapped = await service.http.post(url, json={"pipeline_id": csm["id"]}, headers=SALES)
    assert (mapped.json()["pipeline_id"], mapped.json()["stage_id"]) == (csm["id"], stage(csm, "En contact"))

    changed = await probe.wait_for(
        "crm.deals.deal_stage_changed.v1",
        lambda p: p["deal_id"] == deal["id"] and p["to_pipeline"] == squad["id"],
    )
    assert (changed.payload["from_pipeline"], changed.payload["from_pipeline_name"]) == (
        default["id"],
        "Default",
    )
    assert (changed.payload["to_stage_name"], changed.payload["cause"]) == ("Offer send", "pipeline_changed")
    retitled = await probe.wait_for(
        "crm.deals.deal_updated.v1", lambda p: p["deal_id"] == deal["id"] and "title" in p["changed"]
    )
    assert retitled.payload["changed"]["title"][0] == "Refonte"


async def test_lost_with_potential_then_reopened_then_won(service, probe):
    cold = await pipeline(service, "COLD LEADS", is_cold_leads_pipeline=True)
    deal = await create(service, title="Audit SEO")
    url = f"/v1/deals/{deal['id']}"
    later = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    lost = await service.http.post(
        f"{url}/lose",
        json={"reason": "timing", "potential": {"recontact_on": later, "amount_minor": 100}},
        headers=SALES,
    )
    assert lost.status_code == 200, lost.text
    assert (lost.json()["status"], lost.json()["recontact_on"], lost.headers["ETag"]) == (
        "lost",
        later,
        '"2"',
    )
    follow_up = (
        await service.http.get(f"/v1/deals/{lost.json()['follow_up_deal_id']}", headers=SALES)
    ).json()
    assert (follow_up["pipeline_id"], follow_up["follow_up_of"], follow_up["recontact_on"]) == (
        cold["id"],
        deal["id"],
        later,
    )
    assert (follow_up["title"], follow_up["amount_minor"], follow_up["owner_id"]) == (
        "Audit SEO",
        100,
        "sales-1",
    )

    closed_move = await service.http.post(f"{url}/move", json={"stage_id": deal["stage_id"]}, headers=SALES)
    assert closed_move.status_code == 409
    default = await default_pipeline(service)
    reopened = await service.http.post(
        f"{url}/reopen", json={"stage_id": stage(default, "Negotiation")}, headers=SALES
    )
    assert (reopened.status_code, reopened.json()["status"], reopened.json()["probability"]) == (
        200,
        "open",
        80,
    )
    assert reopened.json()["lost_reason"] is None
    won = await service.http.post(f"{url}/win", headers={**SALES, "If-Match": '"3"'})
    assert (won.status_code, won.json()["status"]) == (200, "won")

    published = await probe.wait_for("crm.deals.deal_lost.v1", lambda p: p["deal_id"] == deal["id"])
    assert (published.payload["follow_up_deal_id"], published.payload["recontact_on"]) == (
        follow_up["id"],
        later,
    )
    opened = await probe.wait_for("crm.deals.deal_created.v1", lambda p: p["deal_id"] == follow_up["id"])
    assert (opened.payload["follow_up_of"], opened.payload["pipeline_name"]) == (deal["id"], "COLD LEADS")
    back = await probe.wait_for("crm.deals.deal_reopened.v1", lambda p: p["deal_id"] == deal["id"])
    assert (back.payload["from_status"], back.payload["to_stage_name"]) == ("lost", "Negotiation")
    await probe.wait_for("crm.deals.deal_won.v1", lambda p: p["deal_id"] == deal["id"])
