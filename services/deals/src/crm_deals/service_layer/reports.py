"""Read use cases of history and reports: a deal's stage history and past states, won and lost by
period, stage conversion and a pipeline as it stood at an instant. Every role that reads deals reads them."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from crm_deals.adapters.report_queries import Revision
from crm_deals.domain.pipelines import Pipeline
from crm_deals.domain.reporting import (
    StageConversion,
    StagePeriod,
    StageTime,
    Sums,
    WonLostGroup,
    WonLostQuery,
    changed_fields,
    period_label,
    rate,
    time_in_stages,
    totals_by_currency,
    whole_days,
)
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import NotFound

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)


@dataclass(frozen=True)
class RevisionChanges:
    version: int
    at: datetime
    by: str
    changed: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class DealHistory:
    deal_id: UUID
    now: datetime
    periods: list[StagePeriod]
    time_in_stages: list[StageTime]
    revisions: list[RevisionChanges]


async def deal_history(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID) -> DealHistory:
    authorize(actor, *READERS)
    await uow.deals.get(deal_id)  # an unknown deal is a 404, not an empty history
    periods = [
        StagePeriod(
            pipeline_id=r.pipeline_id,
            stage_id=r.stage_id,
            stage_name=r.stage_name,
            stage_kind=r.stage_kind,
            entered_at=r.entered_at,
            entered_by=r.entered_by,
            left_at=r.left_at,
        )
        for r in await uow.stage_periods.of_deal(deal_id)
    ]
    revisions = await uow.reports.revisions(deal_id)
    now = datetime.now(UTC)
    return DealHistory(deal_id, now, periods, time_in_stages(periods, now), _changes(revisions))


def _changes(revisions: list[Revision]) -> list[RevisionChanges]:
    before: Mapping[str, Any] | None = None
    out = []
    for revision in revisions:
        out.append(
            RevisionChanges(
                revision.version, revision.at, revision.by, changed_fields(before, revision.snapshot)
            )
        )
        before = revision.snapshot
    return out


async def deal_as_of(*, uow: DealsUnitOfWork, actor: Principal, deal_id: UUID, at: datetime) -> Revision:
    """The deal's latest saved state at `at`; 404 when the deal did not exist yet (or at all)."""
    authorize(actor, *READERS)
    revision = await uow.reports.revision_at(deal_id, at)
    if revision is None:
        raise NotFound("deal", f"{deal_id} as of {at.isoformat()}")
    return revision


@dataclass(frozen=True)
class WonLostLine:
    period_start: date
    period: str
    key: str | None
    label: str | None
    currency: str
    won: Sums
    lost: Sums

    @property
    def win_rate(self) -> Decimal | None:
        return rate(self.won.count, self.won.count + self.lost.count)


@dataclass(frozen=True)
class WonLostReport:
    query: WonLostQuery
    lines: list[WonLostLine]


async def won_lost(*, uow: DealsUnitOfWork, actor: Principal, query: WonLostQuery) -> WonLostReport:
    authorize(actor, *READERS)
    rows = await uow.reports.won_lost(query)
    names = await pipeline_names(uow) if query.group_by is WonLostGroup.PIPELINE else {}
    lines = [
        WonLostLine(
            r.period_start,
            period_label(r.period_start, query.period),
            r.key,
            names.get(r.key, r.key) if r.key is not None else None,
            r.currency,
            r.won,
            r.lost,
        )
        for r in rows
    ]
    return WonLostReport(query, lines)


@dataclass(frozen=True)
class ConversionReport:
    pipeline: Pipeline
    first: date | None
    last: date | None
    stages: list[StageConversion]


async def stage_conversion(
    *, uow: DealsUnitOfWork, actor: Principal, pipeline_id: UUID, first: date | None, last: date | None
) -> ConversionReport:
    """Deals entering each stage between `first` and `last` (whole days, UTC), and how they went on."""
    authorize(actor, *READERS)
    start, end = whole_days(first, last)
    pipeline = await uow.pipelines.get(pipeline_id)
    counts = await uow.reports.conversion(pipeline_id, start, end)
    return ConversionReport(pipeline, first, last, [StageConversion.of(c) for c in counts])


@dataclass
class SnapshotStage:
    stage_id: UUID
    name: str
    kind: str
    position: int | None  # None: a stage deleted since
    amounts: dict[str, Sums] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(s.count for s in self.amounts.values())


@dataclass(frozen=True)
class PipelineSnapshot:
    pipeline: Pipeline
    at: datetime
    stages: list[SnapshotStage]

    @property
    def totals(self) -> dict[str, Sums]:
        return totals_by_currency((c, s) for stage in self.stages for c, s in stage.amounts.items())


async def pipeline_snapshot(
    *, uow: DealsUnitOfWork, actor: Principal, pipeline_id: UUID, at: datetime
) -> PipelineSnapshot:
    """Every current stage (empty ones too) in board order, then stages deleted since that held deals."""
    authorize(actor, *READERS)
    pipeline = await uow.pipelines.get(pipeline_id)
    stages = {s.id: SnapshotStage(s.id, s.name, s.kind.value, s.position) for s in pipeline.ordered}
    for row in await uow.reports.snapshot(pipeline_id, at):
        stage = stages.setdefault(
            row.stage_id, SnapshotStage(row.stage_id, row.stage_name, row.stage_kind, None)
        )
        stage.amounts[row.currency] = row.sums
    return PipelineSnapshot(pipeline, at, list(stages.values()))


async def pipeline_names(uow: DealsUnitOfWork) -> dict[str, str]:
    """Names of every pipeline, archived ones included, by id as text (the reports' group keys)."""
    return {str(p.id): p.name for p in await uow.pipelines.all(include_archived=True)}
