"""Read use cases: deal lists (my deals among them), CSV export batches and the board of a pipeline.

Every reader role sees every deal; lists and exports apply the same rule as a single read.
"""

from dataclasses import dataclass, replace
from uuid import UUID

from crm_deals.domain.deal_query import Board, BoardColumn, DealCursor, DealFilters, DealPage, DealSort
from crm_deals.service_layer.unit_of_work import DealsUnitOfWork
from crm_shared.auth import Principal, Role, authorize

READERS = (Role.SALES, Role.CSM, Role.SUPPORT)
EXPORT_BATCH = 500
"""Deals per read of an export: each batch is its own short transaction, never the whole table."""


async def list_deals(
    *,
    uow: DealsUnitOfWork,
    actor: Principal,
    filters: DealFilters,
    sort: DealSort,
    cursor: str | None,
    limit: int,
) -> DealPage:
    """A page of deals and the cursor of the next one (None on the last page)."""
    authorize(actor, *READERS)
    after = DealCursor.decode(cursor, sort=sort) if cursor else None
    filters = filters.for_actor(actor.user_id)
    found = await uow.deal_queries.page(filters, sort=sort, after=after, limit=limit + 1)
    return DealPage.of(found, sort=sort, limit=limit)


@dataclass(frozen=True)
class ExportBatch:
    page: DealPage
    names: dict[UUID, tuple[str, str]]
    """Stage id -> (pipeline name, stage name), for the deals of the batch."""


async def export_batch(
    *, uow: DealsUnitOfWork, actor: Principal, filters: DealFilters, sort: DealSort, cursor: str | None
) -> ExportBatch:
    page = await list_deals(
        uow=uow, actor=actor, filters=filters, sort=sort, cursor=cursor, limit=EXPORT_BATCH
    )
    pipelines = await uow.pipelines.all(include_archived=True)
    return ExportBatch(page, {s.id: (p.name, s.name) for p in pipelines for s in p.stages})


async def board(
    *, uow: DealsUnitOfWork, actor: Principal, pipeline_id: UUID, filters: DealFilters, limit: int
) -> Board:
    """Every stage in order with its count, sums per currency and first deals in kanban order.

    Two queries whatever the number of stages: the grouped totals, and the stages' first pages.
    """
    authorize(actor, *READERS)
    pipeline = await uow.pipelines.get(pipeline_id)
    # The columns are the pipeline's stages, whatever pipeline or stage a caller's filters name.
    filters = replace(filters.for_actor(actor.user_id), pipeline_id=None, stage_id=None)
    ordered = pipeline.ordered
    totals = await uow.deal_queries.board_totals([s.id for s in ordered], filters)
    # Only stages with matching deals: one whose deals all fail the filters would be walked to its end.
    filled = [stage_id for stage_id, found in totals.items() if found]
    tops = await uow.deal_queries.board_tops(filled, filters, limit=limit + 1)
    columns = [
        BoardColumn(s, totals.get(s.id, []), DealPage.of(tops.get(s.id, []), sort=DealSort.RANK, limit=limit))
        for s in ordered
    ]
    return Board(pipeline, columns)
