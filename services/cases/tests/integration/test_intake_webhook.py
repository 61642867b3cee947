"""The signed webhook, the quarantine and its re-processing, the per-sender rate limit and duplicate
deliveries (including two at once), against real PostgreSQL and Kafka."""

import asyncio
import time
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from sqlalchemy import func, select

from crm_cases.adapters.intake_tables import mail_intake
from crm_cases.adapters.tables import cases, raw_messages
from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_cases.domain.intake_signature import sign
from crm_shared import tracing
from crm_shared.auth import Role
from crm_shared.db.plumbing import OUTBOX
from crm_shared.infra.process import free_port
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SECRET = "webhook-secret"
MAILBOX = "help@crm.example"
ADMIN, SUPPORT = auth_headers("admin-1", Role.ADMIN), auth_headers("support-1", Role.SUPPORT)
SALES = auth_headers("sales-1", Role.SALES)
MAX_BYTES = 64 * 1024
LIMIT = 3


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("cases_webhook"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.5,
        smtp_port=free_port(),
        smtp_max_message_bytes=MAX_BYTES,
        webhook_secret=SECRET,
        sender_rate_limit=LIMIT,
        system_addresses=["noreply@crm.example"],
    )
    async with running_service(definition(settings)) as running:
        yield running


def mail(sender: str, subject: str = "Help", body: str = "It broke.", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, MAILBOX, subject
    message["Message-ID"] = make_msgid(domain="customer.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


async def post(service: RunningService, body: bytes, *, secret: str = SECRET, age_s: int = 0, **extra: str):
    stamp = str(int(time.time()) - age_s)
    headers = {"X-Timestamp": stamp, "X-Signature": sign(secret, stamp, body), "X-Mailbox": MAILBOX}
    return await service.http.post("/v1/inbound/mail", content=body, headers=headers | extra)


async def count(service: RunningService, table, *where) -> int:
    async with service.runtime.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(table).where(*where))).scalar_one()


async def test_signatures_are_checked(service):
    body = mail("ann@customer.example")
    assert (await post(service, body, secret="wrong")).status_code == 401
    assert (await post(service, body, age_s=600)).status_code == 401  # a replay, too old
    unsigned = await service.http.post(f"/v1/inbound/mail?mailbox={MAILBOX}", content=body)
    assert unsigned.status_code == 401
    accepted = await post(service, body)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["outcome"] == "case_opened"


async def test_the_mails_events_carry_the_request_id_and_continue_the_callers_trace(service):
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await post(
        service, mail("traced@customer.example", "Traced"), traceparent=caller, **{"X-Request-ID": "wh-42"}
    )
    assert response.status_code == 202, response.text
    outbox = service.runtime.tables[OUTBOX]
    query = select(outbox.c.headers).where(outbox.c.aggregate_id == response.json()["case_id"])
    async with service.runtime.engine.connect() as connection:
        written = list((await connection.execute(query)).scalars())
    assert [h["ce_type"] for h in written] == ["crm.cases.case_opened.v1"]
    assert {tracing.trace_id_of(h["traceparent"]) for h in written} == {"4bf92f3577b34da6a3ce929d0e0e4736"}
    assert {h["correlation_id"] for h in written} == {"wh-42"}


