"""The checked-in AsyncAPI documents (docs/asyncapi/) describe what each service really does."""

import importlib
import json
from pathlib import Path

import pytest

from crm_shared.cli.service import asyncapi_document
from crm_shared.infra.stack import SERVICES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"


@pytest.mark.parametrize("service", SERVICES)
async def test_checked_in_asyncapi_document_is_current(service):
    bootstrap = importlib.import_module(f"crm_{service}.bootstrap")
    generated = await asyncapi_document(bootstrap.definition())
    path = DOCS / f"{service}.json"
    assert path.exists(), f"missing {path}: run `make asyncapi`"
    assert json.loads(path.read_text()) == generated, f"{path} is stale: run `make asyncapi`"


@pytest.mark.parametrize("service", SERVICES)
def test_document_lists_every_event_the_service_publishes(service):
    from crm_shared.events import registered_events

    document = json.loads((DOCS / f"{service}.json").read_text())
    published = {t for t in registered_events() if t.split(".")[1] == service}
    assert published <= set(document["channels"])
