"""Read-only queries of history, forecast and reports: grouped in PostgreSQL, one statement each."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Numeric,
    Select,
    String,
    and_,
    cast,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_deals.adapters.tables import deal_revisions, deals
from crm_deals.domain.model import DealStatus
from crm_deals.domain.reporting import (
    ForecastGroup,
    ForecastQuery,
    Period,
    StageCounts,
    Sums,
    WonLostGroup,
    WonLostQuery,
    utc_midnight,
)


@dataclass(frozen=True)
class Revision:
    version: int
    at: datetime
    by: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class ForecastRow:
    month: date | None
    key: str | None
    currency: str
    sums: Sums


@dataclass(frozen=True)
class WonLostRow:
    period_start: date
    key: str | None
    currency: str
    won: Sums
    lost: Sums


@dataclass(frozen=True)
class SnapshotRow:
    stage_id: UUID
    stage_name: str
    stage_kind: str
    currency: str
    sums: Sums


FORECAST_KEYS = {
    ForecastGroup.OWNER: deals.c.owner_id,
    ForecastGroup.TEAM: deals.c.team,
    ForecastGroup.PIPELINE: cast(deals.c.pipeline_id, String),
}
WON_LOST_KEYS = {
    WonLostGroup.OWNER: deals.c.owner_id,
    WonLostGroup.REASON: deals.c.lost_reason,
    WonLostGroup.PIPELINE: cast(deals.c.pipeline_id, String),
}


def _month_of(day: ColumnElement[Any]) -> ColumnElement[date]:
    # A date as a plain timestamp: date_trunc then ignores the session's time zone.
    return cast(func.date_trunc("month", cast(day, DateTime())), Date)


def _utc_period(moment: ColumnElement[Any], period: Period) -> ColumnElement[date]:
    return cast(func.date_trunc(period.value, func.timezone("UTC", moment)), Date)


def forecast_statement(query: ForecastQuery) -> Select[Any]:
    month, key = _month_of(deals.c.expected_close_date), FORECAST_KEYS[query.group_by]
    amount = deals.c.amount_minor
    return (
        select(
            month.label("month"),
            key.label("key"),
            deals.c.currency,
            func.count().label("deals"),
            func.sum(amount).label("amount"),
            func.sum(cast(amount, Numeric) * deals.c.probability).label("amount_times_probability"),
            func.sum(func.coalesce(deals.c.best_case_minor, amount)).label("best_case"),
            func.sum(func.coalesce(deals.c.worst_case_minor, amount)).label("worst_case"),
        )
        .where(deals.c.status == DealStatus.OPEN.value, *_forecast_filters(query))
        .group_by(month, key, deals.c.currency)
        .order_by(month.asc().nulls_last(), key.asc().nulls_last(), deals.c.currency)
    )


def _forecast_filters(query: ForecastQuery) -> list[ColumnElement[bool]]:
    close = deals.c.expected_close_date
    bounds = [] if query.first_month is None else [close >= query.first_month]
    bounds += [] if query.end is None else [close < query.end]
    filters = _matching(
        (deals.c.pipeline_id, query.pipeline_id),
        (deals.c.owner_id, query.owner_id),
        (deals.c.team, query.team),
    )
    if bounds:
        # Both arms are ranges of the partial index ix_deals_forecast (NULLs are indexed too).
        filters.append(or_(and_(*bounds), close.is_(None)) if query.include_undated else and_(*bounds))
    elif not query.include_undated:
        filters.append(close.is_not(None))
    return filters


def _matching(*pairs: tuple[ColumnElement[Any], Any]) -> list[ColumnElement[bool]]:
    """column = value for every value given."""
    return [column == value for column, value in pairs if value is not None]


def won_lost_statement(query: WonLostQuery) -> Select[Any]:
    period, key = _utc_period(deals.c.closed_at, query.period), WON_LOST_KEYS[query.group_by]
    won, lost = deals.c.status == DealStatus.WON.value, deals.c.status == DealStatus.LOST.value
    filters: list[ColumnElement[bool]] = [deals.c.status.in_([DealStatus.WON.value, DealStatus.LOST.value])]
    filters += [] if query.start is None else [deals.c.closed_at >= utc_midnight(query.start)]
    filters += [] if query.end is None else [deals.c.closed_at < utc_midnight(query.end)]
    filters += _matching((deals.c.pipeline_id, query.pipeline_id), (deals.c.owner_id, query.owner_id))
    return (
        select(
            period.label("period"),
            key.label("key"),
            deals.c.currency,
            func.count().filter(won).label("won_count"),
            func.coalesce(func.sum(deals.c.amount_minor).filter(won), 0).label("won_amount"),
            func.count().filter(lost).label("lost_count"),
            func.coalesce(func.sum(deals.c.amount_minor).filter(lost), 0).label("lost_amount"),
        )
        .where(*filters)
        .group_by(period, key, deals.c.currency)
        .order_by(period, key.asc().nulls_last(), deals.c.currency)
    )


# Deals standing in each stage of a pipeline at :at (the periods holding the instant), with the
# amounts of each deal's latest revision at that instant: what it was worth then, not now.
SNAPSHOT = text(
    """
SELECT p.stage_id, min(p.stage_name) AS stage_name, min(p.stage_kind) AS stage_kind,
       r.snapshot ->> 'currency' AS currency, count(*) AS deals,
       sum((r.snapshot ->> 'amount_minor')::bigint) AS amount,
       sum((r.snapshot ->> 'amount_minor')::numeric * (r.snapshot ->> 'probability')::int)
           AS amount_times_probability
