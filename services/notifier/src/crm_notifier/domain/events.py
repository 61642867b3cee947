"""Domain events of the notifier context (translated to integration events by the service layer)."""

from dataclasses import dataclass
from uuid import UUID

from crm_shared.domain import DomainEvent


@dataclass(frozen=True)
class NotificationFinished(DomainEvent):
    """A notification reached a final state: sent, failed or skipped."""

    notification_id: UUID
    template: str
    message_id: str | None
    cause_event_id: UUID | None
    status: str
