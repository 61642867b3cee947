"""Every service documents its HTTP API: the OpenAPI document builds and names each capability."""

import importlib

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