async def test_an_oversized_mail_is_413_and_recorded(service, kafka_bootstrap):
    body = mail("big@customer.example", body="x" * 70 + "\n" * (MAX_BYTES // 70 + 10) + "y" * MAX_BYTES)
    async with EventProbe(kafka_bootstrap, "crm.cases.events") as probe:
        response = await post(service, body)
        assert response.status_code == 413
        event = await probe.wait_for(
            "crm.cases.inbound_mail_rejected.v1", lambda p: p["reason"].startswith("oversized")
        )
    assert event.payload["source"] == "webhook"
    assert await count(service, mail_intake, mail_intake.c.state == "rejected") >= 1


async def test_no_usable_sender_is_quarantined_and_reprocessed_idempotently(service):
    body = b"From: not an address\r\nSubject: ?\r\nMessage-ID: <q1@x.example>\r\n\r\nhello\r\n"
    response = await post(service, body)
    assert response.json()["outcome"] == "rejected"
    raw_id = response.json()["raw_message_id"]
    assert (await service.http.get("/v1/quarantine", headers=SALES)).status_code == 403
    listed = (await service.http.get("/v1/quarantine?limit=100", headers=SUPPORT)).json()
    [entry] = [e for e in listed["items"] if e["raw_message_id"] == raw_id]
    assert entry["reason"] == "no usable sender address in From"
    again = await service.http.post(f"/v1/quarantine/{raw_id}/reprocess", headers=SUPPORT)
    assert again.status_code == 200, again.text
    assert again.json()["state"] == "quarantined"  # still no sender: still quarantined


async def test_a_sender_over_the_rate_limit_is_held_then_released(service):
    sender = "loop@customer.example"
    outcomes = [(await post(service, mail(sender, f"Ping {n}"))).json() for n in range(LIMIT + 1)]
    assert [o["outcome"] for o in outcomes] == ["case_opened"] * LIMIT + ["rejected"]
    assert outcomes[-1]["reason"].startswith("suspected mail loop")
    held = outcomes[-1]["raw_message_id"]
    async with service.runtime.engine.begin() as connection:  # the hour has passed
        await connection.execute(
            mail_intake.update()
            .where(mail_intake.c.sender == sender, mail_intake.c.state == "accepted")
            .values(received_at=func.now() - func.make_interval(0, 0, 0, 0, 2))
        )
    released = await service.http.post(f"/v1/quarantine/{held}/reprocess", headers=ADMIN)
    assert (released.json()["state"], released.json()["outcome"]) == ("accepted", "case_opened")
    twice = await service.http.post(f"/v1/quarantine/{held}/reprocess", headers=ADMIN)
    assert twice.json()["outcome"] is None  # idempotent: already released
    assert await count(service, cases, cases.c.requester_email == sender) == LIMIT + 1


async def test_machine_mail_and_our_own_addresses_open_nothing(service):
    before = await count(service, cases)
    for body in (
        mail("noreply@crm.example", "Your case"),
        mail("ooo@customer.example", "Abwesenheitsnotiz: Help"),
        mail("list@customer.example", "Digest", X_Loop="help@crm.example"),
    ):
        response = await post(service, body)
        assert response.json()["outcome"] == "ignored_auto_reply", response.text
    assert await count(service, cases) == before


async def test_two_ingesters_at_once_store_one_mail(service):
    body = mail("twice@customer.example", "Same mail")
    first, second = await asyncio.gather(post(service, body), post(service, body))
    assert sorted(r.json()["outcome"] for r in (first, second)) == ["case_opened", "duplicate"]
    assert (
        await count(service, raw_messages, raw_messages.c.digest.isnot(None), raw_messages.c.raw == body) == 1
    )
    assert await count(service, cases, cases.c.requester_email == "twice@customer.example") == 1


async def test_mailbox_teams_are_admin_configured(service):
    url = "/v1/mailboxes/Help@CRM.example"
    assert (await service.http.put(url, json={"team": "t1"}, headers=SUPPORT)).status_code == 403
    assert (await service.http.get(url, headers=ADMIN)).status_code == 404
    put = await service.http.put(url, json={"team": "emea"}, headers=ADMIN)
    assert put.status_code == 200, put.text
    assert (await service.http.get(url, headers=ADMIN)).json()["team"] == "emea"
    assert (await service.http.put(url, json={"team": "x", "extra": 1}, headers=ADMIN)).status_code == 422
    too_long = await service.http.put(url, json={"team": "t" * 65}, headers=ADMIN)  # a case's team: 64
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "body.team"
