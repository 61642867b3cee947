"""Administration of the intake: mailboxes and their teams, the quarantine and its re-processing."""

from datetime import UTC, datetime
from typing import cast
from uuid import UUID

from crm_cases.adapters.intake_repository import IntakeRecord, Mailbox
from crm_cases.adapters.mime import parse_mail
from crm_cases.config import Settings
from crm_cases.domain.intake_policy import IntakePolicy, IntakeState, Source
from crm_cases.service_layer.intake import Delivery, IntakeResult, apply
from crm_cases.service_layer.intake_routing import route
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import NotFound

AGENTS = (Role.SUPPORT, Role.CSM)  # who works the quarantine (and Admin)


def policy_of(settings: Settings) -> IntakePolicy:
    return IntakePolicy(
        system_addresses=frozenset(a.strip().lower() for a in settings.system_addresses),
        sender_rate_limit=settings.sender_rate_limit,
        attachment_max_bytes=settings.attachment_max_bytes,
        reopen_window_days=settings.reopen_window_days,
    )


async def get_mailbox(*, uow: CasesUnitOfWork, actor: Principal, address: str) -> Mailbox:
    authorize(actor, Role.ADMIN)
    found = await uow.intake.mailbox(address.strip().lower())
    if found is None:
        raise NotFound("mailbox", address)
    return found


async def put_mailbox(*, uow: CasesUnitOfWork, actor: Principal, address: str, team: str) -> Mailbox:
    authorize(actor, Role.ADMIN)
    mailbox = Mailbox(address=address.strip().lower(), team=team.strip(), updated_at=datetime.now(UTC))
    await uow.intake.put_mailbox(mailbox)
    return mailbox


async def list_quarantine(
    *, uow: CasesUnitOfWork, actor: Principal, after: UUID | None, limit: int
) -> list[IntakeRecord]:
    authorize(actor, *AGENTS)
    return await uow.intake.quarantined(after=after, limit=limit)


async def reprocess(
    *, uow: CasesUnitOfWork, actor: Principal, raw_message_id: UUID, policy: IntakePolicy
) -> IntakeResult:
    """The quarantined mail through the intake again (after a fix, or once the rate-limit window has
    passed). Idempotent: a mail no longer quarantined is left as it is."""
    authorize(actor, *AGENTS)
    record = await uow.intake.get(raw_message_id, for_update=True)
    stored = await uow.raw_messages.get(raw_message_id)
    if record is None or stored is None:
        raise NotFound("quarantined mail", raw_message_id)
    if record.state is not IntakeState.QUARANTINED:
        return IntakeResult(None, raw_message_id, None, record.reason, record.state)
    source = cast(Source, record.source)
    arrived = Delivery(stored.raw, stored.mailbox, stored.digest, datetime.now(UTC), source)
    mail = parse_mail(stored.raw, attachment_max_bytes=policy.attachment_max_bytes)
    decided = await route(
        uow, mail, mailbox=arrived.mailbox, at=arrived.at, envelope_sender=None, policy=policy
    )
    await uow.intake.set_outcome(raw_message_id, decided.outcome, decided.reason)
    return await apply(uow, arrived, raw_message_id, mail, decided, policy=policy)
