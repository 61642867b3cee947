"""Every deals endpoint, for each role: who may call it, and that a refused request leaves no trace.

The matrix must name every route of the service: a new endpoint without a rule here fails the guard.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from crm_deals.adapters.tables import close_requests, deals, pipelines, signed_offers, stages, users
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.http.routes import Mount
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

HEADERS = {role.value: auth_headers(f"{role.value}-perm", role) for role in Role}
HEADERS["none"] = auth_headers("nobody-perm")
ALL = frozenset({"admin", "sales", "csm", "support"})
SALES = frozenset({"admin", "sales"})
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
STAGES = [
    {"name": "First", "probability": 10},
    {"name": "Second", "probability": 40},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@dataclass(frozen=True)
class Call:
    method: str
    route: str
    allowed: frozenset[str]
    url: str
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = field(default=None)


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_permission_matrix"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
    )
    async with running_service(definition(settings)) as running:
        yield running


async def ok(response: Any, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), response.text
    return response.json()


@pytest.fixture(scope="module")
async def calls(service: RunningService) -> list[Call]:
    http, sales = service.http, HEADERS["sales"]
    pipeline = await ok(
        await http.post("/v1/pipelines", json={"name": "Matrix", "stages": STAGES}, headers=sales)
    )
    p, (first, second) = pipeline["id"], (s["id"] for s in pipeline["stages"][:2])
    other = await ok(
        await http.post("/v1/pipelines", json={"name": "Elsewhere", "stages": STAGES}, headers=sales)
    )
    body = {"title": "Matrix deal", "amount_minor": 1000, "pipeline_id": p}
    deal = (await ok(await http.post("/v1/deals", json=body, headers=sales)))["id"]
    won = (await ok(await http.post("/v1/deals", json=body, headers=sales)))["id"]
    await ok(await http.post(f"/v1/deals/{won}/win", headers=sales))
    request = await ok(
        await http.post(
            f"/v1/deals/{deal}/close-requests",
            data={"outcome": "won", "signed_amount_minor": "1000"},
            files={"file": ("offer.pdf", PDF, "application/pdf")},
            headers=HEADERS["csm"],
        )
    )
    r, d, u = f"/v1/close-requests/{request['id']}", f"/v1/deals/{deal}", "/v1/users/sales-perm"
    reads = [
        ("/v1/deals", "/v1/deals"),
        ("/v1/deals/{deal_id:uuid}", d),
        ("/v1/deals/export.csv", "/v1/deals/export.csv"),
        ("/v1/pipelines/{pipeline_id}/board", f"/v1/pipelines/{p}/board"),
        ("/v1/pipelines", "/v1/pipelines"),
        ("/v1/pipelines/{pipeline_id}", f"/v1/pipelines/{p}"),
        ("/v1/deals/{deal_id}/close-requests", f"{d}/close-requests"),
        ("/v1/close-requests", "/v1/close-requests"),
        ("/v1/close-requests/{request_id}", r),
        ("/v1/close-requests/{request_id}/signed-offer", f"{r}/signed-offer"),
        ("/v1/deals/{deal_id}/history", f"{d}/history"),
        ("/v1/deals/{deal_id}/as-of", f"{d}/as-of?at=2999-01-01T00:00:00Z"),
        ("/v1/forecast", "/v1/forecast?group_by=owner"),
        ("/v1/reports/won-lost", "/v1/reports/won-lost?period=month"),
        ("/v1/reports/stage-conversion", f"/v1/reports/stage-conversion?pipeline_id={p}"),
        (
            "/v1/reports/pipeline-snapshot",
            f"/v1/reports/pipeline-snapshot?pipeline_id={p}&at=2999-01-01T00:00:00Z",
        ),
        ("/v1/users", "/v1/users"),
        ("/v1/users/{user_id}", u),
    ]
    pl = f"/v1/pipelines/{p}"
    return [
        *(Call("GET", route, ALL, url) for route, url in reads),
        # Giving a deal to someone else is for Sales; CSM and Support create only deals they own.
        Call("POST", "/v1/deals", SALES, "/v1/deals", json=body | {"owner_id": "sales-perm"}),
        Call("PATCH", "/v1/deals/{deal_id:uuid}", SALES, d, json={"score": 4}),
        Call("POST", "/v1/deals/{deal_id:uuid}/move", SALES, f"{d}/move", json={"stage_id": second}),
        Call(
            "POST",
            "/v1/deals/{deal_id:uuid}/move-pipeline",
            SALES,
            f"{d}/move-pipeline",
            json={"pipeline_id": other["id"]},
        ),
        Call("POST", "/v1/deals/{deal_id:uuid}/reopen", SALES, f"/v1/deals/{won}/reopen"),
        Call("POST", "/v1/deals/{deal_id:uuid}/win", SALES, f"{d}/win"),
        Call("POST", "/v1/deals/{deal_id:uuid}/lose", SALES, f"{d}/lose", json={"reason": "budget"}),
        Call("POST", "/v1/pipelines", SALES, "/v1/pipelines", json={"name": "Refused", "stages": STAGES}),
        Call("PATCH", "/v1/pipelines/{pipeline_id}", SALES, pl, json={"team": "x"}),
        Call("POST", "/v1/pipelines/{pipeline_id}/archive", SALES, f"/v1/pipelines/{other['id']}/archive"),
        Call(
            "POST",
            "/v1/pipelines/{pipeline_id}/stages",
            SALES,
            f"{pl}/stages",
            json=STAGES[0] | {"name": "X"},
        ),
        Call(
            "PUT",
            "/v1/pipelines/{pipeline_id}/stages/order",
            SALES,
            f"{pl}/stages/order",
            json={"stage_ids": [s["id"] for s in reversed(pipeline["stages"])]},
        ),
        Call(
            "PATCH",
            "/v1/pipelines/{pipeline_id}/stages/{stage_id}",
            SALES,
            f"{pl}/stages/{first}",
            json={"probability": 5},
        ),
        Call("DELETE", "/v1/pipelines/{pipeline_id}/stages/{stage_id}", SALES, f"{pl}/stages/{first}"),
        Call(
            "POST",
            "/v1/deals/{deal_id}/close-requests",
            frozenset({"admin", "csm", "support"}),
            f"/v1/deals/{won}/close-requests",
            data={"outcome": "lost", "reason": "late"},
            files={"file": ("offer.pdf", PDF, "application/pdf")},
        ),
        Call("POST", "/v1/close-requests/{request_id}/approve", SALES, f"{r}/approve", json={}),
        Call("POST", "/v1/close-requests/{request_id}/reject", SALES, f"{r}/reject", json={"note": "no"}),
        # Only the requester (here the CSM user) withdraws a request.
        Call("POST", "/v1/close-requests/{request_id}/cancel", frozenset({"admin", "csm"}), f"{r}/cancel"),
        Call(
            "PUT",
            "/v1/users/{user_id}",
            frozenset({"admin"}),
            u,
            json={"team": "t", "roles": ["sales"], "active": True},
        ),
    ]


async def trace(service: RunningService) -> tuple[Any, ...]:
    """Everything a request could leave behind: rows, versions, known users, outbox events."""
    outbox = service.runtime.tables["outbox"]
    counted = [deals, pipelines, stages, close_requests, signed_offers, users, outbox]
    async with service.runtime.engine.connect() as connection:
        counts = [
            (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in counted
        ]
        versions = [
            (await connection.execute(select(func.coalesce(func.sum(table.c.version), 0)))).scalar_one()
            for table in (deals, pipelines, close_requests)
        ]
    return (*counts, *versions)


async def send(service: RunningService, call: Call, role: str) -> Any:
    return await service.http.request(
        call.method, call.url, json=call.json, data=call.data, files=call.files, headers=HEADERS[role]
    )


async def test_every_route_is_in_the_matrix(calls: list[Call]) -> None:
    mounts = [m for m in definition().routers if isinstance(m, Mount)]
    assert len(mounts) == len(definition().routers), "every router is mounted under its full prefix"
    routes = {
        (method, mount.prefix + route.path)
        for mount in mounts
        for route in mount.router.routes
        for method in getattr(route, "methods", ())
    }
    assert {(c.method, c.route) for c in calls} == routes


async def test_refused_roles_get_403_and_change_nothing(service: RunningService, calls: list[Call]) -> None:
    for call in calls:
        for role in sorted({"admin", "sales", "csm", "support", "none"} - call.allowed):
            before = await trace(service)
            response = await send(service, call, role)
            assert response.status_code == 403, (role, call.method, call.url, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert await trace(service) == before, (role, call.method, call.url)


async def test_unauthenticated_requests_get_401(service: RunningService, calls: list[Call]) -> None:
    for call in calls:
        response = await service.http.request(call.method, call.url, json=call.json, data=call.data)
        assert response.status_code == 401, (call.method, call.url, response.text)


async def test_allowed_roles_pass_the_permission_check(service: RunningService, calls: list[Call]) -> None:
    """Reads answer 200; a write may still be refused for another reason (409, 422), never 401/403."""
    for call in calls:
        for role in sorted(call.allowed):
            response = await send(service, call, role)
            if call.method == "GET":
                assert response.status_code == 200, (role, call.url, response.text)
            else:
                assert response.status_code not in (401, 403), (role, call.method, call.url, response.text)
