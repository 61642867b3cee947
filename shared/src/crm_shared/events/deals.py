"""Events published by the deals service on `crm.deals.events`.

Every event carries what a subscriber needs without calling back: ids, amounts (minor units, net of VAT
and media purchases), pipeline and stage names and kinds, owner, account and contacts; a change carries
its before and after values. The key is the deal id, so one deal's events arrive in order.
"""

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from crm_shared.events.base import IntegrationEvent
from crm_shared.events.changes import Change, Changes

StageKindName = Literal["open", "won", "lost"]
CloseCause = Literal["manual", "close_request", "order_confirmed", "quote_accepted"]


class DealCreated(IntegrationEvent):
    event_type: ClassVar[str] = "crm.deals.deal_created.v1"
    subject_field: ClassVar[str] = "deal_id"

    deal_id: UUID
    title: str
    amount_minor: int = Field(ge=0)
    currency: str
    pipeline_id: UUID
    stage_id: UUID
    owner_id: str
    account_id: UUID | None = None
    contact_id: UUID | None = None
    lead_id: UUID | None = None
    pipeline_name: str | None = None
    stage_name: str | None = None
    probability: int | None = Field(None, ge=0, le=100)
    expected_close_date: date | None = None
    team: str | None = None
    contact_ids: list[UUID] = Field(default_factory=list, description="Secondary contacts")
    tags: list[str] = Field(default_factory=list)
    follow_up_of: UUID | None = Field(None, description="The lost deal this one follows up (cold leads)")
    recontact_on: date | None = None
    renewal_of_contract: UUID | None = Field(None, description="The contract this deal renews")
    created_by: str | None = None
    created_at: datetime | None = None


class DealWon(IntegrationEvent):
    event_type: ClassVar[str] = "crm.deals.deal_won.v1"
    subject_field: ClassVar[str] = "deal_id"

    deal_id: UUID
    title: str
    amount_minor: int = Field(ge=0)
    currency: str
    owner_id: str
    account_id: UUID | None = None
    csm_id: str | None = None
    from_stage: UUID
    to_stage: UUID
    won_at: datetime
    won_by: str
    contact_id: UUID | None = Field(None, description="The deal's primary contact")
    contact_ids: list[UUID] = Field(default_factory=list, description="Secondary contacts")
    pipeline_id: UUID | None = None
    pipeline_name: str | None = None
    from_stage_name: str | None = None
    to_stage_name: str | None = None
    cause: CloseCause = Field("manual", description="What closed it; `won_by` is who caused it")
    requested_by: str | None = Field(None, description="Who asked for the win (close request)")


class DealLost(IntegrationEvent):
    event_type: ClassVar[str] = "crm.deals.deal_lost.v1"
    subject_field: ClassVar[str] = "deal_id"

    deal_id: UUID
    title: str
    owner_id: str
    account_id: UUID | None = None
    from_stage: UUID
    to_stage: UUID
    reason: str
    lost_at: datetime
    lost_by: str
    contact_id: UUID | None = Field(None, description="The deal's primary contact")
    contact_ids: list[UUID] = Field(default_factory=list, description="Secondary contacts")
    amount_minor: int | None = Field(None, ge=0)
    currency: str | None = None
    pipeline_id: UUID | None = None
    pipeline_name: str | None = None
    from_stage_name: str | None = None
    to_stage_name: str | None = None
    cause: CloseCause = "manual"
    requested_by: str | None = Field(None, description="Who asked for the loss (close request)")
    follow_up_deal_id: UUID | None = Field(None, description="The cold-leads deal opened for later")
    recontact_on: date | None = None


class DealReopened(IntegrationEvent):
    """A won or lost deal went back to an open stage."""

    event_type: ClassVar[str] = "crm.deals.deal_reopened.v1"
    subject_field: ClassVar[str] = "deal_id"

    deal_id: UUID
    title: str
    owner_id: str
    account_id: UUID | None = None
    contact_id: UUID | None = None
    from_stage: UUID
    to_stage: UUID
    reopened_at: datetime
    reopened_by: str
    amount_minor: int | None = Field(None, ge=0)
    currency: str | None = None
    pipeline_id: UUID | None = None
    pipeline_name: str | None = None
    from_status: Literal["won", "lost"] | None = None
    to_stage_name: str | None = None


