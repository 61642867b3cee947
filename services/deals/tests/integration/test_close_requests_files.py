"""The signed offer over HTTP: limits and types refused with nothing written; downloads for readers."""

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_deals.adapters.tables import close_requests, metadata, signed_offers
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_deals.domain.close_requests import MAX_OFFER_BYTES
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
CSM = auth_headers("csm-1", Role.CSM)
SUPPORT = auth_headers("support-1", Role.SUPPORT)
NOBODY = auth_headers("guest-1")  # a valid token with no role of the deals context
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
outbox = metadata.tables["outbox"]


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_close_request_files"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
    )
    async with running_service(definition(settings)) as running:
        yield running


@pytest.fixture
async def deal(service: RunningService) -> dict[str, Any]:
    body = {"title": "Hosting", "amount_minor": 50_000, "currency": "EUR"}
    response = await service.http.post("/v1/deals", json=body, headers=SALES)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def upload(
    service: RunningService, deal_id: str, file: tuple[str, bytes, str] | None, **extra: Any
) -> Any:
    data = {"outcome": "won", "signed_amount_minor": "50000"} | extra
    return await service.http.post(
        f"/v1/deals/{deal_id}/close-requests",
        data=data,
        files={"file": file} if file else None,
        headers=CSM,
    )


async def written(service: RunningService, deal_id: str) -> tuple[int, int, int]:
    """Requests, offers and outbox events of the deal."""
    counts = (
        select(func.count()).select_from(close_requests).where(close_requests.c.deal_id == deal_id),
        select(func.count())
        .select_from(signed_offers.join(close_requests))
        .where(close_requests.c.deal_id == deal_id),
        select(func.count()).select_from(outbox).where(outbox.c.aggregate_id == deal_id),
    )
    async with service.runtime.engine.connect() as connection:
        found = [int((await connection.execute(q)).scalar_one()) for q in counts]
    return found[0], found[1], found[2]


async def test_refused_files_leave_nothing_behind(service, deal):
    before = await written(service, deal["id"])
    too_big = await upload(
        service, deal["id"], ("big.pdf", b"%PDF-" + bytes(MAX_OFFER_BYTES), "application/pdf")
    )
    assert too_big.status_code == 413
    assert too_big.json()["errors"][0]["field"] == "file"
    disguised = await upload(service, deal["id"], ("offer.pdf", b"<html>hi</html>", "application/pdf"))
    assert disguised.status_code == 422
    assert disguised.json()["errors"][0]["field"] == "file"
    html = await upload(service, deal["id"], ("offer.html", b"<html>hi</html>", "text/html"))
    assert (html.status_code, html.json()["errors"][0]["field"]) == (422, "file")
    missing = await upload(service, deal["id"], None)
    assert (missing.status_code, missing.json()["errors"][0]["field"]) == (422, "file")
    unknown = await upload(service, deal["id"], ("a.png", PNG, "image/png"), admin="true")
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "body.admin")
    as_json = await service.http.post(
        f"/v1/deals/{deal['id']}/close-requests", json={"outcome": "won"}, headers=CSM
    )
    assert as_json.status_code == 422
    assert await written(service, deal["id"]) == before


async def test_readers_download_the_offer_byte_for_byte(service, deal):
    created = await upload(service, deal["id"], ("..\\scans/Offre signée.png", PNG, "image/png"))
    assert created.status_code == 201, created.text
    offer = created.json()["signed_offer"]
    assert offer["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert (offer["filename"], offer["content_type"], offer["size"]) == (
        "Offre signée.png",
        "image/png",
        len(PNG),
    )
    assert await written(service, deal["id"]) == (1, 1, 2)  # DealCreated, DealCloseRequested

    for reader in (SALES, CSM, SUPPORT):
        response = await service.http.get(offer["url"], headers=reader)
        assert response.status_code == 200
        assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"Offre sign_e.png\"; filename*=UTF-8''Offre%20sign%C3%A9e.png"
    )
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_non_readers_see_neither_requests_nor_offers(service, deal):
    created = (await upload(service, deal["id"], ("offer.png", PNG, "image/png"))).json()
    for path in (
        created["signed_offer"]["url"],
        f"/v1/close-requests/{created['id']}",
        "/v1/close-requests",
        f"/v1/deals/{deal['id']}/close-requests",
    ):
        assert (await service.http.get(path, headers=NOBODY)).status_code == 403
        assert (await service.http.get(path)).status_code == 401
    refused = await service.http.post(
        f"/v1/deals/{deal['id']}/close-requests",
        data={"outcome": "lost", "reason": "x"},
        files={"file": ("offer.png", PNG, "image/png")},
        headers=NOBODY,
    )
    assert refused.status_code == 403
    missing = await service.http.get(
        "/v1/close-requests/0190a000-0000-7000-8000-000000000000/signed-offer", headers=SALES
    )
    assert missing.status_code == 404
