"""A case's state and what agents do with it: statuses, assignment, field edits, replies, notes, merges
and links. Every change records the domain event that says what changed, with its before and after."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from crm_cases.domain import events
from crm_cases.domain.case_messages import CaseMessage
from crm_cases.domain.case_values import (
    AssignmentRule,
    CaseStatus,
    CaseType,
    Channel,
    Direction,
    LinkKind,
    Priority,
    Visibility,
)
from crm_cases.domain.sla import DueTimes
from crm_shared.domain import Aggregate
from crm_shared.errors import Conflict
from crm_shared.ids import new_id

EDITABLE = frozenset({"subject", "description", "priority", "type", "tags", "team"})


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(eq=False, kw_only=True)
class CaseWork(Aggregate):
    id: UUID = field(default_factory=new_id)
    number: str
    subject: str
    status: CaseStatus = CaseStatus.NEW
    priority: Priority = Priority.NORMAL
    channel: Channel
    requester_email: str | None = None
    requester_name: str | None = None
    language: str = "en"
    mailbox: str | None = None
    description: str = ""
    type: CaseType | None = None
    account_id: UUID | None = None
    contact_ids: tuple[UUID, ...] = ()
    unknown_contact: bool = False
    assignee_id: str | None = None
    team: str | None = None
    tags: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    first_responded_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    merged_into: UUID | None = None
    created_at: datetime
    updated_at: datetime
    new_messages: list[CaseMessage] = field(default_factory=list, repr=False)
    """Messages added since the case was loaded; the repository writes them with the case."""

    def _ensure_live(self) -> None:
        if self.merged_into is not None:
            raise Conflict(f"case {self.number} was merged into another case")

    def change_status(self, to: CaseStatus, *, by: str, at: datetime, reason: str | None = None) -> None:
        self._ensure_live()
        if to is self.status:
            return
        if to is CaseStatus.NEW:
            raise Conflict(f"case {self.number} cannot go back to new")
        self._set_status(to, by=by, at=at, reason=reason)

    def _set_status(self, to: CaseStatus, *, by: str, at: datetime, reason: str | None) -> None:
        before, self.status, self.updated_at = self.status, to, at
        if to is CaseStatus.RESOLVED:
            self.resolved_at = at
        elif to is CaseStatus.CLOSED:
            self.closed_at = at
            self.resolved_at = self.resolved_at or at
        else:
            self.resolved_at = self.closed_at = None
        self.record(
            events.CaseStatusChanged(
                case_id=self.id,
                number=self.number,
                from_status=before,
                to_status=to,
                changed_by=by,
                changed_at=at,
                reason=reason,
                requester_email=self.requester_email,
                language=self.language,
            )
        )

    def assign(self, assignee_id: str | None, *, by: str, rule: AssignmentRule | None, at: datetime) -> None:
        self._ensure_live()
        if assignee_id == self.assignee_id:
            return
        before, self.assignee_id, self.updated_at = self.assignee_id, assignee_id, at
        self.record(
            events.CaseAssigned(
                case_id=self.id,
                number=self.number,
                subject=self.subject,
                from_assignee=before,
                to_assignee=assignee_id,
                team=self.team,
                assigned_by=by,
                rule=rule,
                assigned_at=at,
            )
        )

    def update(self, changes: dict[str, Any], *, by: str, at: datetime, due: DueTimes | None = None) -> None:
        """Edit fields; a new priority recomputes the SLA due times (`due`, from the opening time)."""
        self._ensure_live()
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        if due is not None and "priority" in changes:
            changes = changes | {
                "first_response_due_at": due.first_response,
                "resolution_due_at": due.resolution,
            }
        changed = {}
        for name, new in changes.items():
            old = getattr(self, name)
            if old != new:
                setattr(self, name, new)
                changed[name] = (_plain(old), _plain(new))
        if changed:
            self.updated_at = at
            self.record(
                events.CaseUpdated(
                    case_id=self.id, number=self.number, changed=changed, updated_by=by, updated_at=at
                )
            )

    def reply(self, message: CaseMessage, *, by: str) -> None:
        """An agent's answer to the customer: the first one meets the first-response target."""
        self._ensure_live()
        at = message.received_at
        self.first_responded_at = self.first_responded_at or at
        self.new_messages.append(message)
        self.updated_at = at
        self.record(self.message_added(message, reopened=False))
        if self.status is CaseStatus.NEW:
            self._set_status(CaseStatus.OPEN, by=by, at=at, reason="answered")

    def add_note(self, message: CaseMessage) -> None:
        self._ensure_live()
        self.new_messages.append(message)
        self.updated_at = message.received_at
        self.record(self.message_added(message, reopened=False))

    def message_added(self, message: CaseMessage, *, reopened: bool) -> events.CaseMessageAdded:
        """Internal messages go out with no body, no recipients, no quoted thread: ids only."""
        public = message.visibility is Visibility.PUBLIC
        outbound = public and message.direction is Direction.OUTBOUND
        return events.CaseMessageAdded(
            case_id=self.id,
            number=self.number,
            case_message_id=message.id,
            direction=message.direction,
            visibility=message.visibility,
            author=message.author,
            message_id=message.message_id if public else None,
            reopened=reopened,
            subject=message.subject if public else None,
            requester_email=self.requester_email,
            requester_name=self.requester_name,
            language=self.language,
            to=message.to if public else (),
            cc=message.cc if public else (),
            in_reply_to=message.in_reply_to if outbound else None,
            references=message.references if outbound else (),
            body_text="\n\n".join(p for p in (message.body_text, message.quoted) if p) if outbound else None,
            body_html=message.body_html if outbound else None,
            mailbox=self.mailbox,
            added_at=message.received_at,
        )

    def merge_into(self, survivor: "CaseWork", *, by: str, at: datetime) -> None:
        """This case ends, closed and marked; the survivor takes its people (the repository moves the
        messages)."""
        self._ensure_live()
        survivor._ensure_live()
        if survivor.id == self.id:
            raise Conflict("a case cannot be merged into itself")
        survivor.contact_ids = tuple(dict.fromkeys((*survivor.contact_ids, *self.contact_ids)))
        survivor.participants = tuple(dict.fromkeys((*survivor.participants, *self.participants)))
        survivor.unknown_contact = not survivor.contact_ids
        survivor.updated_at = at
        if self.status is not CaseStatus.CLOSED:
            self._set_status(CaseStatus.CLOSED, by=by, at=at, reason=f"merged into {survivor.number}")
        self.merged_into = survivor.id
        self.record(
            events.CaseMerged(
                merged_id=self.id,
                merged_number=self.number,
                survivor_id=survivor.id,
                survivor_number=survivor.number,
                merged_by=by,
                merged_at=at,
            )
        )

    def link(self, other: "CaseWork", *, kind: LinkKind, by: str, at: datetime) -> None:
        if other.id == self.id:
            raise Conflict("a case cannot be linked to itself")
        self.record(
            events.CasesLinked(
                case_id=self.id, linked_case_id=other.id, kind=kind, linked_by=by, linked_at=at
            )
        )
