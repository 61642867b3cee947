"""Domain events of the cases context (translated to integration events by the service layer)."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, kw_only=True)
class CaseOpened:
    case_id: UUID
    number: str
    subject: str
    channel: str
    requester_email: str | None
    requester_name: str | None
    language: str
    message_id: str | None


@dataclass(frozen=True, kw_only=True)
class CaseMessageAdded:
    case_id: UUID
    number: str
    case_message_id: UUID
    direction: str
    author: str | None
    message_id: str | None
    reopened: bool
