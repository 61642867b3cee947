"""The case domain over HTTP, real PostgreSQL and Kafka: cases opened by hand, edits with before/after,
filtered lists and keyset pages, merges, links, attachments and merged contacts."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import update

from crm_cases.adapters.tables import cases
from crm_cases.domain.mail import MailAttachment
from crm_cases.service_layer import directory
from crm_shared.auth import Role
from crm_shared.events.accounts import ContactCreated, ContactsMerged
from crm_shared.testing.kafka_probe import EventProbe
from crm_shared.testing.service import RunningService, auth_headers
from services.cases.tests.integration.case_support import (
    CSM,
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
    async with cases_service(kafka_bootstrap, make_database("cases_work")) as running:
        yield running


@pytest.fixture
async def probe(kafka_bootstrap: str) -> AsyncIterator[EventProbe]:
    async with EventProbe(kafka_bootstrap, TOPIC) as watching:
        yield watching


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
    typed = await probe.wait_for("crm.cases.case_updated.v2", lambda p: p["case_id"] == first)
    assert typed.payload["changes"]["priority"] == {"before": "normal", "after": "urgent"}
    assert set(typed.payload["changes"]) == set(updated.payload["changed"])
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
