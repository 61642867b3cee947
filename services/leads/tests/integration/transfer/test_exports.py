"""CSV exports over HTTP: neutralised cells, filters, paging through large lists, permissions, and
an export imported back with update by key."""

import csv
import io
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)
CSV = {"Content-Type": "text/csv"}


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("exports"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.3,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def import_csv(leads: RunningService, kind: str, text: str, **params: str) -> dict:
    response = await leads.http.post(
        f"/v1/imports/{kind}", content=text.encode(), params=params, headers=SALES | CSV
    )
    assert response.status_code == 200, response.text
    return response.json()


async def export(leads: RunningService, kind: str, headers=SALES, **params: str) -> list[dict[str, str]]:
    response = await leads.http.get(f"/v1/exports/{kind}.csv", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


async def test_lead_cells_that_would_run_as_formulas_are_neutralised(leads):
    tag = uuid4().hex[:8]
    body = {
        "last_name": f'=HYPERLINK("http://evil.example","{tag}")',
        "company_name": f"@Evil {tag}",
        "description": "-1+1 ring",  # control characters are refused at the edge (422)
        "phone": "+33 1 42 68 53 00",
        "tags": [{"name": "vip", "colour": "#ff0000"}],
    }
    created = await leads.http.post("/v1/leads", json=body, headers=SALES)
    assert created.status_code == 201, created.text
    [row] = await export(leads, "leads", headers=SUPPORT, q=tag)
    assert row["id"] == created.json()["id"]
    assert row["last_name"] == f'\'=HYPERLINK("http://evil.example","{tag}")'
    assert row["company_name"] == f"'@Evil {tag}"
    assert row["description"] == "'-1+1 ring"
    assert (row["phones"], row["tags"], row["status"]) == ("'+33142685300", "vip:#ff0000", "to_process")


async def test_a_long_list_is_exported_whole_and_filtered(leads):
    tag = uuid4().hex[:8]
    rows = "".join(f"Acme {tag} {i},acme-{tag}-{i}.example,{'vip' if i % 2 else ''}\n" for i in range(230))
    report = await import_csv(leads, "accounts", f"name,email_domain,tags\n{rows}")
    assert report["created"] == 230
    exported = await export(leads, "accounts", q=tag)
    assert len(exported) == 230
    assert len({r["id"] for r in exported}) == 230
    assert len(await export(leads, "accounts", q=tag, tag="vip")) == 115
    refused = await leads.http.get("/v1/exports/accounts.csv")
    assert refused.status_code == 401


async def test_an_exported_file_edited_and_imported_back_updates_the_same_contacts(leads):
    tag = uuid4().hex[:8]
    await import_csv(
        leads,
        "contacts",
        f"external_id,last_name,email,phone\nC-{tag}-1,Taylor,amy.{tag}@demo.example,+1 415 256 8563\n"
        f"C-{tag}-2,Jones,mike.{tag}@demo.example,\n",
    )
    exported = await export(leads, "contacts", q=tag)
    assert {r["external_id"] for r in exported} == {f"C-{tag}-1", f"C-{tag}-2"}
    for row in exported:
        row["job_title"] = "VP"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(exported[0]))
    writer.writeheader()
    writer.writerows(exported)
    report = await import_csv(leads, "contacts", buffer.getvalue(), mode="update_by_key", key="external_id")
    assert (report["created"], report["updated"], report["rejected"]) == (0, 2, 0), report["errors"]
    again = await export(leads, "contacts", q=tag)
    assert {(r["job_title"], r["phones"]) for r in again} == {("VP", "'+14152568563"), ("VP", "")}
