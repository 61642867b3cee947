"""Stage history, state as of a date, forecast and reports. Reports and the forecast also come as CSV."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from crm_deals.domain.reporting import (
    ForecastGroup,
    ForecastQuery,
    Period,
    WonLostGroup,
    WonLostQuery,
    parse_month,
)
from crm_deals.entrypoints.report_schemas import (
    DealAsOfPublic,
    DealHistoryPublic,
    ForecastPublic,
    PipelineSnapshotPublic,
    StageConversionReportPublic,
    WonLostPublic,
)
from crm_deals.entrypoints.schemas import DealPublic
from crm_deals.service_layer import forecast, reports
from crm_shared.http.csv_cells import BOM, csv_lines
from crm_shared.runtime import BusDep

router = APIRouter(tags=["reports"])
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON, or CSV on request"},
    403: {"description": "Reading deals needs the sales, csm or support role"},
}


Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    format: Literal["json", "csv"] = Field(
        "json", description="csv: UTF-8 with a BOM, a header row, cells neutralised against formulas"
    )


class ForecastParams(_Params):
    group_by: ForecastGroup = ForecastGroup.OWNER
    from_: Month | None = Field(None, alias="from", description="First month of expected close")
    to: Month | None = Field(None, description="Last month of expected close, included")
    undated: bool = Field(True, description="Also count open deals without an expected close date")
    pipeline_id: UUID | None = None
    owner_id: str | None = Field(None, max_length=128)
    team: str | None = Field(None, max_length=128, description="The deals' team")

    def query(self) -> ForecastQuery:
        return ForecastQuery(
            group_by=self.group_by,
            first_month=None if self.from_ is None else parse_month(self.from_, "from"),
            last_month=None if self.to is None else parse_month(self.to, "to"),
            include_undated=self.undated,
            pipeline_id=self.pipeline_id,
            owner_id=self.owner_id,
            team=self.team,
        )


class WonLostParams(_Params):
    period: Period = Period.MONTH
    group_by: WonLostGroup = WonLostGroup.OWNER
    from_: date | None = Field(None, alias="from", description="Widened to the start of its period")
    to: date | None = Field(None, description="Widened to the end of its period")
    pipeline_id: UUID | None = None
    owner_id: str | None = Field(None, max_length=128)

    def query(self) -> WonLostQuery:
        filters = {"group_by": self.group_by, "pipeline_id": self.pipeline_id, "owner_id": self.owner_id}
        return WonLostQuery.between(self.from_, self.to, self.period, **filters)


class ConversionParams(_Params):
    pipeline_id: UUID
    from_: date | None = Field(None, alias="from", description="Stages entered from this day (UTC)")
    to: date | None = Field(None, description="... to this day, included")


class SnapshotParams(_Params):
    pipeline_id: UUID
    at: AwareDatetime | None = Field(None, description="The instant (with its offset); default now")


def _csv(name: str, rows: Sequence[Sequence[str]]) -> Response:
    return Response(
        BOM + csv_lines(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/deals/{deal_id}/history", summary="A deal's stage history and revisions")
async def deal_history(deal_id: UUID, bus: BusDep) -> DealHistoryPublic:
    """Every stay in a stage with its length in seconds (the current one until now), the total per
    stage, and every saved revision with the fields it changed."""
    return DealHistoryPublic.of(await bus.read(reports.deal_history, deal_id=deal_id))


@router.get(
    "/deals/{deal_id}/as-of",
    summary="A deal as it was at an instant",
    responses={404: {"description": "The deal did not exist at that instant"}},
)
async def deal_as_of(
    deal_id: UUID, bus: BusDep, at: Annotated[AwareDatetime, Query(description="ISO 8601 with offset")]
) -> DealAsOfPublic:
    revision = await bus.read(reports.deal_as_of, deal_id=deal_id, at=at)
    return DealAsOfPublic(
        at=at,
        version=revision.version,
        revised_at=revision.at,
        revised_by=revision.by,
        deal=DealPublic.model_validate(revision.snapshot),
    )


@router.get("/forecast", response_model=ForecastPublic, responses=REPORT_RESPONSES)
async def get_forecast(bus: BusDep, params: Annotated[ForecastParams, Query()]) -> Any:
    """Open deals by month of expected close (`undated` last) and by owner, team or pipeline, in each
    currency. Amounts are net of VAT and media purchases."""
    found = ForecastPublic.of(await bus.read(forecast.forecast, query=params.query()))
    return _csv("forecast", found.csv()) if params.format == "csv" else found


@router.get("/reports/won-lost", response_model=WonLostPublic, responses=REPORT_RESPONSES)
async def won_lost(bus: BusDep, params: Annotated[WonLostParams, Query()]) -> Any:
    """Deals won and lost per period of their closing (UTC) and per owner, lost reason or pipeline."""
    found = WonLostPublic.of(await bus.read(reports.won_lost, query=params.query()))
    return _csv("won-lost", found.csv()) if params.format == "csv" else found


@router.get(
    "/reports/stage-conversion", response_model=StageConversionReportPublic, responses=REPORT_RESPONSES
)
async def stage_conversion(bus: BusDep, params: Annotated[ConversionParams, Query()]) -> Any:
    """Per stage: deals that entered it in the range, how many moved on to a later stage or won,
    and the average time they stayed."""
    report = await bus.read(
        reports.stage_conversion, pipeline_id=params.pipeline_id, first=params.from_, last=params.to
    )
    found = StageConversionReportPublic.of(report)
    return _csv("stage-conversion", found.csv()) if params.format == "csv" else found


@router.get("/reports/pipeline-snapshot", response_model=PipelineSnapshotPublic, responses=REPORT_RESPONSES)
async def pipeline_snapshot(bus: BusDep, params: Annotated[SnapshotParams, Query()]) -> Any:
    """The pipeline as it stood at `at`: per stage, the deals there then and their amounts then."""
    at = params.at or datetime.now(UTC)
    found = PipelineSnapshotPublic.of(
        await bus.read(reports.pipeline_snapshot, pipeline_id=params.pipeline_id, at=at)
    )
    return _csv("pipeline-snapshot", found.csv()) if params.format == "csv" else found
