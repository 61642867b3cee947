"""Domain events of the cases context (translated to integration events by the service layer)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from crm_shared.domain import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CaseOpened(DomainEvent):
    case_id: UUID
    number: str
    subject: str
    channel: str
    requester_email: str | None
    requester_name: str | None
    language: str
    message_id: str | None
    account_id: UUID | None = None
    contact_ids: tuple[UUID, ...] = ()
    unknown_contact: bool = False
    priority: str = "normal"
    type: str | None = None
    status: str = "new"
    mailbox: str | None = None
    team: str | None = None
    assignee_id: str | None = None
    related_case_id: UUID | None = None
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    opened_at: datetime | None = None
    opened_by: str | None = None
    acknowledgement_message_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseMessageAdded(DomainEvent):
    case_id: UUID
    number: str
    case_message_id: UUID
    direction: str
    author: str | None
    message_id: str | None
    reopened: bool
    visibility: str = "public"
    subject: str | None = None
    requester_email: str | None = None
    requester_name: str | None = None
    language: str = "en"
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    body_text: str | None = None
    body_html: str | None = None
    mailbox: str | None = None
    added_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CaseStatusChanged(DomainEvent):
    case_id: UUID
    number: str
    from_status: str
    to_status: str
    changed_by: str
    changed_at: datetime
    reason: str | None = None
    requester_email: str | None = None
    language: str = "en"


@dataclass(frozen=True, kw_only=True)
class CaseAssigned(DomainEvent):
    case_id: UUID
    number: str
    subject: str
    from_assignee: str | None
    to_assignee: str | None
    team: str | None
    assigned_by: str
    rule: str | None
    assigned_at: datetime


@dataclass(frozen=True, kw_only=True)
class CaseUpdated(DomainEvent):
    case_id: UUID
    number: str
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class CaseMerged(DomainEvent):
    merged_id: UUID
    merged_number: str
    survivor_id: UUID
    survivor_number: str
    merged_by: str
    merged_at: datetime


@dataclass(frozen=True, kw_only=True)
class CasesLinked(DomainEvent):
    case_id: UUID
    linked_case_id: UUID
    kind: str
    linked_by: str
    linked_at: datetime
