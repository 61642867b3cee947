"""Support cases and their messages. A customer's reply to a case waiting on them, or already resolved
or closed, reopens it."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from crm_cases.domain import events
from crm_cases.domain.mail import InboundMail, clean_subject, detect_language
from crm_shared.domain import Aggregate
from crm_shared.ids import new_id


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"


REOPENED_BY_CUSTOMER_REPLY = frozenset({CaseStatus.PENDING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED})


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Channel(StrEnum):
    EMAIL = "email"
    WEB = "web"
    API = "api"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class IntakeOutcome(StrEnum):
    CASE_OPENED = "case_opened"
    APPENDED = "appended"
    IGNORED_AUTO_REPLY = "ignored_auto_reply"
    IGNORED_BOUNCE = "ignored_bounce"
    REJECTED = "rejected"


@dataclass(frozen=True)
class RawMessage:
    """A mail exactly as delivered; stored once per (mailbox, Message-ID, content digest)."""

    id: UUID
    mailbox: str
    message_id: str
    """The Message-ID header, or "" when the mail has none."""
    digest: str
    raw: bytes
    received_at: datetime
    outcome: IntakeOutcome
    reason: str | None = None


@dataclass(eq=False, kw_only=True)
class CaseMessage:
    id: UUID
    case_id: UUID
    direction: Direction
    author: str | None
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    body_text: str
    received_at: datetime
    raw_message_id: UUID | None = None

    @classmethod
    def inbound(
        cls, *, case_id: UUID, mail: InboundMail, message_id: str, raw_message_id: UUID, at: datetime
    ) -> "CaseMessage":
        return cls(
            id=new_id(),
            case_id=case_id,
            direction=Direction.INBOUND,
            author=mail.sender_email,
            message_id=message_id,
            in_reply_to=mail.in_reply_to[0] if mail.in_reply_to else None,
            references=mail.references,
            subject=mail.subject,
            body_text=mail.text,
            received_at=at,
            raw_message_id=raw_message_id,
        )


@dataclass(eq=False, kw_only=True)
class Case(Aggregate):
    id: UUID
    number: str
    subject: str
    status: CaseStatus = CaseStatus.NEW
    priority: Priority = Priority.NORMAL
    channel: Channel
    requester_email: str | None = None
    requester_name: str | None = None
    language: str = "en"
    mailbox: str | None = None
    created_at: datetime
    updated_at: datetime
    new_messages: list[CaseMessage] = field(default_factory=list, repr=False)
    """Messages added since the case was loaded; the repository writes them with the case."""

    @classmethod
    def open_from_email(
        cls,
        *,
        number: str,
        mail: InboundMail,
        message_id: str,
        mailbox: str,
        raw_message_id: UUID,
        at: datetime,
    ) -> "Case":
        case = cls(
            id=new_id(),
            number=number,
            subject=clean_subject(mail.subject) or mail.subject,
            channel=Channel.EMAIL,
            requester_email=mail.sender_email,
            requester_name=mail.sender_name,
            language=detect_language(mail),
            mailbox=mailbox,
            created_at=at,
            updated_at=at,
        )
        case.new_messages.append(
            CaseMessage.inbound(
                case_id=case.id, mail=mail, message_id=message_id, raw_message_id=raw_message_id, at=at
            )
        )
        case.record(
            events.CaseOpened(
                case_id=case.id,
                number=number,
                subject=case.subject,
                channel=case.channel,
                requester_email=case.requester_email,
                requester_name=case.requester_name,
                language=case.language,
                message_id=message_id,
            )
        )
        return case

    def receive_email(
        self, *, mail: InboundMail, message_id: str, raw_message_id: UUID, at: datetime
    ) -> CaseMessage:
        """A further inbound mail on this case (the customer's reply, or a colleague's in copy)."""
        message = CaseMessage.inbound(
            case_id=self.id, mail=mail, message_id=message_id, raw_message_id=raw_message_id, at=at
        )
        reopened = self.status in REOPENED_BY_CUSTOMER_REPLY
        if reopened:
            self.status = CaseStatus.OPEN
        self.updated_at = at
        self.new_messages.append(message)
        self.record(
            events.CaseMessageAdded(
                case_id=self.id,
                number=self.number,
                case_message_id=message.id,
                direction=message.direction,
                author=message.author,
                message_id=message_id,
                reopened=reopened,
            )
        )
        return message

    def is_requested_by(self, email: str) -> bool:
        return self.requester_email is not None and self.requester_email.lower() == email.lower()
