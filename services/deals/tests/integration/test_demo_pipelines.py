"""The agency's demo pipelines load through the deals API, and a second load adds nothing."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from crm_deals.bootstrap import definition
from crm_deals.config import Settings
from crm_shared.auth import Role
from crm_shared.infra.demo import load_demo_pipelines
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

ADMIN = auth_headers("demo-admin", Role.ADMIN)


class Bridge(httpx.BaseTransport):
    """The demo loader is synchronous: hand its requests to the in-process service's loop."""

    def __init__(self, service: RunningService, loop: asyncio.AbstractEventLoop) -> None:
        self._service, self._loop = service, loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent = self._service.http.request(
            request.method, request.url.raw_path.decode(), content=request.read(), headers=request.headers
        )
        answer = asyncio.run_coroutine_threadsafe(sent, self._loop).result(timeout=10)
        return httpx.Response(answer.status_code, json=answer.json(), request=request)


@pytest.fixture
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("deals_demo"), kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap)
    )
    async with running_service(definition(settings)) as running:
        yield running


def load(service: RunningService, loop: asyncio.AbstractEventLoop) -> int:
    with httpx.Client(transport=Bridge(service, loop), base_url="http://test") as http:
        return load_demo_pipelines(http, "http://test", ADMIN)


async def test_demo_pipelines_load_once(service):
    loop = asyncio.get_running_loop()
    assert await asyncio.to_thread(load, service, loop) == 5
    assert await asyncio.to_thread(load, service, loop) == 0

    listed = (await service.http.get("/v1/pipelines?include_archived=true", headers=ADMIN)).json()
    by_name = {p["name"]: p for p in listed}
    assert len(listed) == 6
    assert by_name["Default"]["is_default"]
    assert not by_name["OLD PIPE"]["is_default"]
    assert by_name["OLD PIPE"]["archived"]
    sales = by_name["SALES SQUAD"]
    assert [s["name"] for s in sales["stages"]] == ["À contacter", "En contact", "Offer send", "Won", "Lost"]
    offer = next(s["id"] for s in sales["stages"] if s["name"] == "Offer send")
    assert sales["settings"]["proposal_stage_id"] == offer
    csm = by_name["CLIENTS SQUAD - CSM"]
    assert csm["settings"]["is_renewal_pipeline"]
    assert csm["stages"][0]["name"] == "En cours et à prolonger"
    assert by_name["COLD LEADS"]["settings"]["proposal_stage_id"] is None
