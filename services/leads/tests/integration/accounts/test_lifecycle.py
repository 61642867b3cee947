"""Lifecycle status from deal events on Kafka, on real PostgreSQL: exact, idempotent, order-independent."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from crm_leads.bootstrap import definition
from crm_leads.config import Settings
from crm_shared.auth import Role
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.events.deals import DealCreated, DealLost, DealReopened, DealWon
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.publish import publish_event
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SALES = auth_headers("sales-1", Role.SALES)
STAGE = uuid4()


@pytest.fixture(scope="module")
async def leads(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("lifecycle"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.3,
    )
    async with running_service(definition(settings)) as service:
        yield service


async def people(leads: RunningService) -> tuple[str, str]:
    """An account and a contact whose primary account it is."""
    account = (await leads.http.post("/v1/accounts", json={"name": "Navy"}, headers=SALES)).json()
    contact = await leads.http.post(
        "/v1/contacts",
        json={"last_name": "Hopper", "accounts": [{"account_id": account["id"]}]},
        headers=SALES,
    )
    return account["id"], contact.json()["id"]


def created(deal: UUID, contact: str, account: str | None) -> DealCreated:
    return DealCreated(
        deal_id=deal, title="Compiler", amount_minor=100, currency="EUR", pipeline_id=uuid4(),
        stage_id=STAGE, owner_id="sales-1", account_id=account, contact_id=contact,
    )  # fmt: skip


def won(deal: UUID, contact: str, account: str, at: datetime) -> DealWon:
    return DealWon(
        deal_id=deal, title="Compiler", amount_minor=100, currency="EUR", owner_id="sales-1",
        account_id=account, contact_id=contact, from_stage=STAGE, to_stage=STAGE, won_at=at, won_by="sales-1",
    )  # fmt: skip


def lost(deal: UUID, contact: str, at: datetime) -> DealLost:
    return DealLost(
        deal_id=deal, title="Compiler", owner_id="sales-1", contact_id=contact, from_stage=STAGE,
        to_stage=STAGE, reason="budget", lost_at=at, lost_by="sales-1",
    )  # fmt: skip


def envelope(event: IntegrationEvent, at: datetime) -> Envelope:
    return Envelope(**{**Envelope.for_event(event, EventContext("test")).__dict__, "time": at})


async def until(leads: RunningService, url: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = (await leads.http.get(url, headers=SALES)).json()
        if check(body):
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"{url} never matched; last: {body}")


def states(prospect: str, customer: str) -> Callable[[dict[str, Any]], bool]:
    return lambda body: (body["prospect_state"], body["customer_state"]) == (prospect, customer)


async def test_deal_events_move_contact_and_account_and_publish_each_change(leads, kafka_bootstrap):
    account, contact = await people(leads)
    deal, now = uuid4(), datetime.now(UTC)
    async with EventProbe(kafka_bootstrap, "crm.leads.events") as probe:
        await publish_event(kafka_bootstrap, created(deal, contact, account=None))
        await until(leads, f"/v1/contacts/{contact}", states("current", "none"))
        # The deal named no account: the contact's primary account counts it.
        await until(leads, f"/v1/accounts/{account}", states("current", "none"))
        first = await probe.wait_for(
            "crm.leads.lifecycle_status_changed.v1", lambda p: p["record_id"] == contact
        )
        sent = await publish_event(kafka_bootstrap, won(deal, contact, account, now + timedelta(seconds=1)))
        await until(leads, f"/v1/contacts/{contact}", states("none", "current"))
        body = await until(leads, f"/v1/accounts/{account}", states("none", "current"))
        second = await probe.wait_for(
            "crm.leads.lifecycle_status_changed.v1",
            lambda p: p["record_id"] == account and p["after"]["customer"] == "current",
        )
    assert first.payload["before"] == {"prospect": "none", "customer": "none"}
    assert first.payload["after"] == {"prospect": "current", "customer": "none"}
    assert (first.payload["record_type"], first.payload["deal_id"]) == ("contact", str(deal))
    assert second.payload["changed_by"] == "sales-1"
    # A redelivery (same event id) and a copy with a new id change nothing.
    await publish_event(
        kafka_bootstrap, won(deal, contact, account, now + timedelta(seconds=1)), envelope=sent
    )
    await publish_event(kafka_bootstrap, won(deal, contact, account, now + timedelta(seconds=1)))
    await asyncio.sleep(1.5)
    assert (await leads.http.get(f"/v1/accounts/{account}", headers=SALES)).json()["version"] == body[
        "version"
    ]


async def test_a_late_older_event_does_not_undo_a_newer_one(leads, kafka_bootstrap):
    account, contact = await people(leads)
    deal, now = uuid4(), datetime.now(UTC)
    await publish_event(kafka_bootstrap, lost(deal, contact, now))
    await until(leads, f"/v1/contacts/{contact}", states("lost", "none"))
    older = created(deal, contact, account)
    await publish_event(kafka_bootstrap, older, envelope=envelope(older, now - timedelta(minutes=5)))
    # The creation filled in the account the loss lacked, without reopening the deal.
    await until(leads, f"/v1/accounts/{account}", states("lost", "none"))
    assert (await leads.http.get(f"/v1/contacts/{contact}", headers=SALES)).json()["prospect_state"] == "lost"


async def test_a_reopened_deal_moves_a_customer_back_to_prospect(leads, kafka_bootstrap):
    account, contact = await people(leads)
    deal, now = uuid4(), datetime.now(UTC)
    await publish_event(kafka_bootstrap, won(deal, contact, account, now))
    await until(leads, f"/v1/contacts/{contact}", states("none", "current"))
    reopened = DealReopened(
        deal_id=deal, title="Compiler", owner_id="sales-1", account_id=account, contact_id=contact,
        from_stage=STAGE, to_stage=STAGE, reopened_at=now + timedelta(seconds=1), reopened_by="sales-2",
    )  # fmt: skip
    await publish_event(kafka_bootstrap, reopened)
    await until(leads, f"/v1/contacts/{contact}", states("current", "none"))


async def test_manual_states_are_refused_where_the_deals_forbid_them(leads, kafka_bootstrap):
    account, contact = await people(leads)
    await publish_event(kafka_bootstrap, created(uuid4(), contact, account))
    before = await until(leads, f"/v1/contacts/{contact}", states("current", "none"))
    url = f"/v1/contacts/{contact}/lifecycle"
    for prospect in ("none", "lost"):
        refused = await leads.http.put(url, json={"prospect": prospect}, headers=SALES)
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"].endswith("/lifecycle_refused")
    after = (await leads.http.get(f"/v1/contacts/{contact}", headers=SALES)).json()
    assert after["version"] == before["version"]
    former = await leads.http.put(
        f"/v1/accounts/{account}/lifecycle", json={"customer": "former"}, headers=SALES | {"If-Match": '"1"'}
    )
    assert former.status_code == 412
    account_now = await leads.http.get(f"/v1/accounts/{account}", headers=SALES)
    former = await leads.http.put(
        f"/v1/accounts/{account}/lifecycle",
        json={"customer": "former"},
        headers=SALES | {"If-Match": account_now.headers["ETag"]},
    )
    assert former.status_code == 200, former.text
    assert (former.json()["prospect_state"], former.json()["customer_state"]) == ("current", "former")
    listed = (await leads.http.get("/v1/accounts?customer_state=former", headers=SALES)).json()
    assert [a["id"] for a in listed["items"]] == [account]
    prospects = (await leads.http.get("/v1/contacts?prospect_state=current", headers=SALES)).json()
    assert contact in {c["id"] for c in prospects["items"]}
