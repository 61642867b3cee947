"""Events published by the notifier service on `crm.notifier.events`."""

from typing import ClassVar, Literal
from uuid import UUID

from crm_shared.events.base import IntegrationEvent


class NotificationSent(IntegrationEvent):
    event_type: ClassVar[str] = "crm.notifier.notification_sent.v1"
    subject_field: ClassVar[str] = "notification_id"

    notification_id: UUID
    template: str
    channel: Literal["email"] = "email"
    message_id: str | None = None
    cause_event_id: UUID | None = None
    status: Literal["sent", "failed", "skipped"]
