"""Deal lists, my deals, the board of a pipeline and CSV exports."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from crm_deals.entrypoints.schemas import DealPublic
from crm_deals.entrypoints.view_schemas import (
    CSV_COLUMNS,
    BoardPublic,
    BoardQuery,
    DealListQuery,
    DealSearchQuery,
    csv_row,
)
from crm_deals.service_layer import views
from crm_shared.http.csv_cells import BOM, csv_lines
from crm_shared.pagination import Page
from crm_shared.runtime import BusDep

router = APIRouter(tags=["deals"])
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Readers are sales, csm, support and admin"},
    422: {"description": "Invalid filters, or a cursor that is malformed or made for another sort"},
}
CSV_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"description": "The CSV file", "content": {"text/csv": {"schema": {"type": "string"}}}},
    **READ_RESPONSES,
}


@router.get(
    "/deals",
    summary="List deals: filters (mine=true for my deals), sort and keyset pagination",
    responses=READ_RESPONSES,
)
async def list_deals(bus: BusDep, query: Annotated[DealListQuery, Query()]) -> Page[DealPublic]:
    """Amounts are net of VAT and media purchases. Deals without an expected close date come last
    when sorting by it, in either direction. `next_cursor` is null on the last page."""
    page = await bus.read(
        views.list_deals,
        filters=query.search_filters(),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )
    return Page[DealPublic](items=[DealPublic.of(d) for d in page.deals], next_cursor=page.next_cursor)


@router.get(
    "/deals/export.csv",
    summary="Export deals as CSV (the filters and sort of the list)",
    responses=CSV_DOWNLOAD,
    response_class=StreamingResponse,
)
async def export_deals(bus: BusDep, query: Annotated[DealSearchQuery, Query()]) -> StreamingResponse:
    """UTF-8 with a byte order mark, comma separated, CRLF lines, a header row, streamed in batches.
    Amounts are decimals in the deal's currency (`1234.50`), net of VAT and media purchases; lists
    are `; `-separated. Cells a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
    tab or carriage return) start with a `'`."""
    filters = query.search_filters()

    async def batch(cursor: str | None) -> views.ExportBatch:
        return await bus.read(views.export_batch, filters=filters, sort=query.sort, cursor=cursor)

    # The first batch is read before answering: a refusal is a problem response, not a broken file.
    first = await batch(None)

    async def lines() -> AsyncIterator[str]:
        yield BOM + csv_lines([CSV_COLUMNS])
        current = first
        while True:
            yield csv_lines(csv_row(deal, current.names) for deal in current.page.deals)
            if current.page.next_cursor is None:
                return
            current = await batch(current.page.next_cursor)

    filename = f"deals-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/pipelines/{pipeline_id}/board",
    summary="The board: stages in order with counts, sums and their first deals",
    responses={404: {"description": "No such pipeline"}, **READ_RESPONSES},
    tags=["pipelines"],
)
async def board(pipeline_id: UUID, bus: BusDep, query: Annotated[BoardQuery, Query()]) -> BoardPublic:
    """Sums are net of VAT and media purchases, per currency (`amounts`); `amount_minor` and
    `weighted_minor` (amount x probability / 100) are given when a stage's deals share one currency.
    The list's filters apply to counts, sums and deals alike."""
    found = await bus.read(views.board, pipeline_id=pipeline_id, filters=query.filters(), limit=query.limit)
    return BoardPublic.of(found)
