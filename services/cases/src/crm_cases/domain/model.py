"""Support cases. Agents move a case between statuses freely, except back to "new"; a customer's reply
to a case waiting on them, resolved, or closed recently reopens it (see `case_intake` for older ones)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from crm_cases.domain import events
from crm_cases.domain.assignment import NOBODY, Assignment
from crm_cases.domain.case_messages import Attachment, CaseMessage
from crm_cases.domain.case_values import (
    CUSTOMER,
    FINISHED,
    REOPENED_BY_CUSTOMER_REPLY,
    AssignmentRule,
    CaseStatus,
    CaseType,
    Channel,
    Direction,
    IntakeOutcome,
    LinkKind,
    Priority,
    Visibility,
)
from crm_cases.domain.case_work import CaseWork
from crm_cases.domain.mail import InboundMail, acknowledgement_message_id, clean_subject, detect_language
from crm_cases.domain.sla import NO_DUE, DueTimes
from crm_shared.text_keys import address_key

__all__ = [
    "REOPENED_BY_CUSTOMER_REPLY",
    "AssignmentRule",
    "Attachment",
    "Case",
    "CaseMessage",
    "CaseStatus",
    "CaseType",
    "Channel",
    "Direction",
    "IntakeOutcome",
    "LinkKind",
    "Opening",
    "Priority",
    "Profile",
    "RawMessage",
    "Visibility",
]


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


@dataclass(frozen=True, kw_only=True)
class Profile:
    """What the service layer worked out for a new case: who asks, who answers it, by when."""

    account_id: UUID | None = None
    contact_ids: tuple[UUID, ...] = ()
    contact_emails: tuple[str, ...] = ()
    contact_language: str | None = None
    """The known contact's language wins over the one detected in the mail."""
    team: str | None = None
    assignment: Assignment = NOBODY
    due: DueTimes = NO_DUE
    related_case_id: UUID | None = None


@dataclass(frozen=True, kw_only=True)
class Opening:
    number: str
    subject: str
    channel: Channel
    requester_email: str | None
    requester_name: str | None = None
    language: str = "en"
    mailbox: str | None = None
    description: str = ""
    priority: Priority = Priority.NORMAL
    type: CaseType | None = None
    tags: tuple[str, ...] = ()
    profile: Profile = Profile()
    opened_by: str | None = None


@dataclass(eq=False, kw_only=True)
class Case(CaseWork):
    @classmethod
    def open(cls, opening: Opening, *, at: datetime, message_id: str | None = None) -> "Case":
        p = opening.profile
        requester = address_key(opening.requester_email) if opening.requester_email else None
        case = cls(
            **{k: getattr(opening, k) for k in ("number", "subject", "channel", "mailbox", "description")},
            **{k: getattr(opening, k) for k in ("requester_name", "priority", "type", "tags")},
            requester_email=requester,
            language=p.contact_language or opening.language,
            account_id=p.account_id,
            contact_ids=p.contact_ids,
            unknown_contact=not p.contact_ids,
            team=p.team,
            first_response_due_at=p.due.first_response,
            resolution_due_at=p.due.resolution,
            participants=tuple(dict.fromkeys(address_key(e) for e in (requester, *p.contact_emails) if e)),
            created_at=at,
            updated_at=at,
        )
        case.record(case._opened(opening, message_id, at))
        if p.assignment.assignee_id:
            case.assign(
                p.assignment.assignee_id, by=opening.opened_by or "system", rule=p.assignment.rule, at=at
            )
        return case

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
        profile: Profile = Profile(),
    ) -> "Case":
        opening = Opening(
            number=number,
            subject=clean_subject(mail.subject) or mail.subject,
            channel=Channel.EMAIL,
            requester_email=mail.sender_email,
            requester_name=mail.sender_name,
            language=detect_language(mail),
            mailbox=mailbox,
            profile=profile,
        )
        case = cls.open(opening, at=at, message_id=message_id)
        message = CaseMessage.inbound(
            case_id=case.id, mail=mail, message_id=message_id, raw_message_id=raw_message_id, at=at
        )
        case.new_messages.append(message)
        case._meet(message)
        return case

    def _opened(self, opening: Opening, message_id: str | None, at: datetime) -> events.CaseOpened:
        return events.CaseOpened(
            case_id=self.id,
            number=self.number,
            subject=self.subject,
            channel=self.channel,
            requester_email=self.requester_email,
            requester_name=self.requester_name,
            language=self.language,
            message_id=message_id,
            account_id=self.account_id,
            contact_ids=self.contact_ids,
            unknown_contact=self.unknown_contact,
            priority=self.priority,
            type=self.type,
            status=self.status,
            mailbox=self.mailbox,
            team=self.team,
            assignee_id=opening.profile.assignment.assignee_id,
            related_case_id=opening.profile.related_case_id,
            first_response_due_at=self.first_response_due_at,
            resolution_due_at=self.resolution_due_at,
            opened_at=at,
            opened_by=opening.opened_by,
            acknowledgement_message_id=acknowledgement_message_id(self.id),
        )

    def closed_longer_than(self, days: int, at: datetime) -> bool:
        """A reply to a case closed longer ago than the reopen window opens a follow-up instead."""
        return (
            self.status is CaseStatus.CLOSED
            and self.closed_at is not None
            and at - self.closed_at > timedelta(days=days)
        )

    def receive_email(
        self, *, mail: InboundMail, message_id: str, raw_message_id: UUID, at: datetime
    ) -> CaseMessage:
        """A further inbound mail on this case (the customer's reply, or a colleague's in copy)."""
        message = CaseMessage.inbound(
            case_id=self.id, mail=mail, message_id=message_id, raw_message_id=raw_message_id, at=at
        )
        self._ensure_live()
        reopened = self.status in REOPENED_BY_CUSTOMER_REPLY
        self.updated_at = at
        self.new_messages.append(message)
        self._meet(message)
        self.record(self.message_added(message, reopened=reopened))
        if reopened:
            self._set_status(CaseStatus.OPEN, by=CUSTOMER, at=at, reason="customer reply")
        return message

    def attach_bounce(self, message: CaseMessage) -> None:
        """A bounce of our own mail: kept on the case as an internal message, nothing reopens."""
        self.new_messages.append(message)
        self.updated_at = message.received_at
        self.record(self.message_added(message, reopened=False))

    def _meet(self, message: CaseMessage) -> None:
        """Everyone who wrote on the case or was in copy takes part (the helpdesk's address aside)."""
        seen = (message.author or "", *message.to, *message.cc)
        known = {address_key(a) for a in seen if a and "@" in a} - {address_key(self.mailbox or "")}
        self.participants = tuple(dict.fromkeys((*self.participants, *sorted(known))))

    def has_participant(self, email: str) -> bool:
        everyone = (*self.participants, self.requester_email or "")
        return address_key(email) in {address_key(p) for p in everyone}

    def is_requested_by(self, email: str) -> bool:
        return self.requester_email is not None and address_key(self.requester_email) == address_key(email)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