FROM deal_stage_periods p
JOIN LATERAL (
    SELECT snapshot FROM deal_revisions
    WHERE deal_id = p.deal_id AND at <= :at
    ORDER BY version DESC LIMIT 1
) r ON true
WHERE p.pipeline_id = :pipeline_id AND p.entered_at <= :at AND (p.left_at IS NULL OR p.left_at > :at)
GROUP BY p.stage_id, r.snapshot ->> 'currency'
"""
)


# Per stage of the pipeline: deals that entered it in [start, end) (counted once per deal), how many
# of them later reached a later open stage (in the current order) or won in this pipeline, and how
# long the stays begun in the range lasted.
CONVERSION = text(
    """
WITH entries AS (
    SELECT p.deal_id, p.stage_id, min(p.entered_at) AS first_entered
    FROM deal_stage_periods p
    WHERE p.pipeline_id = :pipeline_id AND p.entered_at >= :start AND p.entered_at < :end
    GROUP BY p.deal_id, p.stage_id
), counts AS (
    SELECT e.stage_id, count(*) AS entered, count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM deal_stage_periods later LEFT JOIN stages later_stage ON later_stage.id = later.stage_id
        WHERE later.deal_id = e.deal_id AND later.pipeline_id = :pipeline_id
          AND later.entered_at > e.first_entered
          AND (later.stage_kind = 'won' OR (later.stage_kind = 'open' AND later_stage.position > s.position))
    )) AS converted
    FROM entries e JOIN stages s ON s.id = e.stage_id
    GROUP BY e.stage_id
), durations AS (
    SELECT p.stage_id, count(p.left_at) AS left_count, count(*) FILTER (WHERE p.left_at IS NULL) AS still,
           coalesce(sum(extract(epoch FROM p.left_at - p.entered_at)), 0) AS seconds_left
    FROM deal_stage_periods p
    WHERE p.pipeline_id = :pipeline_id AND p.entered_at >= :start AND p.entered_at < :end
    GROUP BY p.stage_id
)
SELECT s.id, s.name, s.kind, s.position, coalesce(c.entered, 0) AS entered,
       coalesce(c.converted, 0) AS converted, coalesce(d.left_count, 0) AS left_count,
       coalesce(d.still, 0) AS still, coalesce(d.seconds_left, 0) AS seconds_left
FROM stages s
LEFT JOIN counts c ON c.stage_id = s.id
LEFT JOIN durations d ON d.stage_id = s.id
WHERE s.pipeline_id = :pipeline_id
ORDER BY s.position
"""
)


class ReportQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def revisions(self, deal_id: UUID) -> list[Revision]:
        query = self._revision_query(deal_id).order_by(deal_revisions.c.version)
        return [Revision(*row) for row in await self._connection.execute(query)]

    async def revision_at(self, deal_id: UUID, at: datetime) -> Revision | None:
        query = (
            self._revision_query(deal_id)
            .where(deal_revisions.c.at <= at)
            .order_by(deal_revisions.c.version.desc())
            .limit(1)
        )
        row = (await self._connection.execute(query)).first()
        return None if row is None else Revision(*row)

    async def forecast(self, query: ForecastQuery) -> list[ForecastRow]:
        # Grouping every open deal: in memory, not in a sort spilled to disk (this transaction only).
        await self._connection.execute(text("SET LOCAL work_mem = '64MB'"))
        rows = await self._connection.execute(forecast_statement(query))
        return [ForecastRow(r.month, r.key, r.currency, _sums(r)) for r in rows]

    async def won_lost(self, query: WonLostQuery) -> list[WonLostRow]:
        rows = await self._connection.execute(won_lost_statement(query))
        return [
            WonLostRow(
                r.period,
                r.key,
                r.currency,
                won=Sums(count=r.won_count, amount_minor=int(r.won_amount)),
                lost=Sums(count=r.lost_count, amount_minor=int(r.lost_amount)),
            )
            for r in rows
        ]

    async def snapshot(self, pipeline_id: UUID, at: datetime) -> list[SnapshotRow]:
        rows = await self._connection.execute(SNAPSHOT, {"pipeline_id": pipeline_id, "at": at})
        return [SnapshotRow(r.stage_id, r.stage_name, r.stage_kind, r.currency, _sums(r)) for r in rows]

    async def conversion(self, pipeline_id: UUID, start: datetime, end: datetime) -> list[StageCounts]:
        values = {"pipeline_id": pipeline_id, "start": start, "end": end}
        rows = await self._connection.execute(CONVERSION, values)
        return [
            StageCounts(
                stage_id=r.id,
                name=r.name,
                kind=r.kind,
                position=r.position,
                entered=r.entered,
                converted=r.converted,
                left=r.left_count,
                still_in_stage=r.still,
                seconds_left=r.seconds_left,
            )
            for r in rows
        ]

    @staticmethod
    def _revision_query(deal_id: UUID) -> Select[Any]:
        columns = deal_revisions.c
        return select(columns.version, columns.at, columns.by, columns.snapshot).where(
            columns.deal_id == deal_id
        )


def _sums(row: Any) -> Sums:
    """Sums of a grouped row; PostgreSQL sums bigints as numeric, so they come back as Decimal."""
    mapping = row._mapping
    return Sums(
        count=mapping["deals"],
        amount_minor=int(mapping["amount"]),
        amount_times_probability=int(mapping["amount_times_probability"]),
        best_case_minor=int(mapping.get("best_case", 0)),
        worst_case_minor=int(mapping.get("worst_case", 0)),
    )
