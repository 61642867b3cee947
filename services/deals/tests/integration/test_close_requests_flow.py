"""Close requests through HTTP on real PostgreSQL and Kafka: asked by CSM/Support, decided by Sales."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_deals.adapters.tables import close_requests, signed_offers
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
CSM = auth_headers("csm-1", Role.CSM)
OTHER_CSM = auth_headers("csm-2", Role.CSM)
SUPPORT = auth_headers("support-1", Role.SUPPORT)
TOPIC = "crm.deals.events"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_close_requests"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.2,
    )
    async with running_service(definition(settings)) as running:
        yield running


async def open_deal(service: RunningService, amount: int = 1_200_000) -> dict[str, Any]:
    body = {"title": "Website redesign", "amount_minor": amount, "currency": "EUR"}
    response = await service.http.post("/v1/deals", json=body, headers=SALES)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def ask(service: RunningService, deal_id: str, headers: dict[str, str], **fields: Any) -> Any:
    files = {"file": ("offre signée.pdf", PDF, "application/pdf")}
    data = {k: str(v) for k, v in fields.items()}
    return await service.http.post(
        f"/v1/deals/{deal_id}/close-requests", data=data, files=files, headers=headers
    )


async def deal_of(service: RunningService, deal_id: str) -> dict[str, Any]:
    return dict((await service.http.get(f"/v1/deals/{deal_id}", headers=SALES)).json())


async def rows_of(service: RunningService, deal_id: str) -> int:
    query = (
        select(func.count())
        .select_from(close_requests.outerjoin(signed_offers))
        .where(close_requests.c.deal_id == deal_id)
    )
    async with service.runtime.engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def test_a_wrong_signed_amount_is_corrected_by_sales_then_approved(service, kafka_bootstrap):
    deal = await open_deal(service, amount=1_200_000)
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        asked = await ask(service, deal["id"], CSM, outcome="won", signed_amount_minor=1_000_000)
        assert asked.status_code == 201, asked.text
        request = asked.json()
        assert (request["status"], request["amount_matches"]) == ("pending", False)
        assert request["signed_offer"]["filename"] == "offre signée.pdf"
        url = f"/v1/close-requests/{request['id']}"

        refused = await service.http.post(f"{url}/approve", headers=SALES)
        assert refused.status_code == 409
        problem = refused.json()
        assert problem["type"].endswith("/signed_amount_mismatch")
        assert (problem["signed_amount_minor"], problem["deal_amount_minor"]) == (1_000_000, 1_200_000)
        assert (await deal_of(service, deal["id"]))["status"] == "open"
        assert (await service.http.get(url, headers=SALES)).json()["status"] == "pending"

        current = await service.http.get(f"/v1/deals/{deal['id']}", headers=SALES)
        corrected = await service.http.patch(
            f"/v1/deals/{deal['id']}",
            json={"amount_minor": 1_000_000},
            headers=SALES | {"If-Match": current.headers["ETag"]},
        )
        assert corrected.status_code == 200, corrected.text

        approved = await service.http.post(f"{url}/approve", json={"note": "checked"}, headers=SALES)
        assert approved.status_code == 200, approved.text
        updated = await probe.wait_for("crm.deals.deal_updated.v1", lambda p: p["deal_id"] == deal["id"])
        won = await probe.wait_for("crm.deals.deal_won.v1", lambda p: p["deal_id"] == deal["id"])
        decided = await probe.wait_for(
            "crm.deals.deal_close_request_decided.v1", lambda p: p["request_id"] == request["id"]
        )
        requested = await probe.wait_for(
            "crm.deals.deal_close_requested.v1", lambda p: p["request_id"] == request["id"]
        )

    assert approved.json()["status"] == "approved"
    assert approved.json()["deal"]["status"] == "won"
    assert (await deal_of(service, deal["id"]))["status"] == "won"
    assert updated.payload["changed"]["amount_minor"] == [1_200_000, 1_000_000]
    assert (won.payload["amount_minor"], won.payload["won_by"]) == (1_000_000, "sales-1")
    assert (won.payload["cause"], won.payload["requested_by"]) == ("close_request", "csm-1")
    assert decided.payload["decision"] == "approved"
    assert (decided.payload["requested_by"], decided.payload["decided_by"]) == ("csm-1", "sales-1")
    assert decided.payload["note"] == "checked"
    assert (requested.payload["amount_minor"], requested.payload["signed_amount_minor"]) == (
        1_200_000,
        1_000_000,
    )
    assert won.offset < decided.offset  # same key, same partition: the win is told first


async def test_sales_rejects_with_a_note_and_the_deal_stays_open(service, kafka_bootstrap):
    deal = await open_deal(service)
    request = (await ask(service, deal["id"], SUPPORT, outcome="won", signed_amount_minor=5)).json()
    url = f"/v1/close-requests/{request['id']}"
    assert (await service.http.post(f"{url}/reject", json={"note": " "}, headers=SALES)).status_code == 422
    assert (await service.http.post(f"{url}/reject", json={}, headers=SALES)).status_code == 422
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        rejected = await service.http.post(f"{url}/reject", json={"note": "wrong offer"}, headers=SALES)
        decided = await probe.wait_for(
            "crm.deals.deal_close_request_decided.v1", lambda p: p["request_id"] == request["id"]
        )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "wrong offer"
    assert (decided.payload["decision"], decided.payload["note"]) == ("rejected", "wrong offer")
    assert decided.payload["requested_by"] == "support-1"
    assert (await deal_of(service, deal["id"]))["status"] == "open"
    assert (await service.http.post(f"{url}/approve", headers=SALES)).status_code == 409
    # Decided: the deal takes a new request.
    assert (await ask(service, deal["id"], SUPPORT, outcome="won", signed_amount_minor=5)).status_code == 201


async def test_an_approved_loss_loses_the_deal_with_the_reason(service, kafka_bootstrap):
    deal = await open_deal(service)
    assert (await ask(service, deal["id"], CSM, outcome="lost")).status_code == 422  # no reason
    request = (await ask(service, deal["id"], CSM, outcome="lost", reason="Budget cut")).json()
    async with EventProbe(kafka_bootstrap, TOPIC) as probe:
        approved = await service.http.post(f"/v1/close-requests/{request['id']}/approve", headers=SALES)
        lost = await probe.wait_for("crm.deals.deal_lost.v1", lambda p: p["deal_id"] == deal["id"])
    assert approved.status_code == 200, approved.text
    assert (lost.payload["reason"], lost.payload["cause"]) == ("Budget cut", "close_request")
    assert (lost.payload["requested_by"], lost.payload["lost_by"]) == ("csm-1", "sales-1")
    closed = await deal_of(service, deal["id"])
    assert (closed["status"], closed["lost_reason"]) == ("lost", "Budget cut")
    refused = await ask(service, deal["id"], CSM, outcome="lost", reason="again")
    assert (refused.status_code, refused.json()["type"]) == (409, "https://errors.crm.local/deal_closed")


async def test_one_pending_request_per_deal_and_only_the_requester_cancels(service):
    deal = await open_deal(service)
    first = (await ask(service, deal["id"], CSM, outcome="won", signed_amount_minor=1)).json()
    second = await ask(service, deal["id"], SUPPORT, outcome="lost", reason="no")
    assert second.status_code == 409
    assert second.json()["type"].endswith("/close_request_pending")
    url = f"/v1/close-requests/{first['id']}"
    assert (await service.http.post(f"{url}/cancel", headers=OTHER_CSM)).status_code == 403
    stale = await service.http.post(f"{url}/cancel", headers=CSM | {"If-Match": '"7"'})
    assert stale.status_code == 412
    cancelled = await service.http.post(f"{url}/cancel", headers=CSM | {"If-Match": '"1"'})
    assert cancelled.json()["status"] == "cancelled"
    assert (await ask(service, deal["id"], SUPPORT, outcome="lost", reason="no")).status_code == 201
    assert await rows_of(service, deal["id"]) == 2


async def test_refused_callers_change_nothing(service):
    deal = await open_deal(service)
    assert (await ask(service, deal["id"], SALES, outcome="won", signed_amount_minor=1)).status_code == 403
    assert await rows_of(service, deal["id"]) == 0
    request = (await ask(service, deal["id"], CSM, outcome="won", signed_amount_minor=1_200_000)).json()
    url = f"/v1/close-requests/{request['id']}"
    for action, body in (("approve", None), ("reject", {"note": "no"})):
        for caller in (CSM, SUPPORT):
            response = await service.http.post(f"{url}/{action}", json=body, headers=caller)
            assert response.status_code == 403
    assert (await service.http.get(url, headers=SALES)).json()["status"] == "pending"
    assert (await deal_of(service, deal["id"]))["status"] == "open"
    assert (await service.http.post(f"{url}/cancel", headers=SALES)).status_code == 403


async def test_the_sales_queue_is_paginated_by_cursor(service):
    for _ in range(3):
        deal = await open_deal(service, amount=100)
        assert (
            await ask(service, deal["id"], CSM, outcome="won", signed_amount_minor=100)
        ).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params = {"status": "pending", "order": "oldest", "limit": "2"} | (
            {"cursor": cursor} if cursor else {}
        )
        page = (await service.http.get("/v1/close-requests", params=params, headers=SALES)).json()
        seen += [r["id"] for r in page["items"]]
        assert all(r["status"] == "pending" for r in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen)  # time-ordered ids: oldest first
    assert len(seen) == len(set(seen)) >= 3
    mine = await service.http.get("/v1/close-requests?requested_by=csm-2", headers=SUPPORT)
    assert mine.json() == {"items": [], "next_cursor": None}
    of_deal = (await service.http.get(f"/v1/deals/{deal['id']}/close-requests", headers=CSM)).json()
    assert [r["deal_id"] for r in of_deal["items"]] == [deal["id"]]
    assert of_deal["items"][0]["amount_matches"] is True
    bad = await service.http.get("/v1/close-requests?status=done&shape=1", headers=SALES)
    assert bad.status_code == 422
