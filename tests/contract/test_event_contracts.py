"""The event catalogue is current and its check finds stale, missing and breaking schemas (what counts as
breaking: test_schema_compatibility); producers and a real flow publish events matching it: CloudEvents
binary-mode headers and a value valid against the checked-in JSON Schema, typed updates as v1 and v2.

Records are read with a plain aiokafka consumer, as any other system would read them.
"""

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from jsonschema import Draft202012Validator, FormatChecker

from crm_cases.domain.case_values import CaseType, Priority
from crm_cases.domain.mail import InboundMail
from crm_cases.domain.model import Case, Profile
from crm_cases.domain.sla import DueTimes, SlaTarget
from crm_cases.service_layer.integration_events import translate as cases_translate
from crm_deals.bootstrap import definition as deals_definition
from crm_deals.config import Settings as DealsSettings
from crm_leads.bootstrap import definition as leads_definition
from crm_leads.config import Settings as LeadsSettings
from crm_shared.auth import Role
from crm_shared.events.schemas import check_schemas
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared/src/crm_shared/events/schemas"
TOPICS = ("crm.leads.events", "crm.deals.events")
SALES = auth_headers("contract-sales", Role.SALES)
UPDATE_TYPES = {
    f"crm.{context}.{name}_updated.{version}"
    for context, name in (("leads", "lead"), ("leads", "account"), ("leads", "contact"), ("deals", "deal"))
    for version in ("v1", "v2")
}
FLOW_TYPES = {
    "crm.leads.lead_created.v1",
    "crm.leads.lead_converted.v1",
    "crm.leads.account_created.v1",
    "crm.leads.contact_created.v1",
    "crm.deals.deal_created.v1",
    "crm.deals.deal_won.v1",
    *UPDATE_TYPES,
}
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE)
FORMATS = FormatChecker()  # jsonschema's own checkers (uuid, email...) plus RFC 3339 date-times


@FORMATS.checks("date-time", raises=ValueError)
def is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(RFC3339.fullmatch(value)) and datetime.fromisoformat(value).tzinfo is not None


# --- (a) the checked-in catalogue -------------------------------------------------------------------


def test_checked_in_schemas_are_current():
    assert check_schemas() == []


def test_check_schemas_reports_stale_missing_breaking_and_orphan_files(tmp_path: Path):
    for path in SCHEMA_DIR.glob("crm.*.json"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "crm.leads.lead_created.v1.json").unlink()
    won = json.loads((tmp_path / "crm.deals.deal_won.v1.json").read_text())
    won["description"] = "edited by hand"
    (tmp_path / "crm.deals.deal_won.v1.json").write_text(json.dumps(won))
    lost = json.loads((tmp_path / "crm.deals.deal_lost.v1.json").read_text())
    lost["properties"]["discount"] = {"type": "integer"}  # the class no longer has it: removed
    (tmp_path / "crm.deals.deal_lost.v1.json").write_text(json.dumps(lost))
    (tmp_path / "crm.deals.deal_paused.v1.json").write_text("{}")

    problems = check_schemas(tmp_path)
    assert "crm.leads.lead_created.v1: no checked-in schema (run `crm schemas`)" in problems
    assert "crm.deals.deal_won.v1: checked-in schema is stale (run `crm schemas`)" in problems
    assert "crm.deals.deal_lost.v1: not backward compatible: discount: removed" in problems
    assert "crm.deals.deal_paused.v1: schema of an event type that no longer exists" in problems
    assert len(problems) == 4, problems


# --- (b) what producers publish --------------------------------------------------------------------


