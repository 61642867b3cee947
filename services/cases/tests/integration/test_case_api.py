"""The case domain over HTTP, real PostgreSQL and Kafka: contact recognition, assignment, SLA, status
rules, replies and internal notes, follow-up cases, with the events they publish."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import update

from crm_cases.adapters.tables import cases
from crm_cases.domain.model import IntakeOutcome, RawMessage
from crm_cases.service_layer import case_intake, directory
from crm_shared.events import Change
from crm_shared.events.accounts import (
    AccountCreated,
    AccountLink,
    ContactChanges,
    ContactCreated,
    ContactUpdatedV2,
)
from crm_shared.ids import new_id
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService
from services.cases.tests.integration.case_support import (
    ADMIN,
    CONTEXT,
    CSM,
    HOSTNAME,
    MAILBOX,
    SUPPORT,
    TOPIC,
    cases_service,
    detail,
    feed,
    mail,
    mail_in,
    ok,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    async with cases_service(kafka_bootstrap, make_database("cases_domain")) as running:
        yield running


@pytest.fixture
async def probe(kafka_bootstrap: str) -> AsyncIterator[EventProbe]:
    async with EventProbe(kafka_bootstrap, TOPIC) as watching:
        yield watching


async def test_recognition_assignment_and_sla_of_new_cases(
    service: RunningService, probe: EventProbe
) -> None:
    http, team = service.http, f"team-{uuid4().hex[:8]}"
    targets = [{"priority": "normal", "first_response_minutes": 60, "resolution_minutes": 480}]
    await ok(await http.put("/v1/sla-targets", json={"targets": targets}, headers=ADMIN))
    assert (await ok(await http.get("/v1/sla-targets", headers=ADMIN)))["targets"] == targets
    await ok(await http.put(f"/v1/teams/{team}/members", json={"members": ["ag-a", "ag-b"]}, headers=ADMIN))
    account, contact = uuid4(), uuid4()
    await feed(
        service, directory.account_created, AccountCreated(account_id=account, name="Acme", csm_id="csm-7")
    )
    created = ContactCreated(
        contact_id=contact, last_name="Dupont", email="marie@acme.example", language="fr"
    )
    await feed(service, directory.contact_created, created)
    linked = ContactChanges(accounts=Change(before=[], after=[AccountLink(account_id=account)]))
    await feed(
        service,
        directory.contact_updated,
        ContactUpdatedV2(contact_id=contact, changes=linked, updated_by="u"),
    )

    unknown = [await mail_in(service, mail(f"u{i}-{uuid4().hex[:6]}@x.example"), team=team) for i in range(3)]
    known = await mail_in(service, mail("Marie@ACME.example"), team=team)

    got = [await detail(service, c) for c in unknown]
    assert [c["assignee_id"] for c in got] == ["ag-a", "ag-b", "ag-a"]
    assert all(c["unknown_contact"] and c["team"] == team for c in got)
    marie = await detail(service, known)
    assert (marie["assignee_id"], marie["account_id"], marie["contact_ids"]) == (
        "csm-7",
        str(account),
        [str(contact)],
    )
    assert marie["language"] == "fr"
    assert not marie["unknown_contact"]
    due = datetime.fromisoformat(marie["first_response_due_at"]) - datetime.fromisoformat(marie["created_at"])
    assert due == timedelta(minutes=60)
    assigned = await probe.wait_for("crm.cases.case_assigned.v1", lambda p: p["case_id"] == str(known))
    assert (assigned.payload["to_assignee"], assigned.payload["rule"]) == ("csm-7", "account_csm")
    opened = await probe.wait_for("crm.cases.case_opened.v1", lambda p: p["case_id"] == str(known))
    assert opened.payload["account_id"] == str(account)
    assert opened.payload["language"] == "fr"


async def test_reply_and_note_events_and_the_thread(service: RunningService, probe: EventProbe) -> None:
    first = mail(f"ann-{uuid4().hex[:6]}@customer.example", text="First question.")
    case_id = await mail_in(service, first)
    second = mail(first.sender_email, text="More details.", in_reply_to=(first.message_id,))
    await mail_in(service, second, case_id=case_id)
    http, url = service.http, f"/v1/cases/{case_id}"
    await ok(await http.post(f"{url}/notes", json={"body_text": "SECRET-NOTE owes money"}, headers=CSM), 201)
    body = {
        "body_text": "Try turning it off.",
        "body_html": "<p>Try <script>x()</script>it</p>",
        "cc": ["Boss@c.example"],
    }
    replied = await ok(await http.post(f"{url}/replies", json=body, headers=SUPPORT), 201)
    assert replied["first_responded_at"] is not None
    assert replied["status"] == "open"

    note = await probe.wait_for(
        "crm.cases.case_message_added.v1",
        lambda p: p["case_id"] == str(case_id) and p["direction"] == "internal",
    )
    assert note.payload["visibility"] == "internal"
    assert note.payload["body_text"] is None
    assert note.payload["body_html"] is None
    assert note.payload["to"] == []
    out = await probe.wait_for(
        "crm.cases.case_message_added.v1",
        lambda p: p["case_id"] == str(case_id) and p["direction"] == "outbound",
    )
    p = out.payload
    assert p["message_id"].startswith("<")
    assert p["message_id"].endswith(f"@{HOSTNAME}>")
    assert p["in_reply_to"] == second.message_id
    assert p["references"] == [first.message_id, second.message_id]
    assert p["to"] == [first.sender_email]
    assert p["cc"] == ["boss@c.example"]
    assert p["mailbox"] == MAILBOX
    assert p["subject"] == f"[{p['number']}] Printer"
    assert p["visibility"] == "public"
    assert p["body_text"].startswith("Try turning it off.")
    assert "> More details." in p["body_text"]
    assert "<script>" not in (p["body_html"] or "")
    for seen in probe.seen:
        assert "SECRET-NOTE" not in str(seen.payload), seen.type
    messages = (await detail(service, case_id))["messages"]
    assert [(m["direction"], m["internal"]) for m in messages] == [
        ("inbound", False), ("inbound", False), ("internal", True), ("outbound", False)
    ]  # fmt: skip
    assert "SECRET-NOTE" not in messages[3]["quoted"] + messages[3]["body_text"]


async def test_status_rules_if_match_and_reopening(service: RunningService, probe: EventProbe) -> None:
    http, inbound = service.http, mail(f"bob-{uuid4().hex[:6]}@customer.example")
    case_id = await mail_in(service, inbound)
    url = f"/v1/cases/{case_id}"
    moved = await http.post(
        f"{url}/status", json={"status": "resolved", "reason": "done"}, headers={**SUPPORT, "If-Match": '"1"'}
    )
    assert moved.headers["ETag"] == '"2"', moved.text
    stale = await http.post(
        f"{url}/status", json={"status": "closed"}, headers={**SUPPORT, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    back = await http.post(f"{url}/status", json={"status": "new"}, headers=SUPPORT)
    assert back.status_code == 409
    assert back.headers["content-type"].startswith("application/problem+json")
    changed = await probe.wait_for("crm.cases.case_status_changed.v1", lambda p: p["case_id"] == str(case_id))
    assert (changed.payload["from_status"], changed.payload["to_status"], changed.payload["changed_by"]) == (
        "new", "resolved", "support-1"
    )  # fmt: skip
    await mail_in(service, mail(inbound.sender_email, in_reply_to=(inbound.message_id,)), case_id=case_id)
    assert (await detail(service, case_id))["status"] == "open"
    reopened = await probe.wait_for(
        "crm.cases.case_status_changed.v1",
        lambda p: p["case_id"] == str(case_id) and p["changed_by"] == "customer",
    )
    assert (reopened.payload["from_status"], reopened.payload["to_status"]) == ("resolved", "open")


async def test_a_reply_to_a_long_closed_case_opens_a_linked_follow_up(
    service: RunningService, probe: EventProbe
) -> None:
    inbound = mail(f"cat-{uuid4().hex[:6]}@customer.example")
    old = await mail_in(service, inbound)
    await ok(await service.http.post(f"/v1/cases/{old}/status", json={"status": "closed"}, headers=SUPPORT))
    async with service.runtime.engine.begin() as connection:
        await connection.execute(
            update(cases).where(cases.c.id == old).values(closed_at=datetime.now(UTC) - timedelta(days=30))
        )
    new = await mail_in(service, mail(inbound.sender_email, in_reply_to=(inbound.message_id,)), case_id=old)
    assert new != old
    assert (await detail(service, old))["status"] == "closed"
    assert (await detail(service, new))["links"] == [{"case_id": str(old), "kind": "follow_up"}]
    assert (await detail(service, old))["links"] == [{"case_id": str(new), "kind": "follow_up"}]
    opened = await probe.wait_for("crm.cases.case_opened.v1", lambda p: p["case_id"] == str(new))
    assert opened.payload["related_case_id"] == str(old)
    linked = await probe.wait_for("crm.cases.cases_linked.v1", lambda p: p["case_id"] == str(new))
    assert (linked.payload["linked_case_id"], linked.payload["kind"]) == (str(old), "follow_up")


async def test_round_robin_hands_out_turns_evenly_under_concurrency(service: RunningService) -> None:
    team = f"rr-{uuid4().hex[:8]}"
    members = ["rr-a", "rr-b", "rr-c"]
    await ok(await service.http.put(f"/v1/teams/{team}/members", json={"members": members}, headers=ADMIN))
    opened = await asyncio.gather(
        *(mail_in(service, mail(f"rr{i}-{uuid4().hex[:6]}@x.example"), team=team) for i in range(9))
    )
    assignees = [(await detail(service, c))["assignee_id"] for c in opened]
    assert sorted(assignees) == sorted(members * 3)


async def test_a_bounce_of_our_mail_is_kept_as_an_internal_message(
    service: RunningService, probe: EventProbe
) -> None:
    case_id = await mail_in(service, mail(f"gus-{uuid4().hex[:6]}@customer.example"))
    dsn = mail("mailer-daemon@mx.example", text="550 5.1.1 SECRET-DSN user unknown")
    async with service.runtime.uow(CONTEXT) as uow:
        raw = RawMessage(
            new_id(),
            MAILBOX,
            dsn.message_id or "",
            uuid4().hex,
            b"dsn",
            datetime.now(UTC),
            IntakeOutcome.IGNORED_BOUNCE,
        )
        await uow.raw_messages.claim(raw)
        case = await uow.cases.get(case_id, for_update=True)
        await case_intake.attach_bounce(
            uow,
            case,
            mail=dsn,
            raw_message_id=raw.id,
            at=datetime.now(UTC),
            recipient="gus@c.example",
            reason="550",
        )
        await uow.commit()
    found = await detail(service, case_id)
    assert found["status"] == "new"
    assert (found["messages"][-1]["direction"], found["messages"][-1]["internal"]) == ("internal", True)
    event = await probe.wait_for(
        "crm.cases.case_message_added.v1",
        lambda p: p["case_id"] == str(case_id) and p["direction"] == "internal",
    )
    assert "SECRET-DSN" not in str(event.payload)
    assert event.payload["body_text"] is None
