"""HTTP schemas of history, forecast and reports; each report also gives its CSV rows (header first)."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from crm_deals.domain.reporting import ForecastGroup, Period, Sums, WonLostGroup
from crm_deals.entrypoints.schemas import DealPublic
from crm_deals.service_layer.forecast import Forecast
from crm_deals.service_layer.reports import ConversionReport, DealHistory, PipelineSnapshot, WonLostReport

NET = "net of VAT and media purchases, in minor units"
FIGURES = ["currency", "count", "amount_minor", "weighted_minor", "best_case_minor", "worst_case_minor"]


def _cells(*values: Any) -> list[str]:
    return ["" if v is None else str(v) for v in values]


class AmountsPublic(BaseModel):
    currency: str
    count: int
    amount_minor: int = Field(description=f"Sum of the amounts, {NET}")
    weighted_minor: int = Field(
        description="Sum of amount * probability / 100, rounded half-even once for the line"
    )
    best_case_minor: int = Field(
        description="Sum of the best cases, a deal without one counting at its amount: every deal won "
        "at its best amount"
    )
    worst_case_minor: int = Field(
        description="Sum of the worst cases, a deal without one counting at its amount: every deal won "
        "at its lowest agreed amount (not weighted; weighted_minor is the probable figure)"
    )

    @classmethod
    def of(cls, currency: str, sums: Sums, **more: Any) -> Any:
        return cls(currency=currency, **{f: getattr(sums, f) for f in FIGURES[1:]}, **more)

    def figures(self) -> list[str]:
        return _cells(*(getattr(self, f) for f in FIGURES))


class ForecastLinePublic(AmountsPublic):
    month: str = Field(description="YYYY-MM of the expected close, or `undated`")
    key: str | None = Field(description="Owner id, team or pipeline id (null: no team)")
    label: str | None = Field(description="The pipeline's name when grouped by pipeline, else the key")


class ForecastPublic(BaseModel):
    group_by: ForecastGroup
    from_month: str | None
    to_month: str | None
    include_undated: bool
    lines: list[ForecastLinePublic] = Field(description="By month (undated last), group, currency")
    totals: list[AmountsPublic] = Field(description="All lines, per currency")

    @classmethod
    def of(cls, forecast: Forecast) -> "ForecastPublic":
        query = forecast.query
        return cls(
            group_by=query.group_by,
            from_month=None if query.first_month is None else f"{query.first_month:%Y-%m}",
            to_month=None if query.last_month is None else f"{query.last_month:%Y-%m}",
            include_undated=query.include_undated,
            lines=[
                ForecastLinePublic.of(
                    line.currency, line.sums, month=line.month, key=line.key, label=line.label
                )
                for line in forecast.lines
            ],
            totals=[AmountsPublic.of(c, s) for c, s in forecast.totals.items()],
        )

    def csv(self) -> list[list[str]]:
        header = ["month", self.group_by.value, "label", *FIGURES]
        return [header, *(_cells(x.month, x.key, x.label) + x.figures() for x in self.lines)]


class WonLostLinePublic(BaseModel):
    period: str = Field(description="2026-W05, 2026-03 or 2026-Q1")
    period_start: date
    key: str | None = Field(description="Owner id, lost reason (null for won deals) or pipeline id")
    label: str | None
    currency: str
    won_count: int
    won_amount_minor: int = Field(description=NET)
    lost_count: int
    lost_amount_minor: int = Field(description=NET)
    win_rate: float | None = Field(description="won / (won + lost), by count, four places")


class WonLostPublic(BaseModel):
    period: Period
    group_by: WonLostGroup
    start: date | None = Field(description="First day of the first period (closing dates in UTC)")
    end: date | None = Field(description="First day after the last period")
    lines: list[WonLostLinePublic]

    @classmethod
    def of(cls, report: WonLostReport) -> "WonLostPublic":
        query = report.query
        lines = [
            WonLostLinePublic.model_validate(
                vars(x)
                | {"won_count": x.won.count, "won_amount_minor": x.won.amount_minor, "win_rate": x.win_rate}
                | {"lost_count": x.lost.count, "lost_amount_minor": x.lost.amount_minor}
            )
            for x in report.lines
        ]
        return cls(
            period=query.period, group_by=query.group_by, start=query.start, end=query.end, lines=lines
        )

    def csv(self) -> list[list[str]]:
        header = ["period", "period_start", self.group_by.value, "label", "currency"]
        header += ["won_count", "won_amount_minor", "lost_count", "lost_amount_minor", "win_rate"]
        return [header, *(_cells(*x.model_dump().values()) for x in self.lines)]


class StageConversionPublic(BaseModel):
    stage_id: UUID
    name: str
    kind: str
    position: int
    entered: int = Field(description="Deals that entered the stage in the range")
    converted: int | None = Field(
        description="Of those, deals that later reached a later open stage or won (open stages only)"
    )
    conversion_rate: float | None = Field(description="converted / entered, four places")
    left: int = Field(description="Stays begun in the range that have ended")
    still_in_stage: int = Field(description="Stays begun in the range still running")
    average_seconds: int | None = Field(description="Average length of the ended stays")


class StageConversionReportPublic(BaseModel):
    pipeline_id: UUID
    pipeline_name: str
    from_day: date | None
    to_day: date | None
    stages: list[StageConversionPublic] = Field(description="In board order")

    @classmethod
    def of(cls, report: ConversionReport) -> "StageConversionReportPublic":
        stages = []
        for stage in report.stages:
            values = vars(stage.counts) | {"conversion_rate": stage.conversion_rate}
            values["converted"] = stage.counts.converted if stage.counts.kind == "open" else None
            stages.append(
                StageConversionPublic.model_validate(values | {"average_seconds": stage.average_seconds})
            )
        pipeline = report.pipeline
        return cls(
            pipeline_id=pipeline.id,
            pipeline_name=pipeline.name,
            from_day=report.first,
            to_day=report.last,
            stages=stages,
        )

    def csv(self) -> list[list[str]]:
        header = list(StageConversionPublic.model_fields)
        return [header, *(_cells(*s.model_dump().values()) for s in self.stages)]


class SnapshotAmountPublic(BaseModel):
    currency: str
    count: int
    amount_minor: int = Field(description=f"As the deals stood at the instant, {NET}")
    weighted_minor: int = Field(description="With the probabilities of the instant, half-even")


class SnapshotStagePublic(BaseModel):
    stage_id: UUID
    name: str
    kind: str
    position: int | None = Field(description="null: a stage deleted since")
    count: int
    amounts: list[SnapshotAmountPublic] = Field(description="Per currency")


class PipelineSnapshotPublic(BaseModel):
    pipeline_id: UUID
    pipeline_name: str
    at: datetime
    stages: list[SnapshotStagePublic]
    totals: list[SnapshotAmountPublic]

    @classmethod
    def of(cls, snapshot: PipelineSnapshot) -> "PipelineSnapshotPublic":
        stages = [
            SnapshotStagePublic(
                stage_id=s.stage_id,
                name=s.name,
                kind=s.kind,
                position=s.position,
                count=s.count,
                amounts=_amounts(s.amounts),
            )
            for s in snapshot.stages
        ]
        pipeline = snapshot.pipeline
        totals = _amounts(snapshot.totals)
        return cls(
            pipeline_id=pipeline.id, pipeline_name=pipeline.name, at=snapshot.at, stages=stages, totals=totals
        )

    def csv(self) -> list[list[str]]:
        """A line per stage and currency; an empty stage has one line without currency."""
        header = [
            "stage_id",
            "stage",
            "kind",
            "position",
            "currency",
            "count",
            "amount_minor",
            "weighted_minor",
        ]
        rows = [header]
        for s in self.stages:
            figures: list[tuple[Any, ...]] = [
                (a.currency, a.count, a.amount_minor, a.weighted_minor) for a in s.amounts
            ]
            for line in figures or [(None, 0, 0, 0)]:
                rows.append(_cells(s.stage_id, s.name, s.kind, s.position, *line))
        return rows


def _amounts(sums: dict[str, Sums]) -> list[SnapshotAmountPublic]:
    return [
        SnapshotAmountPublic(
            currency=c, count=s.count, amount_minor=s.amount_minor, weighted_minor=s.weighted_minor
        )
        for c, s in sorted(sums.items())
    ]


class StagePeriodPublic(BaseModel):
    pipeline_id: UUID
    stage_id: UUID
    stage_name: str = Field(description="As it was named then")
    stage_kind: str
    entered_at: datetime
    entered_by: str
    left_at: datetime | None = Field(description="null: the deal is still there")
    seconds: int = Field(description="Time in the stage; until now for the current one")


class StageTimePublic(BaseModel):
    pipeline_id: UUID
    stage_id: UUID
    stage_name: str
    visits: int
    seconds: int = Field(description="Total over every visit")


class RevisionPublic(BaseModel):
    version: int
    at: datetime
    by: str
    changed: dict[str, tuple[Any, Any]] = Field(
        description="field: [before, after] against the previous revision (empty for the first)"
    )


class DealHistoryPublic(BaseModel):
    deal_id: UUID
    now: datetime = Field(description="Until when current stays are counted")
    periods: list[StagePeriodPublic] = Field(description="In order of entry")
    time_in_stages: list[StageTimePublic] = Field(description="In order of first entry")
    revisions: list[RevisionPublic]

    @classmethod
    def of(cls, history: DealHistory) -> "DealHistoryPublic":
        periods = [
            StagePeriodPublic.model_validate(vars(p) | {"seconds": p.seconds(history.now)})
            for p in history.periods
        ]
        totals = [StageTimePublic.model_validate(t, from_attributes=True) for t in history.time_in_stages]
        revisions = [RevisionPublic.model_validate(vars(r)) for r in history.revisions]
        return cls(
            deal_id=history.deal_id,
            now=history.now,
            periods=periods,
            time_in_stages=totals,
            revisions=revisions,
        )


class DealAsOfPublic(BaseModel):
    at: datetime = Field(description="The instant asked for")
    version: int = Field(description="The revision in force then")
    revised_at: datetime
    revised_by: str
    deal: DealPublic