def test_a_case_update_is_published_as_v1_and_v2_valid_against_their_schemas():
    """Cases is outside the Kafka flow below: its producer's output is checked here."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    mail = InboundMail(sender_email="ann@customer.example", sender_name="Ann", subject="Broken", text="Help")
    profile = Profile(due=DueTimes.of(SlaTarget("normal", 60, 600), at))
    case = Case.open_from_email(
        number="CASE-1", mail=mail, message_id="<m1@x>", mailbox="help@us.example",
        raw_message_id=uuid.uuid4(), at=at, profile=profile,
    )  # fmt: skip
    case.pull_events()
    changes = {"priority": Priority.URGENT, "type": CaseType.INCIDENT, "tags": ("billing",), "team": None}
    due = DueTimes.of(SlaTarget("urgent", 15, 120), at)
    case.update(changes, by="agent-1", at=at + timedelta(minutes=5), due=due)
    published = {e.event_type: e.model_dump(mode="json") for e in cases_translate(case.pull_events()[0])}
    assert set(published) == {"crm.cases.case_updated.v1", "crm.cases.case_updated.v2"}
    for ce_type, payload in published.items():
        check_against_schema(payload, ce_type)
    assert published["crm.cases.case_updated.v2"]["changes"]["resolution_due_at"] == {
        "before": (at + timedelta(minutes=600)).isoformat().replace("+00:00", "Z"),
        "after": (at + timedelta(minutes=120)).isoformat().replace("+00:00", "Z"),
    }


# --- (c) what a real flow publishes -----------------------------------------------------------------


@pytest.fixture
async def crm(
    kafka_bootstrap: str, make_database: Callable[[str], str]
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap)
    leads = LeadsSettings(
        database_url=make_database("contract_leads"), kafka=kafka, relay_poll_interval_s=0.2
    )
    deals = DealsSettings(
        database_url=make_database("contract_deals"), kafka=kafka, relay_poll_interval_s=0.2
    )
    async with (
        running_service(leads_definition(leads)) as lead_service,
        running_service(deals_definition(deals)) as deal_service,
    ):
        yield lead_service, deal_service


class TopicReader:
    """A plain consumer without a group, positioned at the topics' ends when opened."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(*TOPICS, bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.records: list[ConsumerRecord[bytes, bytes]] = []

    async def __aenter__(self) -> "TopicReader":
        await self._consumer.start()
        partitions = self._consumer.assignment()
        assert {p.topic for p in partitions} == set(TOPICS)
        for partition, end in (await self._consumer.end_offsets(list(partitions))).items():
            self._consumer.seek(partition, end)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def read_until(
        self, done: Callable[[list[ConsumerRecord[bytes, bytes]]], bool], timeout_s: float = 30
    ):
        deadline = time.monotonic() + timeout_s
        while not done(self.records):
            assert time.monotonic() < deadline, (
                f"flow incomplete; saw {[dict(r.headers) for r in self.records]}"
            )
            batch = await self._consumer.getmany(timeout_ms=200)
            self.records.extend(r for rs in batch.values() for r in rs)
        return self.records


async def run_flow(leads: RunningService, deals: RunningService) -> set[str]:
    """Lead (updated) -> conversion with a deal -> account and contact updated -> deals opens the deal
    (consumer) -> updated -> won. Returns the aggregates' ids."""
    lead = await leads.http.post(
        "/v1/leads",
        json={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company_name": "Engines",
            "email": "ada@engines.example",
        },
        headers=SALES,
    )
    assert lead.status_code == 201, lead.text
    lead_id = lead.json()["id"]
    await patch(leads, f"/v1/leads/{lead_id}", {"score": 4, "tags": [{"name": "vip", "colour": "#ff0000"}]})
    conversion = await leads.http.post(
        f"/v1/leads/{lead_id}/convert",
        json={"deal": {"title": "Difference engine", "amount_minor": 4_200_000, "currency": "GBP"}},
        headers=SALES,
    )
    assert conversion.status_code == 200, conversion.text
    account_id, contact_id = conversion.json()["account"]["id"], conversion.json()["contact"]["id"]
    billing = {"kind": "billing", "line1": "12 St James's Square", "city": "London", "country": "GB"}
    await patch(leads, f"/v1/accounts/{account_id}", {"addresses": [billing], "key_account": True})
    await patch(
        leads, f"/v1/contacts/{contact_id}", {"emails": ["ada@engines.example", "ada@lovelace.example"]}
    )
    deal_id = await deal_of_lead(deals, lead_id)
    await patch(deals, f"/v1/deals/{deal_id}", {"expected_close_date": "1843-09-01", "probability": 70})
    won = await deals.http.post(f"/v1/deals/{deal_id}/win", headers=SALES)
    assert won.status_code == 200, won.text
    return {lead_id, account_id, contact_id, deal_id}


async def patch(service: RunningService, url: str, changes: dict[str, Any]) -> None:
    response = await service.http.patch(url, json=changes, headers=SALES)
    assert response.status_code == 200, response.text


