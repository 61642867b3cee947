"""HTTP schemas of the deals API, separate from tables and domain classes.

Amounts are in minor units (cents) and net of VAT and media purchases.
"""

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crm_deals.domain.model import Deal, DealStatus
from crm_deals.domain.pipelines import Pipeline, StageKind, StageSpec

AMOUNT = "Net of VAT and media purchases, in minor units (cents)"


class DealPublic(BaseModel):
    id: UUID
    title: str
    description: str | None
    amount_minor: int = Field(description=AMOUNT)
    currency: str = Field(description="ISO 4217")
    best_case_minor: int | None = Field(description=f"Best case; {AMOUNT}")
    worst_case_minor: int | None = Field(description=f"Worst case; {AMOUNT}")
    pipeline_id: UUID
    stage_id: UUID
    probability: int = Field(description="Percent; the stage's default unless overridden")
    probability_overridden: bool
    status: DealStatus
    score: int | None = Field(description="0 to 5")
    expected_close_date: date | None
    owner_id: str
    team: str | None
    account_id: UUID | None
    contact_id: UUID | None = Field(description="Primary contact")
    contact_ids: list[UUID] = Field(description="Secondary contacts")
    lead_id: UUID | None = Field(description="The lead this deal was converted from")
    tags: list[str]
    lost_reason: str | None
    recontact_on: date | None
    follow_up_of: UUID | None = Field(description="The lost deal this one follows up (cold leads)")
    renewal_of_contract: UUID | None = Field(description="The contract this deal renews")
    renewal_start: date | None
    rank: float = Field(description="Position within its stage on the board, ascending")
    needs_review: bool = Field(description="Flagged for its owner to review (see review_reason)")
    review_reason: str | None
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime
    stage_entered_at: datetime
    closed_at: datetime | None
    version: int = Field(description="Also the ETag; send it back in If-Match")

    @classmethod
    def of(cls, deal: Deal) -> "DealPublic":
        return cls.model_validate(deal, from_attributes=True)


class DealLostPublic(DealPublic):
    follow_up_deal_id: UUID | None = Field(description="The cold-leads deal opened when lost with potential")


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


Title = Annotated[str, Field(min_length=1, max_length=255)]
Amount = Annotated[int, Field(ge=0, description=AMOUNT)]
UserRef = Annotated[str, Field(min_length=1, max_length=128)]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
NOT_NULL = ("title", "amount_minor", "currency", "owner_id", "contact_ids", "tags", "needs_review")


class _DealValues(_Input):
    """The editable fields of a deal but title and amount (`deal_values.EDITABLE`)."""

    description: str | None = Field(None, max_length=20_000)
    currency: Currency | None = Field(None, description="Default: the pipeline's currency")
    best_case_minor: Amount | None = None
    worst_case_minor: Amount | None = None
    probability: Probability | None = Field(None, description="Overrides the stage's default")
    score: int | None = Field(None, ge=0, le=5, description="0 to 5 stars")
    expected_close_date: date | None = None
    owner_id: UserRef | None = Field(None, description="An active user of deals")
    team: str | None = Field(None, max_length=128)
    account_id: UUID | None = None
    contact_id: UUID | None = Field(None, description="Primary contact")
    contact_ids: list[UUID] | None = Field(None, max_length=50, description="Secondary contacts")
    tags: list[Tag] | None = Field(None, max_length=20)
    recontact_on: date | None = None


class DealCreate(_DealValues):
    title: Title = Field(description="Dated `YYYY/MM/DD title` where the pipeline asks for it")
    amount_minor: Amount
    pipeline_id: UUID | None = Field(None, description="Default: the default pipeline")
    stage_id: UUID | None = Field(None, description="Default: the pipeline's first open stage")

    def values(self) -> dict[str, Any]:
        """The deal's fields sent (owner and team left out get their defaults; `team: null` is none)."""
        sent = self.changes(nullable=frozenset({"team"}))
        return {k: v for k, v in sent.items() if k not in ("pipeline_id", "stage_id")}


class DealUpdate(_DealValues):
    """Only the fields sent change; `null` clears an optional field, `probability: null` restores the
    stage's default. Changing the owner is for Sales."""

    title: Title | None = None
    amount_minor: Amount | None = None
    needs_review: Literal[False] | None = Field(None, description="false clears the review flag")

    @field_validator(*NOT_NULL)
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null")
        return value

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class DealMove(_Input):
    """A kanban move: into `stage_id`, between its neighbours there (none: at the bottom)."""

    stage_id: UUID
    before_id: UUID | None = Field(None, description="The deal it goes just above")
    after_id: UUID | None = Field(None, description="The deal it goes just below")


class DealPipelineMove(_Input):
    pipeline_id: UUID
    stage_id: UUID | None = Field(None, description="Default: the open stage of the same name or rank")


class DealReopen(_Input):
    stage_id: UUID | None = Field(None, description="Default: the pipeline's first open stage")


class PotentialIn(_Input):
    """A loss worth another try: a follow-up deal opens in the cold-leads pipeline."""

    recontact_on: date = Field(description="In the future")
    title: Title | None = Field(None, description="Default: the lost deal's title")
    amount_minor: Amount | None = Field(None, description=f"Default: the lost deal's amount; {AMOUNT}")
    owner_id: UserRef | None = Field(None, description="Default: the lost deal's owner")


class DealLose(_Input):
    reason: str = Field(min_length=1, max_length=1000)
    potential: PotentialIn | None = None
