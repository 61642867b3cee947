"""The case domain over HTTP, real PostgreSQL and Kafka: cases opened by hand, edits with before/after,
filtered lists and keyset pages, merges, links, attachments and merged contacts."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import update

from crm_cases.adapters.tables import cases
from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_cases.domain.mail import InboundMail, MailAttachment
from crm_cases.domain.model import IntakeOutcome, RawMessage
from crm_cases.service_layer import case_intake, directory
from crm_shared.auth import Role
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.events.accounts import ContactCreated, ContactsMerged
from crm_shared.ids import new_id
from crm_shared.infra.process import free_port
from crm_shared.settings import KafkaSettings
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

SUPPORT = auth_headers("support-1", Role.SUPPORT)
CSM = auth_headers("csm-1", Role.CSM)
ADMIN = auth_headers("admin-1", Role.ADMIN)
MAILBOX = "help@crm.example"
HOSTNAME = "cases.crm.example"
TOPIC = "crm.cases.events"
CONTEXT = EventContext(correlation_id="test")


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("cases_work"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.3,
        smtp_port=free_port(),
        smtp_hostname=HOSTNAME,
    )
    async with running_service(definition(settings)) as running:
        yield running


@pytest.fixture
async def probe(kafka_bootstrap: str) -> AsyncIterator[EventProbe]:
    async with EventProbe(kafka_bootstrap, TOPIC) as watching:
        yield watching


def mail(sender: str, text: str = "My printer is on fire.", **kw: Any) -> InboundMail:
    values = {"sender_email": sender, "sender_name": "Ann Customer", "subject": "Printer", "text": text}
    return InboundMail(**values | {"message_id": f"<{uuid4()}@customer.example>"} | kw)


async def mail_in(
    service: RunningService,
    inbound: InboundMail,
    *,
    case_id: UUID | None = None,
    team: str | None = None,
    at: datetime | None = None,
) -> UUID:
    """What the intake does with a customer's mail, through the interface it calls."""
    at = at or datetime.now(UTC)
    async with service.runtime.uow(CONTEXT) as uow:
        raw = RawMessage(
            new_id(), MAILBOX, inbound.message_id or "", uuid4().hex, b"raw", at, IntakeOutcome.APPENDED
        )
        assert await uow.raw_messages.claim(raw)
        common = {"mail": inbound, "message_id": inbound.message_id, "raw_message_id": raw.id, "at": at}
        if case_id is None:
            case = await case_intake.open_case(uow, mailbox=MAILBOX, team=team, **common)
        else:
            case = await case_intake.append_to_case(
                uow, await uow.cases.get(case_id, for_update=True), **common
            )
        await uow.commit()
    return case.id


async def feed(service: RunningService, handler: Any, event: IntegrationEvent) -> None:
    """A leads event handled as the consumer would (the broker's consumer group is shared in tests)."""
    async with service.runtime.uow(CONTEXT) as uow:
        await handler(event, uow=uow, envelope=Envelope.for_event(event, CONTEXT))
        await uow.commit()


async def ok(response: Any, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), response.text
    return response.json()


async def detail(service: RunningService, case_id: UUID | str) -> dict[str, Any]:
    return await ok(await service.http.get(f"/v1/cases/{case_id}", headers=SUPPORT))


async def test_create_patch_and_filtered_lists(service: RunningService, probe: EventProbe) -> None:
    http, tag, team = service.http, f"tag-{uuid4().hex[:6]}", f"q-{uuid4().hex[:6]}"
    body = {
        "subject": f"Invoice {tag}",
        "requester_email": "dan@x.example",
        "channel": "web",
        "tags": [tag],
        "team": team,
    }
    created = [await ok(await http.post("/v1/cases", json=body, headers=SUPPORT), 201) for _ in range(3)]
    assert created[0]["channel"] == "web"
    assert created[0]["unknown_contact"]
    first = created[0]["id"]
    patch = {"priority": "urgent", "type": "incident", "description": "Printer", "tags": [tag, "vip"]}
    patched = await http.patch(f"/v1/cases/{first}", json=patch, headers={**CSM, "If-Match": '"1"'})
    assert patched.status_code == 200, patched.text
    updated = await probe.wait_for("crm.cases.case_updated.v1", lambda p: p["case_id"] == first)
    assert updated.payload["changed"]["priority"] == ["normal", "urgent"]
    assert updated.payload["changed"]["tags"] == [[tag], [tag, "vip"]]
    await ok(await http.post(f"/v1/cases/{first}/assign", json={"assignee_id": "csm-1"}, headers=SUPPORT))

    async def ids(query: str, headers: dict[str, str] = SUPPORT) -> list[str]:
        page = await ok(await http.get(f"/v1/cases?{query}", headers=headers))
        return [c["id"] for c in page["items"]]

    all_ids = [c["id"] for c in reversed(created)]
    assert await ids(f"team={team}") == all_ids
    assert await ids(f"tags={tag}&tags=vip") == [first]
    assert await ids(f"team={team}&mine=true", CSM) == [first]
    assert await ids(f"team={team}&priority=urgent&status=new&status=open") == [first]
    assert await ids(f"q={tag.upper()}") == all_ids
    page = await ok(await http.get(f"/v1/cases?team={team}&limit=2", headers=SUPPORT))
    rest = await ids(f"team={team}&limit=2&cursor={page['next_cursor']}")
    assert [c["id"] for c in page["items"]] + rest == all_ids
    async with service.runtime.engine.begin() as connection:
        past, soon = datetime.now(UTC) - timedelta(minutes=5), datetime.now(UTC) + timedelta(minutes=20)
        await connection.execute(
            update(cases).where(cases.c.id == UUID(all_ids[0])).values(first_response_due_at=past)
        )
        await connection.execute(
            update(cases).where(cases.c.id == UUID(all_ids[1])).values(resolution_due_at=soon)
        )
    assert await ids(f"team={team}&sla=breached") == [all_ids[0]]
    assert await ids(f"team={team}&sla=due_soon") == [all_ids[1]]


