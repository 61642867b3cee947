"""Admin HTTP API of the intake, mounted at `/v1`: mailboxes' teams (`/mailboxes`) and the quarantine
(`/quarantine`)."""

from datetime import datetime
from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from crm_cases.adapters.db_faults import describe, is_transient
from crm_cases.adapters.intake_repository import IntakeRecord, Mailbox
from crm_cases.config import Settings
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.service_layer import intake_admin
from crm_cases.service_layer.intake import IntakeResult
from crm_shared.errors import Conflict, CrmError
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep, get_runtime
from crm_shared.service_layer import Bus

router = APIRouter(tags=["mail intake"])
Address = Annotated[str, Path(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class MailboxPut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    team: str = Field(min_length=1, max_length=64)
    """As long as a case's team may be: the mailbox's new cases take it."""


class MailboxPublic(BaseModel):
    address: str
    team: str
    updated_at: datetime

    @classmethod
    def of(cls, mailbox: Mailbox) -> "MailboxPublic":
        return cls(address=mailbox.address, team=mailbox.team, updated_at=mailbox.updated_at)


class QuarantinedPublic(BaseModel):
    raw_message_id: UUID
    mailbox: str
    message_id: str
    sender: str | None
    source: str
    state: str
    reason: str | None
    flags: list[str]
    received_at: datetime

    @classmethod
    def of(cls, record: IntakeRecord) -> "QuarantinedPublic":
        values = {k: getattr(record, k) for k in cls.model_fields if k != "flags"}
        return cls(**values, flags=list(record.flags))


class ReprocessPublic(BaseModel):
    raw_message_id: UUID
    state: str | None
    outcome: str | None
    """None when the mail was no longer quarantined: nothing was done."""
    case_id: UUID | None
    reason: str | None


@router.get("/mailboxes/{address}", responses={403: {"description": "Admin only"}, 404: {}})
async def get_mailbox(address: Address, bus: BusDep) -> MailboxPublic:
    return MailboxPublic.of(await bus.read(intake_admin.get_mailbox, address=address))


@router.put("/mailboxes/{address}", responses={403: {"description": "Admin only"}})
async def put_mailbox(address: Address, body: MailboxPut, bus: BusDep) -> MailboxPublic:
    """The team whose queue the mailbox's new cases go to (and whose members take turns)."""
    return MailboxPublic.of(await bus.execute(intake_admin.put_mailbox, address=address, team=body.team))


@router.get("/quarantine", responses={403: {"description": "Support and admin"}})
async def list_quarantine(
    bus: BusDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[QuarantinedPublic]:
    found = await bus.read(intake_admin.list_quarantine, after=decode_cursor(cursor), limit=limit)
    return page_of(found, limit=limit, public=QuarantinedPublic.of)


@router.post(
    "/quarantine/{raw_message_id}/reprocess",
    responses={
        403: {"description": "Support and admin"},
        404: {},
        409: {"description": "The mail still cannot be taken in; it stays quarantined"},
    },
)
async def reprocess(raw_message_id: UUID, bus: BusDep, request: Request) -> ReprocessPublic:
    """Runs the mail through the intake again; a mail no longer quarantined is left as it is."""
    policy = intake_admin.policy_of(cast(Settings, get_runtime(request).settings))
    result = await _reprocessed(bus, raw_message_id, policy)
    return ReprocessPublic(
        raw_message_id=raw_message_id,
        state=result.state,
        outcome=result.outcome,
        case_id=result.case.id if result.case else None,
        reason=result.reason,
    )


async def _reprocessed(bus: Bus[Any], raw_message_id: UUID, policy: IntakePolicy) -> IntakeResult:
    """A failure of the mail's own (the database refusing it again) is a 409 that names its kind;
    nothing changed, the mail stays quarantined."""
    try:
        return await bus.execute(intake_admin.reprocess, raw_message_id=raw_message_id, policy=policy)
    except Exception as exc:
        if isinstance(exc, CrmError) or is_transient(exc):
            raise
        detail = f"the mail still cannot be taken in: {describe(exc)}"
        raise Conflict(detail, code="mail_not_storable") from exc
