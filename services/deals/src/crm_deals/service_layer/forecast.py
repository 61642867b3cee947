"""The forecast: open deals' expected revenue by month of expected close, plain and weighted by
probability, with best and worst cases, per owner, team or pipeline, in each currency."""

from dataclasses import dataclass

from crm_deals.domain.reporting import ForecastGroup, ForecastQuery, Sums, month_label, totals_by_currency
from crm_deals.service_layer.reports import READERS, pipeline_names
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, authorize


@dataclass(frozen=True)
class ForecastLine:
    month: str  # YYYY-MM, or "undated" for deals without an expected close date
    key: str | None
    label: str | None
    currency: str
    sums: Sums


@dataclass(frozen=True)
class Forecast:
    query: ForecastQuery
    lines: list[ForecastLine]
    totals: dict[str, Sums]


async def forecast(*, uow: DealsUnitOfWork, actor: Principal, query: ForecastQuery) -> Forecast:
    authorize(actor, *READERS)
    rows = await uow.reports.forecast(query)
    names = await pipeline_names(uow) if query.group_by is ForecastGroup.PIPELINE else {}
    lines = [
        ForecastLine(
            month_label(r.month),
            r.key,
            None if r.key is None else names.get(r.key, r.key),
            r.currency,
            r.sums,
        )
        for r in rows
    ]
    return Forecast(query, lines, totals_by_currency((r.currency, r.sums) for r in rows))
