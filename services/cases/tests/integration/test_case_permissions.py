"""Every cases endpoint, for each role: who may call it, and that a refused request leaves no trace.

The matrix must name every route the service serves: a new endpoint without a rule here fails the guard.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select

from crm_cases.adapters.intake_tables import mail_intake, mailboxes
from crm_cases.adapters.tables import (
    case_attachments,
    case_links,
    case_messages,
    cases,
    sla_targets,
    team_members,
    team_rotations,
)
from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_cases.domain.mail import InboundMail, MailAttachment
from crm_cases.domain.model import IntakeOutcome, RawMessage
from crm_cases.service_layer import case_intake, intake
from crm_shared.auth import Role
from crm_shared.events import EventContext
from crm_shared.ids import new_id
from crm_shared.infra.process import free_port
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

pytestmark = pytest.mark.integration

HEADERS = {role.value: auth_headers(f"{role.value}-perm", role) for role in Role}
HEADERS["none"] = auth_headers("nobody-perm")
AGENTS = frozenset({"admin", "csm", "support"})
ADMIN = frozenset({"admin"})
# Routes of the mail intake part, whose rules its own tests hold; the webhook signs with HMAC, not roles.
# The inbound-mail webhook is called by a mail provider with an HMAC signature, not a user's token:
# tests/integration/test_intake_webhook.py covers who may call it.
OTHER_PARTS = {("POST", "/v1/inbound/mail")}


@dataclass(frozen=True)
class Call:
    method: str
    route: str
    allowed: frozenset[str]
    url: str
    json: Any = None


@pytest.fixture(scope="module")
async def service(kafka_bootstrap: str, make_database) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=make_database("cases_permission_matrix"),
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        smtp_port=free_port(),
    )
    async with running_service(definition(settings)) as running:
        yield running


async def mailed_case(service: RunningService, attachment: MailAttachment | None = None) -> UUID:
    inbound = InboundMail(
        sender_email=f"perm-{uuid4().hex[:6]}@customer.example",
        sender_name=None,
        subject="Permissions",
        text="Hello",
        message_id=f"<{uuid4()}@customer.example>",
        attachments=(attachment,) if attachment else (),
    )
    at = datetime.now(UTC)
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        raw = RawMessage(
            new_id(),
            "help@crm.example",
            inbound.message_id or "",
            uuid4().hex,
            b"r",
            at,
            IntakeOutcome.CASE_OPENED,
        )
        await uow.raw_messages.claim(raw)
        case = await case_intake.open_case(
            uow,
            mail=inbound,
            message_id=inbound.message_id or "",
            mailbox="help@crm.example",
            raw_message_id=raw.id,
            at=at,
        )
        await uow.commit()
    return case.id


async def quarantined_mail(service: RunningService) -> UUID:
    """A mail without a usable sender: the intake keeps it in quarantine."""
    async with service.runtime.uow(EventContext(correlation_id="test")) as uow:
        result = await intake.ingest_email(
            uow=uow, raw=b"Subject: no sender\r\n\r\nHello", mailbox="help@crm.example"
        )
        await uow.commit()
    assert result.raw_message_id is not None
    return result.raw_message_id


@pytest.fixture(scope="module")
async def calls(service: RunningService) -> list[Call]:
    pdf = MailAttachment(filename="a.pdf", content_type="application/pdf", size=3, content=b"pdf")
    case, survivor, other = (
        await mailed_case(service, pdf),
        await mailed_case(service),
        await mailed_case(service),
    )
    detail = (await service.http.get(f"/v1/cases/{case}", headers=HEADERS["admin"])).json()
    attachment = detail["messages"][0]["attachments"][0]["id"]
    c = f"/v1/cases/{case}"
    targets = {"targets": [{"priority": "high", "first_response_minutes": 30, "resolution_minutes": 240}]}
    created = {"subject": "By hand", "requester_email": "x@customer.example"}
    return [
        Call("GET", "/v1/cases", AGENTS, "/v1/cases?mine=true&status=new"),
        Call("GET", "/v1/cases/{case_id}", AGENTS, c),
        Call(
            "GET", "/v1/cases/{case_id}/attachments/{attachment_id}", AGENTS, f"{c}/attachments/{attachment}"
        ),
        Call("POST", "/v1/cases", AGENTS, "/v1/cases", json=created),
        Call("PATCH", "/v1/cases/{case_id}", AGENTS, c, json={"priority": "high", "tags": ["x"]}),
        Call("POST", "/v1/cases/{case_id}/status", AGENTS, f"{c}/status", json={"status": "on_hold"}),
        Call("POST", "/v1/cases/{case_id}/assign", AGENTS, f"{c}/assign", json={"assignee_id": "agent-9"}),
        Call("POST", "/v1/cases/{case_id}/replies", AGENTS, f"{c}/replies", json={"body_text": "Answer"}),
        Call("POST", "/v1/cases/{case_id}/notes", AGENTS, f"{c}/notes", json={"body_text": "Note"}),
        Call("POST", "/v1/cases/{case_id}/links", AGENTS, f"{c}/links", json={"case_id": str(other)}),
        Call(
            "POST",
            "/v1/cases/{case_id}/merge",
            AGENTS,
            f"/v1/cases/{other}/merge",
            json={"into_case_id": str(survivor)},
        ),
        Call("GET", "/v1/sla-targets", ADMIN, "/v1/sla-targets"),
        Call("PUT", "/v1/sla-targets", ADMIN, "/v1/sla-targets", json=targets),
        Call("GET", "/v1/teams/{team}/members", ADMIN, "/v1/teams/support/members"),
        Call(
            "PUT",
            "/v1/teams/{team}/members",
            ADMIN,
            "/v1/teams/support/members",
            json={"members": ["a", "b"]},
        ),
        Call(
            "PUT", "/v1/mailboxes/{address}", ADMIN, "/v1/mailboxes/help@agency.example", json={"team": "t"}
        ),
        Call("GET", "/v1/mailboxes/{address}", ADMIN, "/v1/mailboxes/help@agency.example"),
        Call("GET", "/v1/quarantine", AGENTS, "/v1/quarantine"),
        Call(
            "POST",
            "/v1/quarantine/{raw_message_id}/reprocess",
            AGENTS,
            f"/v1/quarantine/{await quarantined_mail(service)}/reprocess",
        ),
    ]


async def trace(service: RunningService) -> tuple[Any, ...]:
    """Everything a request could leave behind: rows, versions, settings, outbox events."""
    outbox = service.runtime.tables["outbox"]
    counted = [
        cases,
        case_messages,
        case_attachments,
        case_links,
        sla_targets,
        team_members,
        team_rotations,
        mailboxes,
        mail_intake,
        outbox,
    ]
    async with service.runtime.engine.connect() as connection:
        counts = [
            (await connection.execute(select(func.count()).select_from(t))).scalar_one() for t in counted
        ]
        version = (await connection.execute(select(func.coalesce(func.sum(cases.c.version), 0)))).scalar_one()
    return (*counts, version)


async def send(service: RunningService, call: Call, role: str | None) -> Any:
    headers = HEADERS[role] if role else {}
    return await service.http.request(call.method, call.url, json=call.json, headers=headers)


async def test_every_route_is_in_the_matrix(service: RunningService, calls: list[Call]) -> None:
    schema = (await service.http.get("/openapi.json")).json()
    methods = {"get", "put", "post", "patch", "delete"}
    served = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if path.startswith("/v1/")
        for method in operations
        if method in methods
    }
    assert {(c.method, c.route) for c in calls} == served - OTHER_PARTS


async def test_refused_roles_get_403_and_change_nothing(service: RunningService, calls: list[Call]) -> None:
    for call in calls:
        for role in sorted({"admin", "sales", "csm", "support", "none"} - call.allowed):
            before = await trace(service)
            response = await send(service, call, role)
            assert response.status_code == 403, (role, call.method, call.url, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert await trace(service) == before, (role, call.method, call.url)


async def test_unauthenticated_requests_get_401(service: RunningService, calls: list[Call]) -> None:
    for call in calls:
        before = await trace(service)
        response = await send(service, call, None)
        assert response.status_code == 401, (call.method, call.url, response.text)
        assert await trace(service) == before


async def test_allowed_roles_pass_the_permission_check(service: RunningService, calls: list[Call]) -> None:
    """Reads answer 200; a write may still be refused for another reason (409, 412), never 401/403."""
    for call in calls:
        for role in sorted(call.allowed):
            response = await send(service, call, role)
            if call.method == "GET":
                assert response.status_code == 200, (role, call.url, response.text)
            else:
                assert response.status_code in (200, 201, 409), (role, call.method, call.url, response.text)
