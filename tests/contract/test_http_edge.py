"""The HTTP edge of every service, on real PostgreSQL and Kafka: every operation of its OpenAPI document
refuses a NUL in each input it takes with 422 naming the field (never a 500); a database out of reach is
a 503 with Retry-After on every read."""

from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from crm_shared.auth import Role
from crm_shared.infra.process import free_port
from crm_shared.infra.stack import SERVICES
from crm_shared.runtime import ProcessRole, ServiceRuntime
from crm_shared.testing.service import RunningService, auth_headers, running_service
from tests.contract.edge_probes import probes
from tests.contract.services import definition

pytestmark = pytest.mark.integration

ADMIN = auth_headers("admin-1", Role.ADMIN)
API_ONLY = frozenset({ProcessRole.API})


@pytest.fixture(scope="module", params=SERVICES)
async def running(request, kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    service = request.param
    async with running_service(
        definition(service, make_database(f"edge_{service}"), kafka_bootstrap), roles=API_ONLY
    ) as started:
        yield started


async def test_every_input_of_every_operation_refuses_a_nul_naming_the_field(running):
    document = (await running.http.get("/openapi.json")).json()
    failures, kinds = [], Counter()
    for probe in probes(document):
        kinds[probe.kind] += 1
        request = probe.request | {"headers": ADMIN | probe.request.get("headers", {})}
        response = await running.http.request(probe.method.upper(), probe.url, **request)
        named = [e.get("field", "").lower() for e in _problem_errors(response)]
        if response.status_code != 422 or probe.field.lower() not in named:
            failures.append(f"{probe.method} {probe.url} {probe.field}: {response.status_code} {named}")
    assert failures == []
    # Every operation has at least its X-Request-ID header probed; bodies and parameters where they are.
    operations = sum(1 for item in document["paths"].values() for method in item if method != "parameters")
    assert kinds["header"] >= operations
    assert kinds["body"] + kinds["query"] + kinds["path"] > 0


async def test_the_public_web_to_lead_form_refuses_a_nul_without_a_token(kafka_bootstrap, make_database):
    async with running_service(
        definition("leads", make_database("edge_form"), kafka_bootstrap), roles=API_ONLY
    ) as leads:
        url = "/v1/forms/contact-us/submissions"
        as_json = await leads.http.post(url, json={"email": "ada\x00@example.com"})
        as_text = await leads.http.post(
            url, content=b'{"last_name": "Love\\u0000lace"}', headers={"content-type": "text/plain"}
        )
    assert [e["field"] for e in as_json.json()["errors"]] == ["body.email"]
    assert [e["field"] for e in as_text.json()["errors"]] == ["body.last_name"]


@pytest.mark.parametrize("service", SERVICES)
async def test_every_read_answers_503_with_retry_after_while_the_database_is_out_of_reach(service):
    unreachable = f"postgresql+asyncpg://crm:crm@127.0.0.1:{free_port()}/gone"
    runtime = ServiceRuntime(definition(service, unreachable, "127.0.0.1:1"), API_ONLY)
    transport = httpx.ASGITransport(app=runtime.app())
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            document = (await http.get("/openapi.json")).json()
            reads = [path for path, item in document["paths"].items() if _plain_read(path, item)]
            answers = {path: await http.get(path, headers=ADMIN) for path in reads}
    finally:
        await runtime.producer.stop()
        await runtime.engine.dispose()
    assert reads
    assert {path: r.status_code for path, r in answers.items() if r.status_code != 503} == {}
    assert all(r.headers["Retry-After"].isdigit() for r in answers.values())
    assert {r.headers["content-type"] for r in answers.values()} == {"application/problem+json"}


def _plain_read(path: str, item: dict) -> bool:
    """A GET of the API without path parameters nor required query parameters."""
    operation = item.get("get")
    if operation is None or not path.startswith("/v1/") or "{" in path:
        return False
    return not any(p.get("required") for p in operation.get("parameters", []) if p["in"] == "query")


def _problem_errors(response: httpx.Response) -> list[dict]:
    if response.headers.get("content-type") != "application/problem+json":
        return []
    return response.json().get("errors", [])
