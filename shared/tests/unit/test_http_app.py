"""The app factory's contract: problem+json for every error, fields named, request ids, probes."""

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, EmailStr

from crm_shared.auth import CurrentUser, Role, issue_dev_token
from crm_shared.errors import Conflict, NotFound
from crm_shared.http import create_app
from crm_shared.observability import NotReady
from crm_shared.settings import AuthSettings


class Body(BaseModel):
    email: EmailStr
    count: int


router = APIRouter()


@router.post("/things")
async def create(body: Body, user: CurrentUser) -> dict[str, str]:
    return {"by": user.user_id}


@router.get("/missing")
async def missing() -> None:
    raise NotFound("thing", 42)


@router.get("/conflict")
async def conflict() -> None:
    raise Conflict("already done")


@router.get("/crash")
async def crash() -> None:
    raise RuntimeError("secret internals")


async def broken() -> None:
    raise ConnectionError("down")


async def fine() -> None:
    return None


async def lagging() -> None:
    raise NotReady("oldest unpublished outbox row is 75s old (limit 60s)")


@pytest.fixture
async def client():
    app = create_app(
        title="t",
        description="d",
        routers=[router],
        auth=AuthSettings(),
        readiness={"db": fine, "broker": broken},
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http


def bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(AuthSettings(), user_id='u', roles=[Role.SALES])}"}


async def test_validation_errors_name_each_field(client):
    response = await client.post("/things", json={"email": "nope", "count": "x"}, headers=bearer())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"body.email", "body.count"}


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/conflict", 409), ("/nowhere", 404)])
async def test_errors_are_problem_documents(client, path, status):
    response = await client.get(path)
    body = response.json()
    assert response.status_code == status
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys()


async def test_unexpected_errors_do_not_leak(client):
    response = await client.get("/crash")
    assert response.status_code == 500
    assert "secret" not in response.text


async def test_missing_token_is_401(client):
    assert (await client.post("/things", json={"email": "a@b.example", "count": 1})).status_code == 401


async def test_request_id_is_echoed_or_made(client):
    assert (await client.get("/healthz", headers={"X-Request-ID": "abc"})).headers["X-Request-ID"] == "abc"
    assert len((await client.get("/healthz")).headers["X-Request-ID"]) == 36


async def test_readiness_reports_each_dependency(client):
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ready": False, "checks": {"db": "ok", "broker": "failed: ConnectionError"}}


async def test_metrics_are_exposed(client):
    await client.get("/healthz")
    assert "crm_http_request_duration_seconds" in (await client.get("/metrics")).text


async def test_liveness_needs_nothing_outside_the_process(client):
    for path in ("/livez", "/healthz"):  # /healthz: the older name
        response = await client.get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_a_not_ready_verdict_is_shown_with_its_reason():
    app = create_app(
        title="t", description="d", routers=[], auth=AuthSettings(), readiness={"relay": lagging}
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        response = await http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "relay": "failed: oldest unpublished outbox row is 75s old (limit 60s)"
    }


async def test_liveness_fails_when_a_background_task_of_the_process_died():
    async def task_ended() -> None:
        raise NotReady("1 background task(s) ended: restart the process")

    app = create_app(
        title="t",
        description="d",
        routers=[],
        auth=AuthSettings(),
        readiness={},
        liveness={"tasks": task_ended},
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/livez")
    assert response.status_code == 503
    assert response.json()["checks"] == {"tasks": "failed: 1 background task(s) ended: restart the process"}
