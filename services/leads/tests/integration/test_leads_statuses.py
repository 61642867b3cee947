"""Statuses over HTTP: kanban moves, lose and reopen with LeadStatusChanged, admin-managed list."""

from collections.abc import AsyncIterator

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
ADMIN = auth_headers("admin-1", Role.ADMIN)
CHANGED = "crm.leads.lead_status_changed.v1"


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads_statuses"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def create(leads: RunningService, name: str = "Hopper") -> dict:
    response = await leads.http.post("/v1/leads", json={"last_name": name}, headers=SALES)
    assert response.status_code == 201, response.text
    return response.json()


async def post(leads: RunningService, lead: dict, action: str, body: dict | None = None, headers=SALES):
    return await leads.http.post(f"/v1/leads/{lead['id']}/{action}", json=body, headers=headers)


async def test_moves_losses_and_reopening_publish_each_change(leads, kafka_bootstrap):
    lead = await create(leads)
    mine = lambda p: p["lead_id"] == lead["id"]  # noqa: E731
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        moved = await post(leads, lead, "move", {"status": "sales_qualification"})
        assert moved.status_code == 200, moved.text
        assert (await post(leads, lead, "move", {"status": "converted"})).status_code == 409
        assert (await post(leads, lead, "move", {"status": "lost"})).status_code == 409
        assert (await post(leads, lead, "lose", {"reason": ""})).status_code == 422
        lost = await post(leads, lead, "lose", {"reason": "chose a competitor"})
        assert (lost.json()["status"], lost.json()["lost_reason"]) == ("lost", "chose a competitor")
        assert (await post(leads, lead, "move", {"status": "nurturing"})).status_code == 409
        reopened = await post(leads, lead, "reopen")
        assert (reopened.json()["status"], reopened.json()["lost_reason"]) == ("to_process", None)
        await probe.wait_for(CHANGED, lambda p: mine(p) and p["from_status"] == "lost")
    moves = [
        (e.payload["from_status"], e.payload["to_status"])
        for e in probe.seen
        if e.type == CHANGED and mine(e.payload)
    ]
    assert moves == [
        ("to_process", "sales_qualification"),
        ("sales_qualification", "lost"),
        ("lost", "to_process"),
    ]
    loss = next(e for e in probe.seen if e.type == CHANGED and e.payload["to_status"] == "lost")
    assert (loss.payload["lost_reason"], loss.payload["changed_by"]) == ("chose a competitor", "sales-1")


async def test_a_stale_version_is_refused_on_moves(leads):
    lead = await create(leads)
    response = await leads.http.post(
        f"/v1/leads/{lead['id']}/move", json={"status": "nurturing"}, headers=SALES | {"If-Match": '"7"'}
    )
    assert response.status_code == 412
    assert (await leads.http.get(f"/v1/leads/{lead['id']}", headers=SALES)).json()["status"] == "to_process"


async def test_conversion_is_the_only_way_to_converted_and_publishes_the_move(leads, kafka_bootstrap):
    lead = await create(leads)
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        assert (await post(leads, lead, "convert", {})).status_code == 200
        event = await probe.wait_for(CHANGED, lambda p: p["lead_id"] == lead["id"])
    assert (event.payload["from_status"], event.payload["to_status"]) == ("to_process", "converted")
    assert (await post(leads, lead, "move", {"status": "nurturing"})).status_code == 409
    assert (await post(leads, lead, "lose", {"reason": "x"})).status_code == 409


async def test_kanban_positions_order_a_column(leads):
    first, second, third = [await create(leads, f"Column {n}") for n in range(3)]
    for lead in (first, second, third):
        assert (await post(leads, lead, "move", {"status": "nurturing", "position": 0})).status_code == 200
    assert (await post(leads, first, "move", {"status": "nurturing", "position": 1})).status_code == 200
    column = (await leads.http.get("/v1/leads?status=nurturing&sort=position", headers=SALES)).json()["items"]
    assert [lead["last_name"] for lead in column] == ["Column 2", "Column 0", "Column 1"]
    await post(leads, third, "move", {"status": "nurturing", "position": 99})
    column = (await leads.http.get("/v1/leads?status=nurturing&sort=position", headers=SALES)).json()["items"]
    assert [lead["last_name"] for lead in column] == ["Column 0", "Column 1", "Column 2"]


async def test_only_admin_configures_statuses(leads):
    body = {"key": "demo_booked", "label_en": "Demo booked", "label_fr": "Démo planifiée", "position": 2}
    assert (await leads.http.post("/v1/lead-statuses", json=body, headers=SALES)).status_code == 403
    keys = lambda r: [s["key"] for s in r.json()]  # noqa: E731
    assert "demo_booked" not in keys(await leads.http.get("/v1/lead-statuses", headers=SALES))
    added = await leads.http.post("/v1/lead-statuses", json=body, headers=ADMIN)
    assert added.status_code == 201, added.text
    listed = await leads.http.get("/v1/lead-statuses", headers=SALES)
    assert keys(listed)[:3] == ["to_process", "marketing_qualification", "demo_booked"]
    assert [s["position"] for s in listed.json()] == list(range(7))

    lead = await create(leads)
    assert (await post(leads, lead, "move", {"status": "demo_booked"})).json()["status"] == "demo_booked"
    assert (await leads.http.delete("/v1/lead-statuses/demo_booked", headers=ADMIN)).status_code == 409
    assert (await leads.http.delete("/v1/lead-statuses/lost", headers=ADMIN)).status_code == 409
    renamed = await leads.http.patch(
        "/v1/lead-statuses/demo_booked", json={"label_fr": "Démo"}, headers=ADMIN
    )
    assert renamed.json()["label_fr"] == "Démo"

    order = [k for k in keys(listed) if k != "nurturing"] + ["nurturing"]
    assert (
        await leads.http.put("/v1/lead-statuses/order", json={"keys": order[:-1]}, headers=ADMIN)
    ).status_code == 422
    assert keys(await leads.http.put("/v1/lead-statuses/order", json={"keys": order}, headers=ADMIN)) == order

    await post(leads, lead, "move", {"status": "to_process"})
    assert (await leads.http.delete("/v1/lead-statuses/demo_booked", headers=ADMIN)).status_code == 204
    assert "demo_booked" not in keys(await leads.http.get("/v1/lead-statuses", headers=SALES))