async def test_merge_moves_messages_and_link_is_recorded_once(
    service: RunningService, probe: EventProbe
) -> None:
    http, sender = service.http, f"eve-{uuid4().hex[:6]}@customer.example"
    survivor = await mail_in(service, mail(sender, text="One"))
    merged = await mail_in(service, mail(sender, text="Two"))
    answer = await ok(
        await http.post(f"/v1/cases/{merged}/merge", json={"into_case_id": str(survivor)}, headers=SUPPORT)
    )
    assert answer["id"] == str(survivor)
    assert [m["body_text"] for m in (await detail(service, survivor))["messages"]] == ["One", "Two"]
    gone = await detail(service, merged)
    assert (gone["status"], gone["merged_into"], gone["messages"]) == ("closed", str(survivor), [])
    event = await probe.wait_for("crm.cases.case_merged.v1", lambda p: p["merged_id"] == str(merged))
    assert event.payload["survivor_id"] == str(survivor)
    again = await http.post(
        f"/v1/cases/{merged}/merge", json={"into_case_id": str(survivor)}, headers=SUPPORT
    )
    assert again.status_code == 409
    third = await mail_in(service, mail(sender, text="Three"))
    link = {"case_id": str(survivor), "kind": "related"}
    await ok(await http.post(f"/v1/cases/{third}/links", json=link, headers=CSM), 201)
    assert (
        await http.post(f"/v1/cases/{survivor}/links", json={"case_id": str(third)}, headers=CSM)
    ).status_code == 409
    assert (await detail(service, survivor))["links"] == [{"case_id": str(third), "kind": "related"}]
    await probe.wait_for("crm.cases.cases_linked.v1", lambda p: p["case_id"] == str(third))


async def test_attachments_download_and_contact_merges(service: RunningService) -> None:
    pdf = b"%PDF-1.4 printer log"
    part = MailAttachment(filename="log.pdf", content_type="application/pdf", size=len(pdf), content=pdf)
    contact, other = uuid4(), uuid4()
    sender = f"fay-{uuid4().hex[:6]}@customer.example"
    await feed(
        service, directory.contact_created, ContactCreated(contact_id=other, last_name="Old", emails=[sender])
    )
    case_id = await mail_in(service, mail(sender, attachments=(part,)))
    [attachment] = (await detail(service, case_id))["messages"][0]["attachments"]
    assert (attachment["filename"], attachment["size"]) == ("log.pdf", len(pdf))
    url = f"/v1/cases/{case_id}/attachments/{attachment['id']}"
    got = await service.http.get(url, headers=CSM)
    assert got.status_code == 200
    assert got.content == pdf
    assert got.headers["content-type"] == "application/pdf"
    assert (await service.http.get(url, headers=auth_headers("s", Role.SALES))).status_code == 403
    assert (
        await service.http.get(f"/v1/cases/{case_id}/attachments/{uuid4()}", headers=CSM)
    ).status_code == 404
    await feed(service, directory.contact_created, ContactCreated(contact_id=contact, last_name="New"))
    await feed(
        service,
        directory.contacts_merged,
        ContactsMerged(survivor_id=contact, merged_ids=[other], merged_by="u"),
    )
    assert (await detail(service, case_id))["contact_ids"] == [str(contact)]
    assert (await detail(service, await mail_in(service, mail(sender))))["contact_ids"] == [str(contact)]
