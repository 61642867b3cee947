"""The edge seen through real flows, on real PostgreSQL and Kafka: each request's trace reaches the events it
writes; racing creates of a unique name make one record and 409s; an import reports a NUL cell by row."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text

from crm_deals.adapters.tables import pipelines
from crm_shared import tracing
from crm_shared.auth import Role
from crm_shared.db.plumbing import OUTBOX
from crm_shared.runtime import ProcessRole
from crm_shared.testing.service import RunningService, auth_headers, running_service
from crm_shared.text_keys import casefold_key
from tests.contract.services import definition

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES, team="squad-a")
ADMIN = auth_headers("admin-1", Role.ADMIN)
API_ONLY = frozenset({ProcessRole.API})
CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
STAGES = [
    {"name": "New", "probability": 10},
    {"name": "Won", "probability": 100, "kind": "won"},
    {"name": "Lost", "probability": 0, "kind": "lost"},
]


@pytest.fixture(scope="module")
async def deals(kafka_bootstrap, make_database) -> AsyncIterator[RunningService]:
    async with running_service(
        definition("deals", make_database("flows_deals"), kafka_bootstrap), roles=API_ONLY
    ) as service:
        yield service


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap, make_database) -> AsyncIterator[RunningService]:
    async with running_service(
        definition("leads", make_database("flows_leads"), kafka_bootstrap), roles=API_ONLY
    ) as service:
        yield service


async def outbox_traces(service: RunningService, aggregate_id: str) -> list[str]:
    outbox = service.runtime.tables[OUTBOX]
    query = select(outbox.c.headers).where(outbox.c.aggregate_id == aggregate_id)
    async with service.runtime.engine.connect() as connection:
        return [headers["traceparent"] for headers in (await connection.execute(query)).scalars()]


async def test_a_request_without_a_trace_writes_events_in_the_trace_it_answers(deals):
    response = await deals.http.post("/v1/deals", json={"title": "Site", "amount_minor": 1000}, headers=SALES)
    assert response.status_code == 201, response.text
    answered = response.headers["traceparent"]
    traces = await outbox_traces(deals, response.json()["id"])
    assert traces
    assert all(tracing.parse(t) is not None for t in traces)
    assert {tracing.trace_id_of(t) for t in traces} == {tracing.trace_id_of(answered)}


async def test_a_callers_trace_is_continued_into_the_events(deals):
    headers = SALES | {"traceparent": CALLER}
    response = await deals.http.post(
        "/v1/deals", json={"title": "Site", "amount_minor": 1000}, headers=headers
    )
    traces = await outbox_traces(deals, response.json()["id"])
    assert {tracing.trace_id_of(t) for t in traces} == {"4bf92f3577b34da6a3ce929d0e0e4736"}
    assert CALLER not in traces  # our span, child of the caller's


async def test_a_public_form_submission_writes_its_events_in_a_trace(leads):
    form = {
        "form_key": "traced",
        "name": "Traced",
        "field_mapping": {"nom": "last_name", "courriel": "email"},
    }
    assert (await leads.http.post("/v1/forms", json=form, headers=ADMIN)).status_code == 201
    response = await leads.http.post(
        "/v1/forms/traced/submissions", json={"nom": "Hopper", "courriel": "grace@navy.example"}
    )
    assert response.status_code == 202, response.text
    outbox = leads.runtime.tables[OUTBOX]
    query = select(outbox.c.headers).where(outbox.c.event_type == "crm.leads.lead_created.v1")
    async with leads.runtime.engine.connect() as connection:
        (headers,) = (await connection.execute(query)).scalars().all()
    assert tracing.trace_id_of(headers["traceparent"]) == tracing.trace_id_of(response.headers["traceparent"])


async def test_racing_creates_of_one_pipeline_name_make_one_and_answer_409_to_the_others(deals):
    body = {"name": "Racing", "stages": STAGES}
    answers = await asyncio.gather(
        *(deals.http.post("/v1/pipelines", json=body, headers=SALES) for _ in range(8))
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    assert {a.headers["content-type"] for a in answers if a.status_code == 409} == {
        "application/problem+json"
    }
    async with deals.runtime.engine.connect() as connection:
        count = (
            await connection.execute(text("SELECT count(*) FROM pipelines WHERE name = 'Racing'"))
        ).scalar()
    assert count == 1


async def test_a_create_overtaken_by_a_racing_one_is_refused_by_the_unique_name_naming_the_field(deals):
    """Held deterministically: the racing row is written but not committed when the request checks the
    name; the request's insert waits on it, and fails when it commits."""
    async with deals.runtime.engine.connect() as racing:
        transaction = await racing.begin()
        name = {"name": "Overtaken", "name_key": casefold_key("Overtaken")}
        await racing.execute(pipelines.insert().values(id=uuid.uuid4(), currency="EUR", **name))
        request = asyncio.ensure_future(
            deals.http.post("/v1/pipelines", json={"name": "Overtaken", "stages": STAGES}, headers=SALES)
        )
        await wait_for_lock_waiter(deals)
        await transaction.commit()
        response = await request
    assert response.status_code == 409
    assert (response.json()["type"], response.json()["errors"]) == (
        "https://errors.crm.local/pipeline_name_taken",
        [{"field": "name", "message": "a pipeline is already named 'Overtaken'"}],
    )


async def test_racing_creates_of_one_form_key_make_one_form(leads):
    form = {"form_key": "raced", "name": "Raced", "field_mapping": {"nom": "last_name", "courriel": "email"}}
    answers = await asyncio.gather(
        *(leads.http.post("/v1/forms", json=form, headers=ADMIN) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5


async def test_a_csv_cell_with_a_nul_rejects_its_row_naming_the_column(leads):
    csv = (
        "last_name,first_name,email\r\nLovelace,Ada,ada@example.com\r\nBab\x00bage,Charles,cb@example.com\r\n"
    )
    response = await leads.http.post(
        "/v1/imports/leads", content=csv.encode(), headers=SALES | {"content-type": "text/csv"}
    )
    report = response.json()
    assert response.status_code == 200, response.text
    assert (report["created"], report["rejected"]) == (1, 1)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "last_name")]
    assert "U+0000" in report["errors"][0]["message"]


async def test_a_salesforce_record_with_a_nul_is_rejected_naming_its_field(leads):
    tree = {
        "records": [
            {"attributes": {"type": "Account", "referenceId": "A1"}, "Name": "Analytical\u0000 Engines"},
            {
                "attributes": {"type": "Contact", "referenceId": "C1"},
                "LastName": "Byron",
                "AccountId": "sf\u0001x",
            },
        ]
    }
    response = await leads.http.post(
        "/v1/imports/salesforce",
        content=json.dumps(tree),
        headers=SALES | {"content-type": "application/json"},
    )
    report = response.json()
    assert response.status_code == 200, response.text
    assert (report["created"], report["rejected"]) == (0, 2)
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(1, "Name"), (2, "AccountId")}


async def wait_for_lock_waiter(service: RunningService) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(500):
        async with service.runtime.engine.connect() as connection:
            if (await connection.execute(query)).scalar_one():
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the request never waited on the racing row")
