"""SQL of deal lists and boards: filters on indexed columns, keyset pagination for every sort order."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Numeric,
    Select,
    Uuid,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy import true as sql_true
from sqlalchemy import tuple_ as sql_tuple
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_deals.adapters.repositories import DealRepository
from crm_deals.adapters.tables import deals, stages
from crm_deals.domain.deal_query import CurrencyTotal, DealCursor, DealFilters, DealSort
from crm_deals.domain.model import Deal
from crm_shared.text_keys import casefold_key

# Deals without an expected close date sort last in both directions (NULLS LAST through the key itself,
# so that the keyset comparison stays one row comparison).
_NO_DATE_ASC: ColumnElement[Any] = literal_column("'infinity'::date")
_NO_DATE_DESC: ColumnElement[Any] = literal_column("'-infinity'::date")


def conditions(filters: DealFilters) -> list[ColumnElement[bool]]:
    c = deals.c
    equal = {
        "pipeline_id": filters.pipeline_id,
        "stage_id": filters.stage_id,
        "owner_id": filters.owner_id,
        "team": filters.team,
        "account_id": filters.account_id,
        "needs_review": filters.needs_review,
    }
    where: list[ColumnElement[bool]] = [
        c[name] == value for name, value in equal.items() if value is not None
    ]
    if filters.statuses:
        where.append(c.status.in_([s.value for s in filters.statuses]))
    if filters.contact_id is not None:
        # The btree index on contact_id and the GIN index on contact_ids, OR-ed by a bitmap scan.
        where.append((c.contact_id == filters.contact_id) | c.contact_ids.contains([filters.contact_id]))
    bounds = [
        (c.amount_minor, filters.amount_min, filters.amount_max),
        (c.expected_close_date, filters.close_from, filters.close_to),
    ]
    for column, low, high in bounds:
        where += [column >= low] if low is not None else []
        where += [column <= high] if high is not None else []
    if filters.tags:
        where.append(c.tags.contains(list(filters.tags)))  # served by the GIN index on tags
    if filters.text:
        # Substring of the casefolded title and description (ADR 0006), served by their trigram index.
        pattern = literal(f"%{escape_like(casefold_key(filters.text))}%")
        where.append(c.search_text.like(pattern, escape="\\"))
    return where


def sort_key(sort: DealSort) -> ColumnElement[Any]:
    column = deals.c[sort.column]
    if sort.nullable:
        return func.coalesce(column, _NO_DATE_DESC if sort.descending else _NO_DATE_ASC)
    return column


def page_query(filters: DealFilters, *, sort: DealSort, after: DealCursor | None, limit: int) -> Select[Any]:
    """`limit` rows in the sort's order, strictly past the cursor's (key, id)."""
    key, ident = sort_key(sort), deals.c.id
    query = select(deals).where(*conditions(filters))
    if after is not None:
        position = sql_tuple(key, ident)
        boundary = sql_tuple(_boundary(sort, after), literal(after.id, Uuid()))
        query = query.where(position < boundary if sort.descending else position > boundary)
    if sort.descending:
        return query.order_by(key.desc(), ident.desc()).limit(limit)
    return query.order_by(key.asc(), ident.asc()).limit(limit)


def _boundary(sort: DealSort, after: DealCursor) -> ColumnElement[Any]:
    if after.value is None:
        return _NO_DATE_DESC if sort.descending else _NO_DATE_ASC
    return literal(after.value, deals.c[sort.column].type)


def board_totals_query(stage_ids: Sequence[UUID], filters: DealFilters) -> Select[Any]:
    """Count and sums per stage and currency: one grouped query for the whole board."""
    c = deals.c
    # numeric all the way: exact, and round() of a numeric goes half away from zero.
    weighted = func.round(func.sum(c.amount_minor * c.probability) / cast(100, Numeric))
    return (
        select(
            c.stage_id,
            c.currency,
            func.count().label("count"),
            cast(func.sum(c.amount_minor), BigInteger).label("amount_minor"),
            cast(weighted, BigInteger).label("weighted_minor"),
        )
        .where(c.stage_id.in_(stage_ids), *conditions(filters))
        .group_by(c.stage_id, c.currency)
    )


def board_tops_query(stage_ids: Sequence[UUID], filters: DealFilters, *, limit: int) -> Select[Any]:
    """The first `limit` deals of each stage in kanban order, in one query (a LATERAL join per stage)."""
    column = select(stages.c.id.label("column_id")).where(stages.c.id.in_(stage_ids)).subquery("s")
    top = (
        select(deals)
        .where(deals.c.stage_id == column.c.column_id, *conditions(filters))
        .order_by(deals.c.rank, deals.c.id)
        .limit(limit)
        .lateral("top")
    )
    query = select(top).select_from(column.join(top, sql_true()))
    return query.order_by(top.c.stage_id, top.c.rank, top.c.id)


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern (with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class DealQueries:
    """Read-only lists and board figures; deals come back as aggregates, never tracked for events."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._rows = DealRepository(connection, lambda _: None)

    async def page(
        self, filters: DealFilters, *, sort: DealSort, after: DealCursor | None, limit: int
    ) -> list[Deal]:
        return await self._rows.find(page_query(filters, sort=sort, after=after, limit=limit))

    async def board_totals(
        self, stage_ids: Sequence[UUID], filters: DealFilters
    ) -> dict[UUID, list[CurrencyTotal]]:
        totals: dict[UUID, list[CurrencyTotal]] = {stage_id: [] for stage_id in stage_ids}
        for row in await self._connection.execute(board_totals_query(stage_ids, filters)):
            total = CurrencyTotal(row.currency, row.count, row.amount_minor, row.weighted_minor)
            totals.setdefault(row.stage_id, []).append(total)
        for found in totals.values():
            found.sort(key=lambda t: t.currency)
        return totals

    async def board_tops(
        self, stage_ids: Sequence[UUID], filters: DealFilters, *, limit: int
    ) -> dict[UUID, list[Deal]]:
        tops: dict[UUID, list[Deal]] = {}
        if not stage_ids:
            return tops
        for deal in await self._rows.find(board_tops_query(stage_ids, filters, limit=limit)):
            tops.setdefault(deal.stage_id, []).append(deal)
        return tops
