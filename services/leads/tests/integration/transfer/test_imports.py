"""Imports over HTTP on real PostgreSQL and Kafka: the Salesforce samples, CSV errors per row and
column, update by key, dry runs, limits and permissions."""

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service
from tests.data import SALESFORCE_SAMPLES as SAMPLES

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)
CSV = {"Content-Type": "text/csv"}


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("imports"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.3,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def import_csv(leads: RunningService, kind: str, text: str, headers=SALES, **params) -> dict:
    response = await leads.http.post(
        f"/v1/imports/{kind}", content=text.encode(), params=params, headers=headers | CSV
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_salesforce_samples_are_imported_with_their_links(leads, kafka_bootstrap):
    files = [
        ("files", (name, (SAMPLES / name).read_bytes(), "application/json"))
        for name in ("data-plan.json", "Contacts.json", "Accounts.json")
    ]
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        response = await leads.http.post(
            "/v1/imports/salesforce", files=files, params={"phone_region": "US"}, headers=SALES
        )
        assert response.status_code == 200, response.text
        report = response.json()
        amy_id = next(r["id"] for r in report["rows"] if r["reference"] == "ContactRef1")
        event = await probe.wait_for("crm.leads.contact_created.v1", lambda p: p["contact_id"] == amy_id)
    assert (report["created"], report["updated"], report["rejected"], report["errors"]) == (16, 0, 0, [])
    assert sorted(report["ignored_columns"]) == ["NumberOfEmployees", "Phone", "Picture__c"]
    ids = {r["reference"]: r["id"] for r in report["rows"]}
    alpha = (await leads.http.get(f"/v1/accounts/{ids['AccountRef1']}", headers=SALES)).json()
    assert (alpha["name"], alpha["type"]) == ("Alpha Dynamics", "partner")
    linked = await leads.http.get("/v1/contacts", params={"account_id": alpha["id"]}, headers=SALES)
    names = sorted(c["last_name"] for c in linked.json()["items"])
    assert names == ["Kingsley", "Taylor", "Wu"]
    michael = (await leads.http.get(f"/v1/contacts/{ids['ContactRef2']}", headers=SALES)).json()
    assert michael["account_id"] == ids["AccountRef2"]
    assert (michael["email"], michael["phone"], michael["job_title"]) == (
        "michael@demo.net",
        "+14158526633",
        "VP of Sales",
    )
    assert event.payload["account_id"] == ids["AccountRef1"]


async def test_a_contact_of_a_rejected_salesforce_account_is_rejected_too(leads):
    tree = {
        "records": [
            {"attributes": {"type": "Account", "referenceId": "A1"}, "Name": "  "},
            {
                "attributes": {"type": "Contact", "referenceId": "C1"},
                "LastName": "Orphan",
                "AccountId": "@A1",
            },
            {"attributes": {"type": "Contact", "referenceId": "C2"}, "LastName": "Lost", "AccountId": "@A9"},
        ]
    }
    response = await leads.http.post("/v1/imports/salesforce", json=tree, headers=SALES)
    report = response.json()
    assert (report["created"], report["rejected"]) == (0, 3)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (1, "Name"),
        (2, "AccountId"),
        (3, "AccountId"),
    ]
    assert "rejected" in report["errors"][1]["message"]
    assert "no record @A9" in report["errors"][2]["message"]


async def test_a_csv_with_errors_imports_its_valid_rows_and_reports_the_others(leads):
    tag = uuid4().hex[:8]
    text = (
        "last_name,first_name,email,phone,function,source,score,country,unknown_column\n"
        f"Hopper{tag},Grace,grace.{tag}@navy.example,+1 202 555 0143,,,5,US,x\n"
        f",Nameless,nameless.{tag}@example.org,,,,3,,\n"
        f"Lovelace{tag},Ada,not-an-email,,,,7,,\n"
        f"Turing{tag},Alan,alan.{tag}@example.org,,Codebreaker {tag},pigeon {tag},,,\n"
        f"Curie{tag},Marie,marie.{tag}@example.org,,,,2,fr,\n"
        f"Noether{tag},Emmy,emmy.{tag}@example.org,12,,,,,\n"
    )
    report = await import_csv(leads, "leads", text)
    assert (report["created"], report["updated"], report["rejected"]) == (1, 0, 5)
    errors = {(e["row"], e["column"]) for e in report["errors"]}
    assert errors == {
        (3, "last_name"),
        (4, "emails"),
        (4, "score"),
        (5, "source"),
        (6, "country"),
        (7, "phones"),
    }
    assert report["ignored_columns"] == ["unknown_column"]
    found = (await leads.http.get("/v1/leads", params={"q": tag}, headers=SALES)).json()["items"]
    assert [lead["last_name"] for lead in found] == [f"Hopper{tag}"]
    assert found[0]["phone"] == "+12025550143"
    # Row 5's new function value (added inline before its source was refused) is not left behind.
    values = (await leads.http.get("/v1/reference-values", params={"kind": "function"}, headers=SALES)).json()
    assert all(tag not in v["value"] for v in values)


async def test_update_by_key_updates_instead_of_duplicating(leads):
    tag = uuid4().hex[:8]
    accounts = f"external_id,name,email_domain\nACC-{tag},Acme {tag},acme-{tag}.example\n"
    first = await import_csv(leads, "accounts", accounts)
    again = await import_csv(
        leads, "accounts", accounts.replace("Acme", "Acme Corp"), mode="update_by_key", key="external_id"
    )
    assert (first["created"], again["created"], again["updated"]) == (1, 0, 1)
    account_id = first["rows"][0]["id"]
    assert again["rows"][0]["id"] == account_id
    contacts = (
        "last_name,email,job_title,account_external_id,account_role\n"
        f"Wu,jen.{tag}@acme.example,CTO,ACC-{tag},buyer\n"
    )
    await import_csv(leads, "contacts", contacts)
    update = f"email,job_title\nJEN.{tag}@acme.example,CEO\nnew.{tag}@acme.example,\n"
    report = await import_csv(leads, "contacts", update, mode="update_by_key", key="email")
    assert (report["created"], report["updated"], report["rejected"]) == (0, 1, 1)
    assert report["errors"][0]["row"] == 3
    assert report["errors"][0]["column"] == "last_name"
    found = await leads.http.get("/v1/contacts", params={"email": f"jen.{tag}@acme.example"}, headers=SALES)
    [jen] = found.json()["items"]
    assert (jen["job_title"], jen["last_name"]) == ("CEO", "Wu")
    assert jen["accounts"] == [{"account_id": account_id, "role": "buyer"}]
    account = (await leads.http.get(f"/v1/accounts/{account_id}", headers=SALES)).json()
    assert account["name"] == f"Acme Corp {tag}"


async def test_create_mode_refuses_a_used_external_id(leads):
    tag = uuid4().hex[:8]
    text = f"external_id,last_name\nL-{tag},One\nL-{tag},Two\n"
    report = await import_csv(leads, "leads", text)
    assert (report["created"], report["rejected"]) == (1, 1)
    assert report["errors"][0]["row"] == 3
    assert report["errors"][0]["column"] == "external_id"


async def test_a_dry_run_reports_without_writing(leads):
    tag = uuid4().hex[:8]
    report = await import_csv(
        leads, "leads", f"last_name,email\nDry{tag},dry.{tag}@example.org\n", dry_run="true"
    )
    assert (report["dry_run"], report["created"], report["rows"][0]["id"]) == (True, 1, None)
    found = await leads.http.get("/v1/leads", params={"q": tag}, headers=SALES)
    assert found.json()["items"] == []


async def test_imports_are_for_sales_and_bounded(leads):
    refused = await leads.http.post("/v1/imports/leads", content=b"last_name\nX\n", headers=SUPPORT | CSV)
    assert refused.status_code == 403
    multipart = await leads.http.post(
        "/v1/imports/leads",
        files={"file": ("leads.csv", b"last_name\nMultipart\n", "text/csv")},
        headers=SALES,
    )
    assert multipart.json()["created"] == 1
    too_large = await leads.http.post(
        "/v1/imports/leads", content=b"last_name\n" + b"x" * (5 * 1024 * 1024), headers=SALES | CSV
    )
    assert too_large.status_code == 413
    not_utf8 = await leads.http.post(
        "/v1/imports/leads", content="last_name\nJos\xe9\n".encode("latin-1"), headers=SALES | CSV
    )
    assert not_utf8.status_code == 422


async def test_update_by_key_reaches_the_survivor_of_a_merge(leads):
    tag = uuid4().hex[:8]
    created = await import_csv(
        leads,
        "accounts",
        f"external_id,name,email_domain\nK-{tag},Keep {tag},keep-{tag}.example\n"
        f"D-{tag},Dup {tag},dup-{tag}.example\n",
    )
    keep, dup = (row["id"] for row in created["rows"])
    merge = {"survivor_id": keep, "merged_ids": [dup], "choices": {}}
    assert (await leads.http.post("/v1/accounts/merge", json=merge, headers=SALES)).status_code == 200
    update = f"external_id,name\nD-{tag},Merged {tag}\n"
    report = await import_csv(leads, "accounts", update, mode="update_by_key", key="external_id")
    assert (report["updated"], report["rejected"]) == (1, 0)
    assert report["rows"][0]["id"] == keep
    survivor = (await leads.http.get(f"/v1/accounts/{keep}", headers=SALES)).json()
    assert survivor["name"] == f"Merged {tag}"
    by_domain = await import_csv(
        leads,
        "accounts",
        f"email_domain,name\ndup-{tag}.example,Fresh {tag}\n",
        mode="update_by_key",
        key="email",
    )
    assert by_domain["created"] == 1  # the merged account is no longer matched by its old domain
