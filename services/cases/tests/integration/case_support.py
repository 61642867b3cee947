"""What the case-domain integration tests share: a cases service, mails handed over as the intake
does, leads events handled as the consumer would, and small HTTP helpers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from crm_cases.bootstrap import definition
from crm_cases.config import Settings
from crm_cases.domain.mail import InboundMail
from crm_cases.domain.model import IntakeOutcome, RawMessage
from crm_cases.service_layer import case_intake
from crm_shared.auth import Role
from crm_shared.events import Envelope, EventContext, IntegrationEvent
from crm_shared.ids import new_id
from crm_shared.infra.process import free_port
from crm_shared.settings import KafkaSettings
from crm_shared.testing.service import RunningService, auth_headers, running_service

SUPPORT = auth_headers("support-1", Role.SUPPORT)
CSM = auth_headers("csm-1", Role.CSM)
ADMIN = auth_headers("admin-1", Role.ADMIN)
MAILBOX = "help@crm.example"
HOSTNAME = "cases.crm.example"
TOPIC = "crm.cases.events"
CONTEXT = EventContext(correlation_id="test")


@asynccontextmanager
async def cases_service(kafka_bootstrap: str, database_url: str) -> AsyncIterator[RunningService]:
    settings = Settings(
        database_url=database_url,
        kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
        relay_poll_interval_s=0.3,
        smtp_port=free_port(),
        smtp_hostname=HOSTNAME,
    )
    async with running_service(definition(settings)) as running:
        yield running


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
