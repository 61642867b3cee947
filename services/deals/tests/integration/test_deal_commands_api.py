"""Deal commands through HTTP against real PostgreSQL and Kafka, with the events they publish."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from crm_deals.adapters.tables import deals
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService
from services.deals.tests.integration.deal_support import SALES, TOPIC, create, deals_service

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    async with deals_service(kafka_bootstrap, make_database("deals_commands")) as running:
        yield running


@pytest.fixture
async def probe(kafka_bootstrap: str) -> AsyncIterator[EventProbe]:
    async with EventProbe(kafka_bootstrap, TOPIC) as watching:
        yield watching


def stage(pipeline: dict, name: str) -> str:
    return next(s["id"] for s in pipeline["stages"] if s["name"] == name)


async def default_pipeline(service: RunningService) -> dict:
    found = (await service.http.get("/v1/pipelines", headers=SALES)).json()
    return next(p for p in found if p["is_default"])


async def test_create_read_and_patch_with_etags_and_before_after_events(service, probe):
    default = await default_pipeline(service)
    created = await create(service, tags=["Web", "web"], expected_close_date="2031-03-31")
    assert (created["owner_id"], created["team"], created["pipeline_id"]) == (
        "sales-1",
        "squad-a",
        default["id"],
    )
    assert (created["stage_id"], created["probability"], created["tags"]) == (
        stage(default, "Prospecting"),
        10,
        ["web"],
    )
    url = f"/v1/deals/{created['id']}"
    read = await service.http.get(url, headers=SALES)
    assert (read.status_code, read.headers["ETag"]) == (200, '"1"')

    changes = {
        "amount_minor": 750_000,
        "probability": 65,
        "description": "Refonte",
        "best_case_minor": 900_000,
    }
    patched = await service.http.patch(url, json=changes, headers={**SALES, "If-Match": '"1"'})
    assert (patched.status_code, patched.headers["ETag"]) == (200, '"2"'), patched.text
    assert patched.json()["probability_overridden"] is True
    stale = await service.http.patch(url, json={"amount_minor": 1}, headers={**SALES, "If-Match": '"1"'})
    assert stale.status_code == 412
    reset = await service.http.patch(url, json={"probability": None, "description": None}, headers=SALES)
    assert (reset.json()["probability"], reset.json()["description"], reset.json()["amount_minor"]) == (
        10,
        None,
        750_000,
    )

    made = await probe.wait_for("crm.deals.deal_created.v1", lambda p: p["deal_id"] == created["id"])
    assert (made.payload["team"], made.payload["stage_name"], made.key) == (
        "squad-a",
        "Prospecting",
        created["id"].encode(),
    )
    updated = await probe.wait_for("crm.deals.deal_updated.v1", lambda p: p["deal_id"] == created["id"])
    assert updated.payload["changed"] == {
        "amount_minor": [500_000, 750_000],
        "probability": [10, 65],
        "probability_overridden": [False, True],
        "description": [None, "Refonte"],
        "best_case_minor": [None, 900_000],
    }
    reverted = await probe.wait_for(
        "crm.deals.deal_updated.v1",
        lambda p: (
            p["deal_id"] == created["id"]
            and "description" in p["changed"]
            and p["changed"]["description"][1] is None
        ),
    )
    assert reverted.payload["changed"]["probability"] == [65, 10]


async def test_invalid_input_is_refused_naming_the_field(service):
    created = await create(service)
    url = f"/v1/deals/{created['id']}"
    for body, field in (
        ({"title": None}, "body.title"),
        ({"status": "won"}, "body.status"),
        ({"worst_case_minor": 10, "best_case_minor": 5}, "worst_case_minor"),
    ):
        refused = await service.http.patch(url, json=body, headers=SALES)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == field
    wrong_stage = await service.http.post(
        "/v1/deals", json={"title": "x", "amount_minor": 1, "stage_id": str(uuid.uuid4())}, headers=SALES
    )
    assert (wrong_stage.status_code, wrong_stage.json()["errors"][0]["field"]) == (422, "stage_id")
    assert (await service.http.get(url, headers=SALES)).headers["ETag"] == '"1"'


async def test_a_retried_creation_with_the_same_key_opens_one_deal(service):
    title = f"Retry {uuid.uuid4()}"
    headers = {**SALES, "Idempotency-Key": str(uuid.uuid4())}
    first = await service.http.post("/v1/deals", json={"title": title, "amount_minor": 1}, headers=headers)
    again = await service.http.post("/v1/deals", json={"title": title, "amount_minor": 1}, headers=headers)
    assert (first.status_code, again.status_code, again.headers["Idempotent-Replayed"]) == (201, 201, "true")
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["ETag"] == '"1"'
    other = await service.http.post("/v1/deals", json={"title": title, "amount_minor": 2}, headers=headers)
    assert other.status_code == 422
    async with service.runtime.engine.connect() as connection:
        count = await connection.execute(
            select(func.count()).select_from(deals).where(deals.c.title == title)
        )
        assert count.scalar_one() == 1
