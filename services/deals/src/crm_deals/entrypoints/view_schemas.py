"""HTTP schemas of deal lists, the board and CSV exports: query parameters, board figures, CSV columns."""

from collections.abc import Mapping, Sequence
from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from crm_deals.domain.deal_query import Board, BoardColumn, CurrencyTotal, DealFilters, DealSort
from crm_deals.domain.model import Deal, DealStatus
from crm_deals.domain.pipelines import StageKind
from crm_deals.entrypoints.schemas import DealPublic
from crm_shared import money
from crm_shared.pagination import MAX_PAGE_SIZE

RANK_CONTINUATION = "Continue with GET /v1/deals?stage_id=<stage id>&sort=rank&cursor=<this> (same filters)"


class DealFilterQuery(BaseModel):
    """Filters of deal lists, exports and boards; every filter given must hold."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    mine: bool = Field(False, description="Only the caller's deals (my deals)")
    status: list[DealStatus] = Field(default_factory=list, max_length=3, description="Any of (repeatable)")
    owner_id: str | None = Field(None, min_length=1, max_length=128)
    team: str | None = Field(None, min_length=1, max_length=128)
    account_id: UUID | None = None
    contact_id: UUID | None = Field(None, description="The primary or a secondary contact")
    amount_min: int | None = Field(None, ge=0, description="Inclusive, minor units of the deal's currency")
    amount_max: int | None = Field(None, ge=0, description="Inclusive, minor units of the deal's currency")
    close_from: date | None = Field(None, description="Expected close date, inclusive")
    close_to: date | None = Field(None, description="Expected close date, inclusive")
    tags: list[str] = Field(default_factory=list, max_length=20, description="All of (repeatable)")
    q: str | None = Field(None, min_length=1, max_length=100, description="Text in the title or description")
    needs_review: bool | None = Field(None, description="Flagged for review after a won deal")

    def filters(self, *, pipeline_id: UUID | None = None, stage_id: UUID | None = None) -> DealFilters:
        return DealFilters(
            statuses=tuple(self.status),
            mine=self.mine,
            pipeline_id=pipeline_id,
            stage_id=stage_id,
            owner_id=self.owner_id,
            team=self.team,
            account_id=self.account_id,
            contact_id=self.contact_id,
            amount_min=self.amount_min,
            amount_max=self.amount_max,
            close_from=self.close_from,
            close_to=self.close_to,
            tags=tuple(self.tags),
            text=self.q,
            needs_review=self.needs_review,
        )


class BoardQuery(DealFilterQuery):
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description="Deals shown per stage")


class DealSearchQuery(DealFilterQuery):
    pipeline_id: UUID | None = None
    stage_id: UUID | None = None
    sort: DealSort = Field(DealSort.CREATED_DESC, description="A leading '-' sorts descending")

    def search_filters(self) -> DealFilters:
        return self.filters(pipeline_id=self.pipeline_id, stage_id=self.stage_id)


class DealListQuery(DealSearchQuery):
    cursor: str | None = Field(None, max_length=4096, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class CurrencyTotalPublic(BaseModel):
    currency: str
    count: int
    amount_minor: int = Field(description="Net of VAT and media purchases, minor units")
    weighted_minor: int = Field(description="Sum of amount x probability / 100")


class BoardStagePublic(BaseModel):
    id: UUID
    name: str
    kind: StageKind
    position: int
    probability: int = Field(description="Default probability (%) of the stage")
    count: int
    currency: str | None = Field(description="The currency of the stage's sums; null when its deals mix some")
    amount_minor: int | None = Field(description="Null when the stage mixes currencies: see amounts")
    weighted_minor: int | None = Field(description="Null when the stage mixes currencies: see amounts")
    amounts: list[CurrencyTotalPublic] = Field(description="Count and sums per currency")
    deals: list[DealPublic] = Field(description="The first deals of the stage, in kanban order")
    next_cursor: str | None = Field(description=RANK_CONTINUATION)

    @classmethod
    def of(cls, column: BoardColumn, *, default_currency: str) -> "BoardStagePublic":
        stage, totals = column.stage, column.totals
        # One sum only where it means something: an empty stage, or deals of a single currency.
        single = totals[0] if len(totals) == 1 else CurrencyTotal(default_currency, 0, 0, 0)
        mixed = len(totals) > 1
        return cls(
            id=stage.id,
            name=stage.name,
            kind=stage.kind,
            position=stage.position,
            probability=stage.probability,
            count=column.count,
            currency=None if mixed else single.currency,
            amount_minor=None if mixed else single.amount_minor,
            weighted_minor=None if mixed else single.weighted_minor,
            amounts=[CurrencyTotalPublic.model_validate(t, from_attributes=True) for t in totals],
            deals=[DealPublic.of(deal) for deal in column.page.deals],
            next_cursor=column.page.next_cursor,
        )


class BoardPublic(BaseModel):
    pipeline_id: UUID
    name: str
    currency: str
    archived: bool
    stages: list[BoardStagePublic] = Field(description="In board order")

    @classmethod
    def of(cls, board: Board) -> "BoardPublic":
        pipeline = board.pipeline
        return cls(
            pipeline_id=pipeline.id,
            name=pipeline.name,
            currency=pipeline.currency,
            archived=pipeline.archived,
            stages=[BoardStagePublic.of(c, default_currency=pipeline.currency) for c in board.columns],
        )


# CSV export: one row per deal. Amounts as decimals in the deal's currency; lists `; `-separated.
CSV_COLUMNS = (
    "id", "title", "status", "pipeline", "stage", "amount", "currency", "best_case", "worst_case",
    "probability", "score", "expected_close_date", "owner_id", "team", "account_id", "contact_id",
    "contact_ids", "tags", "lead_id", "lost_reason", "recontact_on", "needs_review", "created_at",
    "updated_at", "closed_at", "description",
)  # fmt: skip


def decimal_amount(amount_minor: int | None, currency: str) -> str:
    """`123450` EUR -> `1234.50` (an empty cell when there is no amount)."""
    return "" if amount_minor is None else money.decimal_amount(amount_minor, currency)


def csv_row(deal: Deal, names: Mapping[UUID, tuple[str, str]]) -> list[str]:
    """The cells of `deal`; `names` maps a stage id to its pipeline's name and its own."""
    pipeline, stage = names.get(deal.stage_id, ("", ""))
    money = {
        "pipeline": pipeline,
        "stage": stage,
        "amount": decimal_amount(deal.amount_minor, deal.currency),
        "best_case": decimal_amount(deal.best_case_minor, deal.currency),
        "worst_case": decimal_amount(deal.worst_case_minor, deal.currency),
    }
    return [money[name] if name in money else _cell(getattr(deal, name)) for name in CSV_COLUMNS]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "; ".join(str(v) for v in value)
    return str(value)
