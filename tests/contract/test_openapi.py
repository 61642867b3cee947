"""Every service documents its HTTP API: the OpenAPI document builds and names each capability."""

import importlib
import re

import httpx
import pytest

from crm_shared.infra.stack import SERVICES
from crm_shared.runtime import ALL_ROLES, ServiceRuntime

LEADS_CAPABILITIES = {
    ("post", "/v1/leads"),
    ("patch", "/v1/leads/{lead_id}"),
    ("get", "/v1/leads/kanban"),
    ("post", "/v1/leads/{lead_id}/move"),
    ("post", "/v1/leads/{lead_id}/lose"),
    ("post", "/v1/leads/{lead_id}/reopen"),
    ("post", "/v1/leads/{lead_id}/convert"),
    ("post", "/v1/leads/{lead_id}/take-charge"),
    ("post", "/v1/leads/assignments"),
    ("post", "/v1/forms/{form_key}/submissions"),
    ("get", "/v1/leads/{lead_id}/duplicates"),
    ("post", "/v1/leads/merge"),
    ("post", "/v1/contacts/merge"),
    ("post", "/v1/accounts/merge"),
    ("get", "/v1/leads/{lead_id}/history"),
    ("post", "/v1/imports/{kind}"),
    ("post", "/v1/imports/salesforce"),
    ("put", "/v1/contacts/{contact_id}/lifecycle"),
    ("get", "/v1/contacts/{contact_id}/related"),
}


async def openapi_of(service: str) -> dict:
    bootstrap = importlib.import_module(f"crm_{service}.bootstrap")
    runtime = ServiceRuntime(bootstrap.definition(), ALL_ROLES)
    try:
        return runtime.app().openapi()
    finally:
        await runtime.producer.stop()
        await runtime.engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_openapi_document_builds_with_operations_and_operational_routes(service):
    document = await openapi_of(service)
    paths = document["paths"]
    assert {"/healthz", "/readyz", "/metrics"} <= paths.keys()
    assert any(path.startswith("/v1/") for path in paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"


async def test_leads_document_lists_every_capability_of_the_service():
    paths = (await openapi_of("leads"))["paths"]
    documented = {(method, path) for path, operations in paths.items() for method in operations}
    assert LEADS_CAPABILITIES - documented == set()


PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
WRITES = {"post", "put", "patch", "delete"}


def expected_errors(path: str, method: str, operation: dict) -> set[str]:
    """The error answers an operation must document, by the rules every service follows."""
    headers = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
    expected = {"422"}
    if operation.get("security"):
        expected |= {"401", "403"}
    if "{" in path:
        expected.add("404")
    if method in WRITES:
        expected.add("409")
    if "if-match" in headers:
        expected.add("412")
    if "operations" not in operation.get("tags", []):
        expected.add("503")
    return expected


@pytest.mark.parametrize("service", SERVICES)
async def test_every_operation_documents_its_error_answers_as_problems(service):
    document = await openapi_of(service)
    problem = document["components"]["schemas"]["Problem"]
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ProblemFieldError"}
    assert {"field", "message"} <= set(document["components"]["schemas"]["ProblemFieldError"]["required"])
    missing, not_problems = [], []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            absent = expected_errors(path, method, operation) - responses.keys()
            missing += [f"{method} {path} {status}" for status in sorted(absent)]
            not_problems += [
                f"{method} {path} {status}"
                for status, response in responses.items()
                if int(status) >= 400 and response.get("content") != PROBLEM
            ]
            for status in ("429", "503"):
                if status in responses:
                    assert "Retry-After" in responses[status]["headers"], f"{method} {path} {status}"
    assert missing == []
    assert not_problems == []


async def test_the_rate_limited_form_documents_its_429():
    submit = (await openapi_of("leads"))["paths"]["/v1/forms/{form_key}/submissions"]["post"]
    assert submit["responses"]["429"]["content"] == PROBLEM


@pytest.mark.parametrize("service", SERVICES)
async def test_the_docs_pages_load_every_asset_from_the_service_itself(service):
    bootstrap = importlib.import_module(f"crm_{service}.bootstrap")
    runtime = ServiceRuntime(bootstrap.definition(), ALL_ROLES)
    transport = httpx.ASGITransport(app=runtime.app())
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            for page in ("/docs", "/redoc"):
                html = (await http.get(page)).text
                assets = re.findall(r'(?:src|href)="([^"]+)"', html)
                assert assets, page
                assert [a for a in assets if not a.startswith("/")] == [], f"{page} loads from elsewhere"
                assert "http://" not in html
                assert "https://" not in html
                for asset in assets:
                    response = await http.get(asset)
                    assert response.status_code == 200, asset
                    assert len(response.content) > 1000, asset
            assert "openapi" in (await http.get("/openapi.json")).json()
    finally:
        await runtime.producer.stop()
        await runtime.engine.dispose()
