"""Events published by the cases service on `crm.cases.events`.

They carry what the notifier needs to write to the customer without calling back: the case number,
the requester's address and language, the subject, and the Message-IDs to thread on. Internal notes are
published with `visibility: internal` and no body: they never leave the helpdesk.
"""

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from crm_shared.events.base import IntegrationEvent
from crm_shared.events.changes import Change, Changes

CaseStatusName = Literal["new", "open", "pending_customer", "on_hold", "resolved", "closed"]
PriorityName = Literal["low", "normal", "high", "urgent"]
CaseTypeName = Literal["question", "incident", "problem", "request"]


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
    contact_ids: list[UUID] = Field(default_factory=list)
    unknown_contact: bool = Field(False, description="The sender matches no known contact")
    priority: PriorityName = "normal"
    type: CaseTypeName | None = None
    status: CaseStatusName = "new"
    mailbox: str | None = Field(None, description="The address the mail came in through")
    team: str | None = None
    assignee_id: str | None = None
    related_case_id: UUID | None = Field(None, description="An older case this one follows up")
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    opened_at: datetime | None = None
    opened_by: str | None = Field(None, description="The agent, for cases opened over the API")
    acknowledgement_message_id: str | None = Field(
        None, description="The Message-ID the acknowledgement must carry: replies to it thread to the case"
    )


class CaseMessageAdded(IntegrationEvent):
    """A message joined a case: the customer's (inbound), an agent's reply (outbound, to be sent by
    the notifier) or an internal note (never sent, no body here)."""

    event_type: ClassVar[str] = "crm.cases.case_message_added.v1"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    number: str
    case_message_id: UUID
    direction: Literal["inbound", "outbound", "internal"]
    author: str | None = None
    message_id: str | None = None
    reopened: bool = False
    visibility: Literal["public", "internal"] = "public"
    subject: str | None = None
    requester_email: str | None = None
    requester_name: str | None = None
    language: Literal["fr", "en"] = "en"
    to: list[str] = Field(default_factory=list, description="Outbound: the recipients")
    cc: list[str] = Field(default_factory=list)
    in_reply_to: str | None = Field(None, description="Outbound: the Message-ID it answers")
    references: list[str] = Field(default_factory=list, description="Outbound: the thread, oldest first")
    body_text: str | None = Field(None, description="Outbound only: the reply to send")
    body_html: str | None = Field(None, description="Outbound only: sanitised HTML of the reply")
    mailbox: str | None = Field(None, description="Outbound: the helpdesk address to send from")
    added_at: datetime | None = None


class CaseStatusChanged(IntegrationEvent):
    event_type: ClassVar[str] = "crm.cases.case_status_changed.v1"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    number: str
    from_status: CaseStatusName
    to_status: CaseStatusName
    changed_by: str = Field(description="The agent, or `customer` when the customer's reply reopened it")
    reason: str | None = None
    requester_email: str | None = None
    language: Literal["fr", "en"] = "en"
    changed_at: datetime


class CaseAssigned(IntegrationEvent):
    event_type: ClassVar[str] = "crm.cases.case_assigned.v1"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    number: str
    subject: str
    from_assignee: str | None = None
    to_assignee: str | None = None
    team: str | None = None
    assigned_by: str
    rule: Literal["account_csm", "round_robin", "manual"] | None = None
    assigned_at: datetime


class CaseUpdated(IntegrationEvent):
    """Fields of a case changed: `changed` maps each to its [before, after] values.

    Superseded by v2 (typed changes); still published beside it until its subscribers move."""

    event_type: ClassVar[str] = "crm.cases.case_updated.v1"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    number: str
    changed: dict[str, tuple[Any, Any]]
    updated_by: str
    updated_at: datetime


class CaseChanges(Changes):
    """The fields of a case that agents edit; those absent did not change. A new priority moves the SLA
    due times, which change with it."""

    subject: Change[str] | None = None
    description: Change[str] | None = None
    priority: Change[PriorityName] | None = None
    type: Change[CaseTypeName] | None = None
    tags: Change[list[str]] | None = None
    team: Change[str] | None = None
    first_response_due_at: Change[datetime] | None = None
    resolution_due_at: Change[datetime] | None = None


class CaseUpdatedV2(IntegrationEvent):
    """Fields of a case changed, each with its typed before and after values (published beside v1)."""

    event_type: ClassVar[str] = "crm.cases.case_updated.v2"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    number: str
    changes: CaseChanges
    updated_by: str
    updated_at: datetime


class CaseMerged(IntegrationEvent):
    """`merged_id` was merged into `survivor_id`: its messages now belong to the survivor."""

    event_type: ClassVar[str] = "crm.cases.case_merged.v1"
    subject_field: ClassVar[str] = "merged_id"

    merged_id: UUID
    merged_number: str
    survivor_id: UUID
    survivor_number: str
    merged_by: str
    merged_at: datetime


class CasesLinked(IntegrationEvent):
    event_type: ClassVar[str] = "crm.cases.cases_linked.v1"
    subject_field: ClassVar[str] = "case_id"

    case_id: UUID
    linked_case_id: UUID
    kind: Literal["related", "follow_up", "duplicate"] = "related"
    linked_by: str
    linked_at: datetime


class InboundMailRejected(IntegrationEvent):
    """A delivered mail was refused or quarantined (oversized, no usable sender, malformed)."""

    event_type: ClassVar[str] = "crm.cases.inbound_mail_rejected.v1"
    subject_field: ClassVar[str] = "raw_message_id"

    raw_message_id: UUID
    mailbox: str
    sender: str | None = None
    message_id: str | None = None
    reason: str
    source: Literal["smtp", "imap", "webhook"]
    rejected_at: datetime


class MailAddressBounced(IntegrationEvent):
    """A mail we sent bounced: the address is marked bouncing (the notifier stops writing to it)."""

    event_type: ClassVar[str] = "crm.cases.mail_address_bounced.v1"
    subject_field: ClassVar[str] = "address"

    address: str
    case_id: UUID | None = Field(None, description="The case the bounced mail belonged to, if known")
    reason: str | None = None
    permanent: bool = True
    bounced_at: datetime
