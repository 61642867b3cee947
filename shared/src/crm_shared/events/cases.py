"""Events published by the cases service on `crm.cases.events`."""

from typing import ClassVar, Literal
from uuid import UUID

from crm_shared.events.base import IntegrationEvent


class CaseOpened(IntegrationEvent):
    event_type: ClassVar[str] = "crm.cases.case_opened.v1"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    number: str
    subject: str
    channel: Literal["email", "web", "api"]
    requester_email: str | None = None
    requester_name: str | None = None
    language: Literal["fr", "en"] = "en"
    message_id: str | None = None
    """RFC 5322 Message-ID of the mail that opened the case, for threading the acknowledgement."""
    account_id: UUID | None = None
    contact_id: UUID | None = None


class CaseMessageAdded(IntegrationEvent):
    event_type: ClassVar[str] = "crm.cases.case_message_added.v1"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    number: str
    case_message_id: UUID
    direction: Literal["inbound", "outbound", "internal"]
    author: str | None = None
    message_id: str | None = None
    reopened: bool = False
