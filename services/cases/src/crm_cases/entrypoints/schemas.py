"""HTTP schemas of the cases API, separate from tables and domain classes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from crm_cases.domain.model import Case, CaseMessage, CaseStatus, Channel, Direction, Priority
from crm_cases.service_layer.use_cases import CaseWithMessages


class CasePublic(BaseModel):
    id: UUID
    number: str
    subject: str
    status: CaseStatus
    priority: Priority
    channel: Channel
    requester_email: str | None
    requester_name: str | None
    language: str
    mailbox: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, case: Case) -> "CasePublic":
        return cls.model_validate(case, from_attributes=True)


class CaseMessagePublic(BaseModel):
    id: UUID
    direction: Direction
    author: str | None
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    body_text: str
    received_at: datetime

    @classmethod
    def of(cls, message: CaseMessage) -> "CaseMessagePublic":
        return cls.model_validate(message, from_attributes=True)


class CaseDetailPublic(CasePublic):
    messages: list[CaseMessagePublic]

    @classmethod
    def of_detail(cls, found: CaseWithMessages) -> "CaseDetailPublic":
        return cls(
            **CasePublic.of(found.case).model_dump(),
            messages=[CaseMessagePublic.of(m) for m in found.messages],
        )
