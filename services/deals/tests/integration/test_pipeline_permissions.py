"""Only sales and admin configure pipelines; every role reads them; a refused request changes nothing."""

from collections.abc import AsyncIterator

import pytest

from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

ROLES = {role: auth_headers(f"{role}-1", role) for role in Role}
STAGES = [
    {"name": "Open", "probability": 10},
    {"name": "Later", "probability": 30},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_pipeline_permissions"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
    )
    async with running_service(definition(settings)) as running:
        yield running


def writes(pipeline: dict) -> list[tuple[str, str, dict | None]]:
    url = f"/v1/pipelines/{pipeline['id']}"
    first, second = (s["id"] for s in pipeline["stages"][:2])
    order = [s["id"] for s in reversed(pipeline["stages"])]
    return [
        ("POST", "/v1/pipelines", {"name": "Refused", "stages": STAGES}),
        ("PATCH", url, {"name": f"Renamed {pipeline['id']}"}),
        ("PUT", f"{url}/stages/order", {"stage_ids": order}),
        ("POST", f"{url}/stages", {"name": "Extra", "probability": 40}),
        ("PATCH", f"{url}/stages/{first}", {"probability": 99}),
        ("DELETE", f"{url}/stages/{second}", None),
        ("POST", f"{url}/archive", None),
    ]


async def everything(service: RunningService) -> list[dict]:
    response = await service.http.get("/v1/pipelines?include_archived=true", headers=ROLES[Role.ADMIN])
    return sorted(response.json(), key=lambda p: p["id"])


@pytest.mark.parametrize("role", [Role.CSM, Role.SUPPORT])
async def test_csm_and_support_are_refused_every_change_and_nothing_changes(service, role):
    pipeline = (
        await service.http.post(
            "/v1/pipelines", json={"name": f"P {role}", "stages": STAGES}, headers=ROLES[Role.SALES]
        )
    ).json()
    before = await everything(service)
    for method, url, body in writes(pipeline):
        response = await service.http.request(method, url, json=body, headers=ROLES[role])
        assert response.status_code == 403, (method, url, response.text)
    assert await everything(service) == before


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_reads_pipelines(service, role):
    listed = await service.http.get("/v1/pipelines?include_archived=true", headers=ROLES[role])
    assert listed.status_code == 200
    one = await service.http.get(f"/v1/pipelines/{listed.json()[0]['id']}", headers=ROLES[role])
    assert one.status_code == 200


@pytest.mark.parametrize("role", [Role.SALES, Role.ADMIN])
async def test_sales_and_admin_make_every_change(service, role):
    pipeline = (
        await service.http.post(
            "/v1/pipelines", json={"name": f"P {role}", "stages": STAGES}, headers=ROLES[role]
        )
    ).json()
    for method, url, body in writes(pipeline)[1:]:
        response = await service.http.request(method, url, json=body, headers=ROLES[role])
        assert response.status_code in {200, 201}, (method, url, response.text)
