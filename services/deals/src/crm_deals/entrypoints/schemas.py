"""HTTP schemas of the deals API, separate from tables and domain classes."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from crm_deals.domain.model import Deal, DealStatus
from crm_deals.domain.pipelines import Pipeline, StageKind, StageSpec


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
    probability: int = Field(description="Default probability (%) of deals entering the stage")
    kind: StageKind


class PipelineSettingsPublic(BaseModel):
    proposal_stage_id: UUID | None = Field(description="Where a deal moves when a quote is sent")
    win_when_order_confirmed: bool
    is_renewal_pipeline: bool = Field(
        description="Renewal deals (from contracts nearing their end) open here"
    )
    title_date_prefix: bool = Field(description="Deal titles start with YYYY/MM/DD")
    is_cold_leads_pipeline: bool = Field(description="Deals lost with potential wait here to be recontacted")


class PipelinePublic(BaseModel):
    id: UUID
    name: str
    currency: str
    team: str | None
    archived: bool = Field(description="Archived pipelines are read-only")
    is_default: bool = Field(description="Converted leads open their deal here")
    settings: PipelineSettingsPublic
    stages: list[StagePublic] = Field(description="In board order")
    version: int

    @classmethod
    def of(cls, pipeline: Pipeline) -> "PipelinePublic":
        data = {f: getattr(pipeline, f) for f in ("id", "name", "currency", "team", "archived", "is_default")}
        return cls.model_validate(
            data
            | {
                "version": pipeline.version,
                "settings": asdict(pipeline.settings),
                "stages": [asdict(s) for s in pipeline.ordered],
            }
        )


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def changes(self, *, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
        """Fields sent; an explicit null only where null means something (e.g. no team)."""
        sent = self.model_dump(exclude_unset=True)
        return {k: v for k, v in sent.items() if v is not None or k in nullable}


Name = Annotated[str, Field(min_length=1, max_length=255)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
Probability = Annotated[int, Field(ge=0, le=100)]


class StageCreate(_Input):
    name: Name
    probability: Probability
    kind: StageKind = StageKind.OPEN
    position: int | None = Field(None, ge=0, description="Default: after the open stages")

    def spec(self) -> StageSpec:
        return StageSpec(self.name, self.probability, self.kind)


class StageUpdate(_Input):
    name: Name | None = None
    probability: Probability | None = None
    kind: StageKind | None = None


class StageOrder(_Input):
    stage_ids: list[UUID] = Field(min_length=1, description="Every stage of the pipeline, in the new order")


class PipelineSettingsCreate(_Input):
    proposal_stage: str | None = Field(None, description="Name of one of the stages given")
    win_when_order_confirmed: bool = False
    is_renewal_pipeline: bool = False
    title_date_prefix: bool = False
    is_cold_leads_pipeline: bool = False


class PipelineCreate(_Input):
    name: Name
    currency: Currency = "EUR"
    team: str | None = Field(None, max_length=128, description="Owner team")
    stages: list[StageCreate] = Field(min_length=3, description="In board order")
    settings: PipelineSettingsCreate = PipelineSettingsCreate()


class PipelineSettingsUpdate(_Input):
    proposal_stage_id: UUID | None = None
    win_when_order_confirmed: bool | None = None
    is_renewal_pipeline: bool | None = None
    title_date_prefix: bool | None = None
    is_cold_leads_pipeline: bool | None = None


class PipelineUpdate(_Input):
    name: Name | None = None
    currency: Currency | None = None
    team: str | None = Field(None, max_length=128)
    settings: PipelineSettingsUpdate | None = None

    def pipeline_changes(self) -> dict[str, Any]:
        changes = self.changes(nullable=frozenset({"team"}))
        if self.settings is not None:
            changes["settings"] = self.settings.changes(nullable=frozenset({"proposal_stage_id"}))
        return changes
