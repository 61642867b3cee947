"""Notifications and reminders.

A notification is pending until the sender delivers it (sent) or gives up (failed); one with no address
is recorded as skipped. Only a final state is announced. A reminder fires once, when due.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from crm_notifier.domain import events
from crm_notifier.domain.schedule import renewal_due_at
from crm_notifier.domain.templates import Language
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict
from crm_shared.ids import new_id


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Recipient:
    """A user's address, as the notifier knows it (a read model: users live elsewhere)."""

    user_id: str
    email: str
    name: str | None = None
    language: Language | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_delay_s: float
    max_delay_s: float

    def delay_after(self, attempts: int) -> timedelta:
        """Exponential backoff after the `attempts`-th failure, capped."""
        return timedelta(seconds=min(self.base_delay_s * 2 ** (attempts - 1), self.max_delay_s))


@dataclass(frozen=True)
class Draft:
    """What to say to whom and why, before knowing whether it can be delivered."""

    template: str
    recipient: str
    """A user id, or the email address itself for people who are not users (case requesters)."""
    language: Language
    subject: str
    body: str
    from_address: str
    cause_event_id: UUID | None
    correlation_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body_html: str | None = None
    case_message_id: UUID | None = None
    """An agent's reply: the case message it sends (one notification per case message)."""


@dataclass(eq=False, kw_only=True)
class Notification(Aggregate):
    id: UUID
    template: str
    recipient: str
    email: str | None
    to_name: str | None = None
    from_address: str
    subject: str
    body: str
    language: str
    headers: dict[str, str]
    status: NotificationStatus
    reason: str | None = None
    cause_event_id: UUID | None
    correlation_id: str | None = None
    message_id: str | None = None
    also_to: list[str] = field(default_factory=list)
    """Further To recipients, after `email` (an agent's reply may address several people)."""
    cc: list[str] = field(default_factory=list)
    body_html: str | None = None
    case_message_id: UUID | None = None
    attempts: int = 0
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None = None

    @classmethod
    def to_send(
        cls,
        draft: Draft,
        *,
        email: str,
        to_name: str | None,
        message_id: str,
        also_to: Sequence[str] = (),
        cc: Sequence[str] = (),
    ) -> "Notification":
        notification = cls._of(
            draft, NotificationStatus.PENDING, email=email, to_name=to_name, message_id=message_id
        )
        notification.also_to, notification.cc = list(also_to), list(cc)
        return notification

    @classmethod
    def skipped(cls, draft: Draft, *, reason: str) -> "Notification":
        notification = cls._of(draft, NotificationStatus.SKIPPED, reason=reason)
        notification._finished()
        return notification

    @classmethod
    def _of(cls, draft: Draft, status: NotificationStatus, **values: str | None) -> "Notification":
        now = datetime.now(UTC)
        return cls(
            id=new_id(),
            template=draft.template,
            recipient=draft.recipient,
            email=values.get("email"),
            to_name=values.get("to_name"),
            from_address=draft.from_address,
            subject=draft.subject,
            body=draft.body,
            language=draft.language,
            headers=dict(draft.headers),
            status=status,
            reason=values.get("reason"),
            cause_event_id=draft.cause_event_id,
            correlation_id=draft.correlation_id,
            message_id=values.get("message_id"),
            body_html=draft.body_html,
            case_message_id=draft.case_message_id,
            next_attempt_at=now,
            created_at=now,
        )

    def mark_sent(self, *, now: datetime) -> None:
        self._require_pending()
        self.attempts += 1
        self.status, self.sent_at, self.reason = NotificationStatus.SENT, now, None
        self._finished()

    def skip(self, *, reason: str) -> None:
        """Not sent after all: its address started bouncing while it waited."""
        self._require_pending()
        self.status, self.reason = NotificationStatus.SKIPPED, reason
        self._finished()

    def drop_recipients(self, addresses: Collection[str]) -> None:
        """Leave out further recipients (To or Cc) that are known to bounce."""
        self.also_to = [a for a in self.also_to if a.lower() not in addresses]
        self.cc = [a for a in self.cc if a.lower() not in addresses]

    @property
    def addresses(self) -> list[str]:
        """Every address the message goes to (the SMTP envelope's recipients)."""
        return [a for a in (self.email, *self.also_to, *self.cc) if a]

    def mark_attempt_failed(self, *, error: str, permanent: bool, now: datetime, policy: RetryPolicy) -> None:
        """Retry later with backoff, until the attempts run out or the server refused for good."""
        self._require_pending()
        self.attempts += 1
        self.reason = error
        if permanent or self.attempts >= policy.max_attempts:
            self.status = NotificationStatus.FAILED
            self._finished()
        else:
            self.next_attempt_at = now + policy.delay_after(self.attempts)

    def _require_pending(self) -> None:
        if self.status is not NotificationStatus.PENDING:
            raise Conflict(f"notification {self.id} is already {self.status}", code="notification_final")

    def _finished(self) -> None:
        self.record(
            events.NotificationFinished(
                self.id, self.template, self.message_id, self.cause_event_id, self.status.value
            )
        )


class ReminderKind(StrEnum):
    CONTRACT_RENEWAL = "contract_renewal"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"


@dataclass(eq=False, kw_only=True)
class Reminder(Aggregate):
    id: UUID
    kind: ReminderKind
    contract_id: UUID
    title: str
    end_date: date
    owner_id: str
    csm_id: str | None = None
    due_at: datetime
    status: ReminderStatus = ReminderStatus.PENDING
    cause_event_id: UUID | None = None
    correlation_id: str | None = None
    created_at: datetime
    fired_at: datetime | None = None

    @classmethod
    def contract_renewal(
        cls,
        *,
        contract_id: UUID,
        title: str,
        end_date: date,
        owner_id: str,
        csm_id: str | None,
        cause_event_id: UUID | None,
        correlation_id: str | None,
    ) -> "Reminder":
        return cls(
            id=new_id(),
            kind=ReminderKind.CONTRACT_RENEWAL,
            contract_id=contract_id,
            title=title,
            end_date=end_date,
            owner_id=owner_id,
            csm_id=csm_id,
            due_at=renewal_due_at(end_date),
            cause_event_id=cause_event_id,
            correlation_id=correlation_id,
            created_at=datetime.now(UTC),
        )

    @property
    def recipient_id(self) -> str:
        """The customer's success manager looks after renewals; the owner when there is none."""
        return self.csm_id or self.owner_id

    def fire(self, *, now: datetime) -> None:
        if self.status is not ReminderStatus.PENDING:
            raise Conflict(f"reminder {self.id} already fired", code="reminder_fired")
        if now < self.due_at:
            raise Conflict(f"reminder {self.id} is not due before {self.due_at}", code="reminder_not_due")
        self.status, self.fired_at = ReminderStatus.FIRED, now
