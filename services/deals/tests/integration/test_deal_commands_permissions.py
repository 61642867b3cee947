"""Who may do what to a deal, owners from the users directory, and refused requests leaving no trace."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm_deals.adapters.tables import deals, users
from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES, team="squad-a")
CSM = auth_headers("csm-1", Role.CSM, team="clients")
SUPPORT = auth_headers("support-1", Role.SUPPORT, team="support")
ADMIN = auth_headers("admin-1", Role.ADMIN)


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_command_permissions"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.2,
    )
    async with running_service(definition(settings)) as running:
        yield running


async def create(service: RunningService, headers=SALES, **body) -> dict:
    response = await service.http.post(
        "/v1/deals", json={"title": "Site", "amount_minor": 1000} | body, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def trace(service: RunningService) -> tuple[int, int, int, int]:
    """What a request may leave behind: deals, their versions, users known, outbox events."""
    async with service.runtime.engine.connect() as connection:
        counts = await connection.execute(
            select(
                select(func.count()).select_from(deals).scalar_subquery(),
                select(func.coalesce(func.sum(deals.c.version), 0)).scalar_subquery(),
                select(func.count()).select_from(users).scalar_subquery(),
                select(func.count()).select_from(service.runtime.tables["outbox"]).scalar_subquery(),
            )
        )
        return tuple(counts.one())


async def test_the_users_directory_is_read_by_all_and_written_by_admin(service):
    await create(service)  # sales-1 is known from its token from now on
    listed = await service.http.get("/v1/users", headers=SUPPORT)
    assert listed.status_code == 200
    assert {"id": "sales-1", "team": "squad-a", "roles": ["sales"], "active": True} in listed.json()
    body = {"team": "squad-b", "roles": ["sales"], "active": True}
    before = await trace(service)
    refused = await service.http.put("/v1/users/newcomer", json=body, headers=SALES)
    assert refused.status_code == 403
    assert await trace(service) == before
    put = await service.http.put("/v1/users/newcomer", json=body, headers=ADMIN)
    assert (put.status_code, put.json()) == (200, {"id": "newcomer"} | body)
    bad = await service.http.put("/v1/users/newcomer", json=body | {"roles": ["boss"]}, headers=ADMIN)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "body.roles.0")


async def test_owners_are_active_users_of_deals_and_give_their_team(service):
    before = await trace(service)
    unknown = await service.http.post(
        "/v1/deals", json={"title": "x", "amount_minor": 1, "owner_id": "ghost"}, headers=SALES
    )
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "owner_id")
    assert await trace(service) == before
    ghost = {"team": "squad-g", "roles": ["csm"], "active": True}
    assert (await service.http.put("/v1/users/ghost", json=ghost, headers=ADMIN)).status_code == 200
    given = await create(service, owner_id="ghost")
    assert (given["owner_id"], given["team"], given["created_by"]) == ("ghost", "squad-g", "sales-1")
    await service.http.put("/v1/users/ghost", json=ghost | {"active": False}, headers=ADMIN)
    inactive = await service.http.patch(
        f"/v1/deals/{given['id']}", json={"owner_id": "sales-1"}, headers=SALES
    )
    assert inactive.status_code == 200
    back = await service.http.patch(f"/v1/deals/{given['id']}", json={"owner_id": "ghost"}, headers=SALES)
    assert (back.status_code, back.json()["errors"][0]["field"]) == (422, "owner_id")
    await service.http.put(
        "/v1/users/nobody", json={"team": None, "roles": [], "active": True}, headers=ADMIN
    )
    later = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    potential = {"reason": "later", "potential": {"recontact_on": later, "owner_id": "nobody"}}
    no_role = await service.http.post(f"/v1/deals/{given['id']}/lose", json=potential, headers=SALES)
    assert (no_role.status_code, no_role.json()["errors"][0]["field"]) == (422, "potential.owner_id")
    assert (await service.http.get(f"/v1/deals/{given['id']}", headers=SALES)).json()["status"] == "open"


async def test_csm_and_support_work_on_the_deals_they_own_only(service):
    default = next(
        p for p in (await service.http.get("/v1/pipelines", headers=SALES)).json() if p["is_default"]
    )
    qualification = next(s["id"] for s in default["stages"] if s["name"] == "Qualification")
    own = await create(service, headers=CSM, title="Renouvellement")
    assert (own["owner_id"], own["team"]) == ("csm-1", "clients")
    patched = await service.http.patch(f"/v1/deals/{own['id']}", json={"amount_minor": 2000}, headers=CSM)
    assert patched.status_code == 200
    moved = await service.http.post(
        f"/v1/deals/{own['id']}/move", json={"stage_id": qualification}, headers=CSM
    )
    assert moved.status_code == 200
    sales_deal = await create(service)
    given = await service.http.patch(
        f"/v1/deals/{sales_deal['id']}", json={"owner_id": "csm-1"}, headers=SALES
    )
    assert (given.status_code, given.json()["owner_id"]) == (200, "csm-1")  # csm-1 is known from its requests

    others = await create(service)
    before = await trace(service)
    for headers in (CSM, SUPPORT):
        for method, path, body in (
            ("POST", "/v1/deals", {"title": "x", "amount_minor": 1, "owner_id": "sales-1"}),
            ("PATCH", f"/v1/deals/{others['id']}", {"amount_minor": 1}),
            ("POST", f"/v1/deals/{others['id']}/move", {"stage_id": qualification}),
            ("POST", f"/v1/deals/{others['id']}/move-pipeline", {"pipeline_id": default["id"]}),
            ("PATCH", f"/v1/deals/{own['id']}", {"owner_id": "sales-1"}),
            ("POST", f"/v1/deals/{own['id']}/win", None),
            ("POST", f"/v1/deals/{own['id']}/lose", {"reason": "budget"}),
        ):
            refused = await service.http.request(method, path, json=body, headers=headers)
            assert refused.status_code == 403, (headers, method, path, refused.text)
    assert await trace(service) == before  # support-1, never seen before, is not recorded either
    lost = await service.http.post(f"/v1/deals/{own['id']}/lose", json={"reason": "budget"}, headers=SALES)
    assert lost.status_code == 200
    before = await trace(service)
    reopen = await service.http.post(f"/v1/deals/{own['id']}/reopen", headers=CSM)
    assert reopen.status_code == 403
    assert await trace(service) == before
    assert (await service.http.post(f"/v1/deals/{own['id']}/reopen", headers=SALES)).json()[
        "status"
    ] == "open"
