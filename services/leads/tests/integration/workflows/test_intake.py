"""Web-to-lead intake over HTTP against real PostgreSQL and Kafka."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from crm_leads.adapters.tables import leads as leads_table
from crm_leads.adapters.workflows.tables import assignment_rules, form_submissions
from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

ADMIN = auth_headers("admin-1", Role.ADMIN)
SALES = auth_headers("sales-1", Role.SALES)
MAPPING = {"nom": "last_name", "prenom": "first_name", "courriel": "email", "societe": "company_name"}


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.2,
    )
    async with running_service(definition(settings)) as service:
        yield service


def client_at(leads: RunningService, address: str) -> httpx.AsyncClient:
    """A client whose requests come from `address`: the rate limit counts per client address."""
    transport = httpx.ASGITransport(app=leads.runtime.app(), client=(address, 50_000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def scalar(leads: RunningService, query: Any) -> Any:
    async with leads.runtime.engine.connect() as connection:
        return (await connection.execute(query)).scalar_one()


async def make_form(leads: RunningService, key: str, **fields: Any) -> dict:
    body = {"form_key": key, "name": key, "field_mapping": MAPPING, "consent_fields": ["optin"]} | fields
    response = await leads.http.post("/v1/forms", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


async def make_rule(leads: RunningService, team: str, members: list[str]) -> dict:
    rule = {"name": f"{team} rotation", "kind": "round_robin", "team": team, "members": members}
    response = await leads.http.post("/v1/assignment-rules", json=rule, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def leads_with(email: str) -> Any:
    return select(func.count()).select_from(leads_table).where(leads_table.c.email == email)


async def test_a_form_creates_an_assigned_lead_then_completes_it_instead_of_duplicating(
    leads, kafka_bootstrap
):
    await make_rule(leads, "west", ["wendy"])
    await make_form(leads, "contact-west", team="west", source="web_form")
    async with client_at(leads, "10.0.0.1") as web, EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        first = await web.post(
            "/v1/forms/contact-west/submissions",
            json={"nom": "Curie", "courriel": "Marie@Radium.fr", "optin": True},
        )
        assert (first.status_code, first.json()) == (202, {"status": "accepted"})
        assigned = await probe.wait_for("crm.leads.lead_assigned.v1", lambda p: p["to_owner"] == "wendy")
        second = await web.post(
            "/v1/forms/contact-west/submissions",
            json={"nom": "Sklodowska", "courriel": "marie@radium.fr", "societe": "Radium"},
        )
        assert second.status_code == 202
        updated = await probe.wait_for(
            "crm.leads.lead_updated.v1", lambda p: p["lead_id"] == assigned.payload["lead_id"]
        )
    assert assigned.payload["rule"] == "west rotation"
    assert updated.payload["changed"] == {"company_name": [None, "Radium"]}
    assert await scalar(leads, leads_with("marie@radium.fr")) == 1
    lead = (await leads.http.get(f"/v1/leads/{assigned.payload['lead_id']}", headers=SALES)).json()
    assert (lead["last_name"], lead["company_name"], lead["status"]) == ("Curie", "Radium", "to_process")
    assert (lead["owner_id"], lead["team"], lead["source"]) == ("wendy", "west", "web_form")
    submissions = (await leads.http.get(f"/v1/leads/{lead['id']}/form-submissions", headers=SALES)).json()
    assert submissions["next_cursor"] is None
    assert [(s["outcome"], s["consents"]) for s in submissions["items"]] == [
        ("updated", {"optin": False}),
        ("created", {"optin": True}),
    ]


async def test_round_robin_stays_fair_under_concurrent_submissions(leads):
    rule = await make_rule(leads, "east", ["ann", "bob", "cid"])
    await make_form(leads, "contact-east", team="east")
    async with client_at(leads, "10.0.0.2") as web:
        responses = await asyncio.gather(
            *(
                web.post(
                    "/v1/forms/contact-east/submissions",
                    json={"nom": f"N{i}", "courriel": f"p{i}@east.example"},
                )
                for i in range(6)
            )
        )
    assert [r.status_code for r in responses] == [202] * 6
    owners = (
        select(leads_table.c.owner_id, func.count())
        .where(leads_table.c.team == "east")
        .group_by(leads_table.c.owner_id)
    )
    async with leads.runtime.engine.connect() as connection:
        assert dict(iter(await connection.execute(owners))) == {"ann": 2, "bob": 2, "cid": 2}
    assert (
        await scalar(leads, select(assignment_rules.c.position).where(assignment_rules.c.id == rule["id"]))
        == 0
    )


async def test_a_filled_honeypot_is_answered_202_and_stores_nothing(leads):
    await make_form(leads, "contact-trap")
    async with client_at(leads, "10.0.0.3") as web:
        response = await web.post(
            "/v1/forms/contact-trap/submissions",
            json={"nom": "Bot", "courriel": "bot@spam.example", "website_url": "http://spam.example"},
        )
    assert response.status_code == 202
    assert await scalar(leads, leads_with("bot@spam.example")) == 0
    assert (
        await scalar(
            leads,
            select(func.count())
            .select_from(form_submissions)
            .where(form_submissions.c.fields["email"].astext == "bot@spam.example"),
        )
        == 0
    )


async def test_size_and_rate_limits_answer_problems(leads):
    await make_form(leads, "contact-limits")
    url = "/v1/forms/contact-limits/submissions"
    async with client_at(leads, "10.0.0.4") as web, client_at(leads, "10.0.0.5") as neighbour:
        huge = await web.post(url, json={"nom": "x" * 20_000, "courriel": "big@example.org"})
        assert (huge.status_code, huge.headers["content-type"]) == (413, "application/problem+json")
        answers = [
            (await web.post(url, json={"nom": "R", "courriel": f"r{i}@example.org"})).status_code
            for i in range(10)
        ]
        limited = await web.post(url, json={"nom": "R", "courriel": "late@example.org"})
        other = await neighbour.post(url, json={"nom": "R", "courriel": "neighbour@example.org"})
    assert answers == [202] * 9 + [429]  # the 413 counted too
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert other.status_code == 202


async def test_forms_refuse_bad_input_foreign_origins_and_non_admins(leads):
    await make_form(leads, "contact-strict", allowed_origins=["https://www.example.fr"])
    assert (
        await leads.http.post(
            "/v1/forms", json={"form_key": "nope", "name": "n", "field_mapping": MAPPING}, headers=SALES
        )
    ).status_code == 403
    url = "/v1/forms/contact-strict/submissions"
    origin = {"Origin": "https://www.example.fr"}
    async with client_at(leads, "10.0.0.6") as web:
        foreign = await web.post(
            url, json={"nom": "A", "courriel": "a@b.fr"}, headers={"Origin": "https://evil.example"}
        )
        invalid = await web.post(url, json={"nom": "A", "courriel": "not-an-email"}, headers=origin)
        unknown = await web.post("/v1/forms/no-such-form/submissions", json={}, headers=origin)
        not_json = await web.post(
            url, content=b"[1, 2]", headers=origin | {"content-type": "application/json"}
        )
    assert foreign.status_code == 403
    assert (invalid.status_code, invalid.json()["errors"][0]["field"]) == (422, "body.courriel")
    assert unknown.status_code == 404
    assert not_json.status_code == 422


async def test_a_by_source_rule_wins_over_the_team_rotation(leads):
    source = {"kind": "source", "value": "trade_fair", "label_en": "Trade fair", "label_fr": "Salon"}
    assert (await leads.http.post("/v1/reference-values", json=source, headers=ADMIN)).status_code == 201
    await make_rule(leads, "fair", ["rotating"])
    rule = {"name": "Trade fair", "kind": "by_source", "source": "trade_fair", "members": ["sam"]}
    assert (await leads.http.post("/v1/assignment-rules", json=rule, headers=ADMIN)).status_code == 201
    await make_form(leads, "trade-fair", team="fair", source="trade_fair")
    async with client_at(leads, "10.0.0.7") as web:
        response = await web.post(
            "/v1/forms/trade-fair/submissions", json={"nom": "Lamarr", "courriel": "hedy@fair.example"}
        )
    assert response.status_code == 202
    owner = select(leads_table.c.owner_id).where(leads_table.c.email == "hedy@fair.example")
    assert await scalar(leads, owner) == "sam"


async def test_a_form_source_must_be_in_the_admin_managed_list(leads):
    body = {"form_key": "bad-source", "name": "x", "field_mapping": MAPPING, "source": "billboard"}
    response = await leads.http.post("/v1/forms", json=body, headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "source"
    missing = await leads.http.get("/v1/forms/bad-source", headers=ADMIN)
    assert missing.status_code == 404


async def test_leads_created_without_an_owner_follow_the_rules(leads):
    await make_rule(leads, "north", ["nadia"])
    north_sales = auth_headers("sales-north", Role.SALES, team="north")
    ruled = await leads.http.post("/v1/leads", json={"last_name": "Noether"}, headers=north_sales)
    assert ruled.status_code == 201, ruled.text
    assert ruled.json()["owner_id"] == "nadia"
    chosen = await leads.http.post(
        "/v1/leads", json={"last_name": "Germain", "owner_id": "sales-north"}, headers=north_sales
    )
    assert chosen.json()["owner_id"] == "sales-north"
    unruled = await leads.http.post("/v1/leads", json={"last_name": "Curie"}, headers=SALES)
    assert unruled.json()["owner_id"] == "sales-1"


async def test_emails_the_api_would_refuse_are_refused_by_forms_too(leads):
    await make_form(leads, "strict-email")
    async with client_at(leads, "10.0.0.9") as web:
        for address in ("w@%.com", "a..b@example.com", "<x>@example.com"):
            response = await web.post(
                "/v1/forms/strict-email/submissions", json={"nom": "X", "courriel": address}
            )
            assert response.status_code == 422, (address, response.text)
            assert response.json()["errors"][0]["field"] == "body.courriel"


async def test_form_flags_cannot_be_nulled(leads):
    await make_form(leads, "no-null")
    response = await leads.http.patch("/v1/forms/no-null", json={"active": None}, headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.active"
    assert (await leads.http.get("/v1/forms/no-null", headers=ADMIN)).json()["active"] is True
