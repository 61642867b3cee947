"""HTTP schemas of the cases API, separate from tables and domain classes."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from crm_cases.domain.model import (
    Attachment,
    Case,
    CaseMessage,
    CaseStatus,
    CaseType,
    Channel,
    Direction,
    LinkKind,
    Priority,
    Visibility,
)
from crm_cases.service_layer.use_cases import CaseWithMessages

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Team = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CasePublic(BaseModel):
    id: UUID
    number: str
    subject: str
    description: str
    status: CaseStatus
    priority: Priority
    type: CaseType | None
    channel: Channel
    requester_email: str | None
    requester_name: str | None
    language: str
    mailbox: str | None
    account_id: UUID | None
    contact_ids: list[UUID]
    unknown_contact: bool
    assignee_id: str | None
    team: str | None
    tags: list[str]
    participants: list[str]
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, case: Case) -> "CasePublic":
        return cls.model_validate(case, from_attributes=True)


class AttachmentPublic(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, attachment: Attachment) -> "AttachmentPublic":
        return cls.model_validate(attachment, from_attributes=True)


class CaseMessagePublic(BaseModel):
    id: UUID
    direction: Direction
    visibility: Visibility
    internal: bool = Field(description="An internal note: never sent nor shown to the customer")
    author: str | None
    author_name: str | None
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    body_text: str
    body_html: str | None
    quoted: str
    to: list[str]
    cc: list[str]
    received_at: datetime
    attachments: list[AttachmentPublic]

    @classmethod
    def of(cls, message: CaseMessage) -> "CaseMessagePublic":
        values: dict[str, Any] = {
            name: getattr(message, name)
            for name in cls.model_fields
            if name not in ("internal", "attachments")
        }
        return cls(
            **values,
            internal=not message.public,
            attachments=[AttachmentPublic.of(a) for a in message.attachments],
        )


class CaseLinkPublic(BaseModel):
    case_id: UUID
    kind: LinkKind


class CaseDetailPublic(CasePublic):
    messages: list[CaseMessagePublic]
    links: list[CaseLinkPublic]

    @classmethod
    def of_detail(cls, found: CaseWithMessages) -> "CaseDetailPublic":
        return cls(
            **CasePublic.of(found.case).model_dump(),
            messages=[CaseMessagePublic.of(m) for m in found.messages],
            links=[CaseLinkPublic(case_id=i, kind=k) for i, k in found.links],
        )


class CaseCreate(Input):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    description: str = Field("", max_length=100_000)
    requester_email: EmailStr
    requester_name: str | None = Field(None, max_length=255)
    channel: Literal["api", "web"] = "api"
    priority: Priority = Priority.NORMAL
    type: CaseType | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    team: Team | None = None
    language: Literal["fr", "en"] = "en"

    def values(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"team"})
        return values | {"channel": Channel(self.channel), "tags": tuple(dict.fromkeys(self.tags))}


class CaseUpdate(Input):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = (
        None
    )
    description: str | None = Field(None, max_length=100_000)
    priority: Priority | None = None
    type: CaseType | None = None
    tags: list[Tag] | None = Field(None, max_length=50)
    team: Team | None = None

    def values(self) -> dict[str, Any]:
        """The fields sent; `null` clears type and team (subject, description, priority, tags stay)."""
        values = self.model_dump(exclude_unset=True)
        kept = {k: v for k, v in values.items() if v is not None or k in ("type", "team")}
        if kept.get("tags") is not None:
            kept["tags"] = tuple(dict.fromkeys(kept["tags"]))
        return kept


class StatusChange(Input):
    status: CaseStatus
    reason: str | None = Field(None, max_length=1000)


class Assignment(Input):
    assignee_id: UserId | None


class ReplyCreate(Input):
    body_text: str = Field(min_length=1, max_length=100_000)
    body_html: str | None = Field(None, max_length=500_000)
    cc: list[EmailStr] = Field(default_factory=list, max_length=20)


class NoteCreate(Input):
    body_text: str = Field(min_length=1, max_length=100_000)


class MergeRequest(Input):
    into_case_id: UUID


class LinkCreate(Input):
    case_id: UUID
    kind: LinkKind = LinkKind.RELATED


class SlaTargetBody(Input):
    priority: Priority
    first_response_minutes: int = Field(ge=1, le=525_600)
    resolution_minutes: int = Field(ge=1, le=5_256_000)


class SlaTargets(Input):
    targets: list[SlaTargetBody] = Field(max_length=4)


class TeamMembers(Input):
    members: list[UserId] = Field(max_length=500)
