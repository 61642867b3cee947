"""Events published by the deals service on `crm.deals.events`."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from crm_shared.events.base import IntegrationEvent


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
