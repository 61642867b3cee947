"""Leads over HTTP against real PostgreSQL and Kafka: conversion publishes exactly one LeadConverted."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from crm_leads.adapters.account_tables import accounts, contacts
from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
SUPPORT = auth_headers("support-1", Role.SUPPORT)


@pytest.fixture
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("leads"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def create_lead(leads: RunningService) -> dict:
    response = await leads.http.post(
        "/v1/leads",
        json={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company_name": "Analytical",
            "email": "ada@analytical.example",
        },
        headers=SALES,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_conversion_opens_account_and_contact_and_publishes_once(leads, kafka_bootstrap):
    lead = await create_lead(leads)
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        response = await leads.http.post(
            f"/v1/leads/{lead['id']}/convert",
            json={"deal": {"title": "Analytical engine", "amount_minor": 1_200_000, "currency": "EUR"}},
            headers=SALES,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["lead"]["status"] == "converted"
        assert body["account"]["name"] == "Analytical"
        assert body["account"]["email_domain"] == "analytical.example"
        event = await probe.wait_for("crm.leads.lead_converted.v1", lambda p: p["lead_id"] == lead["id"])
    assert event.payload["account_id"] == body["account"]["id"]
    assert event.payload["contact_id"] == body["contact"]["id"]
    assert event.payload["deal"] == {
        "title": "Analytical engine",
        "amount_minor": 1_200_000,
        "currency": "EUR",
        "owner_id": "sales-1",
    }
    assert event.key == lead["id"].encode()
    assert event.headers["ce_source"] == "/crm/leads"
    assert event.headers["content-type"] == "application/json"

    again = await leads.http.post(f"/v1/leads/{lead['id']}/convert", json={}, headers=SALES)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["status"] == 409


async def test_concurrent_conversions_create_one_account(leads):
    lead = await create_lead(leads)
    responses = await asyncio.gather(
        *(leads.http.post(f"/v1/leads/{lead['id']}/convert", json={}, headers=SALES) for _ in range(4))
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    async with leads.runtime.engine.connect() as connection:
        assert (await connection.execute(select(func.count()).select_from(accounts))).scalar_one() == 1
        assert (await connection.execute(select(func.count()).select_from(contacts))).scalar_one() == 1


async def test_support_cannot_convert_and_nothing_changes(leads):
    lead = await create_lead(leads)
    response = await leads.http.post(f"/v1/leads/{lead['id']}/convert", json={}, headers=SUPPORT)
    assert response.status_code == 403
    assert (await leads.http.get(f"/v1/leads/{lead['id']}", headers=SUPPORT)).json()["status"] == "to_process"


async def test_invalid_input_names_the_field(leads):
    response = await leads.http.post(
        "/v1/leads", json={"last_name": "", "email": "not-an-email"}, headers=SALES
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"body.last_name", "body.email"}


async def test_requests_without_a_valid_token_are_refused(leads):
    assert (await leads.http.get("/v1/leads")).status_code == 401
    bad = {"Authorization": "Bearer not.a.token"}
    assert (await leads.http.get("/v1/leads", headers=bad)).status_code == 401


async def test_list_is_paginated_by_cursor(leads):
    created = [await create_lead(leads) for _ in range(3)]
    first = (await leads.http.get("/v1/leads?limit=2", headers=SALES)).json()
    second = (await leads.http.get(f"/v1/leads?limit=2&cursor={first['next_cursor']}", headers=SALES)).json()
    seen = [lead["id"] for lead in first["items"] + second["items"]]
    assert len(seen) == len(set(seen))
    assert {c["id"] for c in created} <= set(seen)