class DealStageChanged(IntegrationEvent):
    """A deal changed stage, pipeline or both (kanban move, quote sent, pipeline change)."""

    event_type: ClassVar[str] = "crm.deals.deal_stage_changed.v1"
    subject_field: ClassVar[str] = "deal_id"

    deal_id: UUID
    title: str
    amount_minor: int = Field(ge=0)
    currency: str
    owner_id: str
    account_id: UUID | None = None
    contact_id: UUID | None = None
    from_pipeline: UUID
    from_pipeline_name: str
    to_pipeline: UUID
    to_pipeline_name: str
    from_stage: UUID
    from_stage_name: str
    to_stage: UUID
    to_stage_name: str
    to_stage_kind: StageKindName
    probability: tuple[int, int] = Field(description="Probability before and after")
    cause: Literal["moved", "pipeline_changed", "quote_sent", "stage_deleted"] = "moved"
    changed_at: datetime
    changed_by: str


class DealUpdated(IntegrationEvent):
    """Fields of a deal changed: `changed` maps each field to its [before, after] values.

    Superseded by v2 (typed changes); still published beside it until its subscribers move."""

    event_type: ClassVar[str] = "crm.deals.deal_updated.v1"
    subject_field: ClassVar[str] = "deal_id"

    deal_id: UUID
    title: str
    owner_id: str
    account_id: UUID | None = None
    pipeline_id: UUID
    stage_id: UUID
    changed: dict[str, tuple[Any, Any]]
    updated_at: datetime
    updated_by: str


class DealChanges(Changes):
    """The fields of a deal that change without a move; those absent did not. Amounts in minor units."""

    title: Change[str] | None = None
    description: Change[str] | None = None
    amount_minor: Change[int] | None = None
    currency: Change[str] | None = None
    best_case_minor: Change[int] | None = None
    worst_case_minor: Change[int] | None = None
    probability: Change[int] | None = None
    probability_overridden: Change[bool] | None = Field(
        None, description="False when the probability went back to its stage's default"
    )
    score: Change[int] | None = None
    expected_close_date: Change[date] | None = None
    owner_id: Change[str] | None = None
    team: Change[str] | None = None
    account_id: Change[UUID] | None = None
    contact_id: Change[UUID] | None = Field(None, description="The primary contact")
    contact_ids: Change[list[UUID]] | None = Field(None, description="Secondary contacts")
    tags: Change[list[str]] | None = None
    recontact_on: Change[date] | None = None
    needs_review: Change[bool] | None = None
    review_reason: Change[str] | None = None
    rank: Change[float] | None = Field(None, description="Order within its board column (reorder)")


class DealUpdatedV2(IntegrationEvent):
    """Fields of a deal changed, each with its typed before and after values (published beside v1)."""

    event_type: ClassVar[str] = "crm.deals.deal_updated.v2"
    subject_field: ClassVar[str] = "deal_id"

    deal_id: UUID
    title: str
    owner_id: str
    account_id: UUID | None = None
    pipeline_id: UUID
    stage_id: UUID
    changes: DealChanges
    updated_at: datetime
    updated_by: str


class DealCloseRequested(IntegrationEvent):
    """A CSM or Support user asks Sales to mark a deal won or lost, with the signed offer."""

    event_type: ClassVar[str] = "crm.deals.deal_close_requested.v1"
    subject_field: ClassVar[str] = "deal_id"

    request_id: UUID
    deal_id: UUID
    title: str
    outcome: Literal["won", "lost"]
    amount_minor: int = Field(ge=0, description="The deal's amount when asked")
    signed_amount_minor: int | None = Field(None, ge=0)
    currency: str
    reason: str | None = Field(None, description="Why it was lost, for a loss")
    owner_id: str
    account_id: UUID | None = None
    requested_by: str
    requested_at: datetime


class DealCloseRequestDecided(IntegrationEvent):
    """Sales approved or rejected a close request; the requester is told."""

    event_type: ClassVar[str] = "crm.deals.deal_close_request_decided.v1"
    subject_field: ClassVar[str] = "deal_id"

    request_id: UUID
    deal_id: UUID
    title: str
    outcome: Literal["won", "lost"]
    decision: Literal["approved", "rejected"]
    amount_minor: int = Field(ge=0)
    signed_amount_minor: int | None = Field(None, ge=0)
    currency: str
    note: str | None = None
    owner_id: str
    account_id: UUID | None = None
    requested_by: str
    decided_by: str
    decided_at: datetime


class DealReviewSuggested(IntegrationEvent):
    """A deal of a prospect account was won: its other open deals deserve a look from their owners."""

    event_type: ClassVar[str] = "crm.deals.deal_review_suggested.v1"
    subject_field: ClassVar[str] = "deal_id"

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