async def deal_of_lead(deals: RunningService, lead_id: str, timeout_s: float = 20) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page = (await deals.http.get("/v1/deals?limit=200", headers=SALES)).json()
        found = [d["id"] for d in page["items"] if d["lead_id"] == lead_id]
        if found:
            return str(found[0])
        await asyncio.sleep(0.1)
    raise AssertionError(f"deals opened no deal for lead {lead_id}")


def check_cloudevent(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    headers = {k: v.decode() for k, v in record.headers}
    context = record.topic.split(".")[1]
    assert headers["ce_specversion"] == "1.0"
    assert str(uuid.UUID(headers["ce_id"])) == headers["ce_id"]
    assert headers["ce_source"] == f"/crm/{context}"
    assert re.fullmatch(rf"crm\.{context}\.[a-z_]+\.v\d+", headers["ce_type"]), headers["ce_type"]
    assert RFC3339.fullmatch(headers["ce_time"]), headers["ce_time"]
    assert datetime.fromisoformat(headers["ce_time"]).tzinfo is not None
    assert record.key is not None
    assert headers["ce_subject"] == record.key.decode()
    assert headers["content-type"] == "application/json"
    assert headers["correlation_id"]
    return headers


def check_against_schema(payload: dict[str, Any], ce_type: str) -> None:
    schema = json.loads((SCHEMA_DIR / f"{ce_type}.json").read_text())
    assert schema["x-ce-type"] == ce_type
    errors = [e.message for e in Draft202012Validator(schema, format_checker=FORMATS).iter_errors(payload)]
    assert errors == [], f"{ce_type}: {errors}"


def check_payload(record: ConsumerRecord[bytes, bytes], ce_type: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(record.value)
    check_against_schema(payload, ce_type)
    assert record.key is not None
    assert record.key.decode() in {str(v) for v in payload.values()}  # the key is the aggregate's id
    return payload


@pytest.mark.integration
async def test_a_real_flow_publishes_cloudevents_matching_their_schemas(crm, kafka_bootstrap: str):
    leads, deals = crm
    async with TopicReader(kafka_bootstrap) as reader:
        ids = await run_flow(leads, deals)

        def complete(records: list[ConsumerRecord[bytes, bytes]]) -> bool:
            seen = {
                dict(r.headers).get("ce_type", b"").decode()
                for r in records
                if (r.key or b"").decode() in ids
            }
            return seen >= FLOW_TYPES

        records = [r for r in await reader.read_until(complete) if (r.key or b"").decode() in ids]

    by_type: dict[str, dict[str, str]] = {}
    payloads: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        headers = check_cloudevent(record)
        payloads.setdefault(headers["ce_type"], []).append(check_payload(record, headers["ce_type"]))
        by_type[headers["ce_type"]] = headers
    assert set(by_type) >= FLOW_TYPES
    converted, created = by_type["crm.leads.lead_converted.v1"], by_type["crm.deals.deal_created.v1"]
    assert created["causation_id"] == converted["ce_id"]  # deals says which event it reacted to
    assert created["correlation_id"] == converted["correlation_id"]
    check_typed_updates(payloads)


def check_typed_updates(payloads: dict[str, list[dict[str, Any]]]) -> None:
    """Each update went out as v1 and v2, the v2 holding exactly the changed fields, typed."""
    for ce_type in sorted(t for t in UPDATE_TYPES if t.endswith(".v2")):
        v1_fields = [set(p["changed"]) for p in payloads[ce_type.replace(".v2", ".v1")]]
        assert [set(p["changes"]) for p in payloads[ce_type]] == v1_fields, ce_type
    [lead] = payloads["crm.leads.lead_updated.v2"]
    assert lead["changes"]["tags"] == {"before": [], "after": [{"name": "vip", "colour": "#ff0000"}]}
    [account] = payloads["crm.leads.account_updated.v2"]
    assert account["changes"]["addresses"]["after"][0]["country"] == "GB"
    contact = payloads["crm.leads.contact_updated.v2"][-1]
    assert contact["changes"]["emails"]["after"] == ["ada@engines.example", "ada@lovelace.example"]
    [deal] = [p for p in payloads["crm.deals.deal_updated.v2"] if "expected_close_date" in p["changes"]]
    assert deal["changes"]["expected_close_date"] == {"before": None, "after": "1843-09-01"}
    assert deal["changes"]["probability"]["after"] == 70
