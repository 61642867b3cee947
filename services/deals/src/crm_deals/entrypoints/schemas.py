"""HTTP schemas of the deals API, separate from tables and domain classes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from crm_deals.domain.model import Deal, DealStatus, Pipeline, StageKind


class DealPublic(BaseModel):
    id: UUID
    title: str
    amount_minor: int = Field(description="Net of VAT and media purchases, in minor units (cents)")
    currency: str
    pipeline_id: UUID
    stage_id: UUID
    probability: int
    status: DealStatus
    owner_id: str
    account_id: UUID | None
    contact_id: UUID | None
    lead_id: UUID | None
    lost_reason: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    version: int

    @classmethod
    def of(cls, deal: Deal) -> "DealPublic":
        return cls.model_validate(deal, from_attributes=True)


class DealLose(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=1000)


class StagePublic(BaseModel):
    id: UUID
    name: str
    position: int
    probability: int
    kind: StageKind


class PipelinePublic(BaseModel):
    id: UUID
    name: str
    currency: str
    stages: list[StagePublic]

    @classmethod
    def of(cls, pipeline: Pipeline) -> "PipelinePublic":
        return cls.model_validate(pipeline, from_attributes=True)
