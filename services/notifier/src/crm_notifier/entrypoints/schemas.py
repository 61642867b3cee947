"""HTTP schemas of the notifier API, separate from tables and domain classes."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from crm_notifier.domain.model import (
    Notification,
    NotificationStatus,
    Recipient,
    Reminder,
    ReminderKind,
    ReminderStatus,
)


class RecipientPut(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    name: str | None = Field(None, min_length=1, max_length=255)
    language: Literal["fr", "en"] | None = Field(None, description="Defaults to the service's language")


class RecipientPublic(BaseModel):
    user_id: str
    email: str
    name: str | None
    language: Literal["fr", "en"] | None

    @classmethod
    def of(cls, recipient: Recipient) -> "RecipientPublic":
        return cls.model_validate(recipient, from_attributes=True)


class NotificationPublic(BaseModel):
    id: UUID
    template: str
    recipient: str = Field(description="User id, or the address of someone who is not a user")
    email: str | None
    from_address: str
    subject: str
    body: str
    language: str
    headers: dict[str, str]
    status: NotificationStatus
    reason: str | None
    cause_event_id: UUID | None = Field(description="ce_id of the event that caused the notification")
    message_id: str | None = Field(description="RFC 5322 Message-ID of the email")
    also_to: list[str] = Field(description="Further To recipients, after `email`")
    cc: list[str]
    case_message_id: UUID | None = Field(description="For an agent's reply: the case message it sends")
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, notification: Notification) -> "NotificationPublic":
        return cls.model_validate(notification, from_attributes=True)


class ReminderPublic(BaseModel):
    id: UUID
    kind: ReminderKind
    contract_id: UUID
    title: str
    end_date: date
    owner_id: str
    csm_id: str | None
    recipient_id: str
    due_at: datetime
    status: ReminderStatus
    cause_event_id: UUID | None
    created_at: datetime
    fired_at: datetime | None

    @classmethod
    def of(cls, reminder: Reminder) -> "ReminderPublic":
        return cls.model_validate(reminder, from_attributes=True)
