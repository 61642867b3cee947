"""Domain events of the deals context.

They carry the names and kinds a subscriber needs (taken from the pipeline when the event is raised), so
the translation into integration events is field for field.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from crm_shared.domain import DomainEvent

CloseCause = Literal["manual", "close_request", "order_confirmed", "quote_accepted"]
MoveCause = Literal["moved", "pipeline_changed", "quote_sent", "stage_deleted"]


@dataclass(frozen=True, kw_only=True)
class DealCreated(DomainEvent):
    deal_id: UUID
    title: str
    amount_minor: int
    currency: str
    pipeline_id: UUID
    pipeline_name: str
    stage_id: UUID
    stage_name: str
    probability: int
    owner_id: str
    team: str | None
    account_id: UUID | None
    contact_id: UUID | None
    contact_ids: list[UUID]
    lead_id: UUID | None
    expected_close_date: date | None
    tags: list[str]
    follow_up_of: UUID | None
    recontact_on: date | None
    renewal_of_contract: UUID | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class DealStageChanged(DomainEvent):
    deal_id: UUID
    title: str
    amount_minor: int
    currency: str
    owner_id: str
    account_id: UUID | None
    contact_id: UUID | None
    from_pipeline: UUID
    from_pipeline_name: str
    to_pipeline: UUID
    to_pipeline_name: str
    from_stage: UUID
    from_stage_name: str
    to_stage: UUID
    to_stage_name: str
    to_stage_kind: str
    probability: tuple[int, int]
    cause: MoveCause
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True, kw_only=True)
class DealUpdated(DomainEvent):
    deal_id: UUID
    title: str
    owner_id: str
    account_id: UUID | None
    pipeline_id: UUID
    stage_id: UUID
    changed: dict[str, tuple[Any, Any]]
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, kw_only=True)
class DealWon(DomainEvent):
    deal_id: UUID
    title: str
    amount_minor: int
    currency: str
    owner_id: str
    account_id: UUID | None
    contact_id: UUID | None
    contact_ids: list[UUID]
    csm_id: str | None
    pipeline_id: UUID
    pipeline_name: str
    from_stage: UUID
    from_stage_name: str
    to_stage: UUID
    to_stage_name: str
    won_at: datetime
    won_by: str
    cause: CloseCause
    requested_by: str | None


@dataclass(frozen=True, kw_only=True)
class DealLost(DomainEvent):
    deal_id: UUID
    title: str
    amount_minor: int
    currency: str
    owner_id: str
    account_id: UUID | None
    contact_id: UUID | None
    contact_ids: list[UUID]
    pipeline_id: UUID
    pipeline_name: str
    from_stage: UUID
    from_stage_name: str
    to_stage: UUID
    to_stage_name: str
    reason: str
    lost_at: datetime
    lost_by: str
    cause: CloseCause
    requested_by: str | None
    follow_up_deal_id: UUID | None
    recontact_on: date | None


@dataclass(frozen=True, kw_only=True)
class DealReopened(DomainEvent):
    deal_id: UUID
    title: str
    amount_minor: int
    currency: str
    owner_id: str
    account_id: UUID | None
    contact_id: UUID | None
    pipeline_id: UUID
    pipeline_name: str
    from_status: Literal["won", "lost"]
    from_stage: UUID
    to_stage: UUID
    to_stage_name: str
    reopened_at: datetime
    reopened_by: str


@dataclass(frozen=True, kw_only=True)
class DealCloseRequested(DomainEvent):
    request_id: UUID
    deal_id: UUID
    title: str
    outcome: Literal["won", "lost"]
    amount_minor: int
    signed_amount_minor: int | None
    currency: str
    reason: str | None
    owner_id: str
    account_id: UUID | None
    requested_by: str
    requested_at: datetime


@dataclass(frozen=True, kw_only=True)
class DealCloseRequestDecided(DomainEvent):
    request_id: UUID
    deal_id: UUID
    title: str
    outcome: Literal["won", "lost"]
    decision: Literal["approved", "rejected"]
    amount_minor: int
    signed_amount_minor: int | None
    currency: str
    note: str | None
    owner_id: str
    account_id: UUID | None
    requested_by: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True, kw_only=True)
class DealReviewSuggested(DomainEvent):
    deal_id: UUID
    title: str
    owner_id: str
    account_id: UUID
    pipeline_id: UUID
    pipeline_name: str
    stage_name: str
    won_deal_id: UUID
    won_deal_title: str
    reason: str
    suggested_at: datetime


DEAL_EVENTS: tuple[type, ...] = (
    DealCreated,
    DealStageChanged,
    DealUpdated,
    DealWon,
    DealLost,
    DealReopened,
    DealCloseRequested,
    DealCloseRequestDecided,
    DealReviewSuggested,
)
# Events that change where a deal stands: they open and close its stage periods.
STAGE_EVENTS: tuple[type, ...] = (DealCreated, DealStageChanged, DealWon, DealLost, DealReopened)
