"""What a list of cases asks for: the filters of queues and views ("my cases", a team's queue...)."""

from dataclasses import dataclass
from uuid import UUID

from crm_cases.domain.case_values import CaseStatus, Priority
from crm_cases.domain.sla import SlaState


@dataclass(frozen=True, kw_only=True)
class CaseFilter:
    statuses: tuple[CaseStatus, ...] = ()
    priority: Priority | None = None
    assignee_id: str | None = None
    team: str | None = None
    account_id: UUID | None = None
    contact_id: UUID | None = None
    sla: SlaState | None = None
    text: str | None = None
    """Words of the subject, or a case number."""
    tags: tuple[str, ...] = ()
    """Cases carrying every one of them."""
    requester_email: str | None = None
