"""HTTP API of deals (`/v1/deals`); pipelines are in `pipelines_api`."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm_deals.domain.model import DealStatus
from crm_deals.entrypoints.schemas import DealLose, DealPublic
from crm_deals.service_layer import use_cases
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(prefix="/v1", tags=["deals"])
CLOSE_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "Only sales and admin close deals"},
    409: {"description": "The deal is already closed"},
}


@router.get("/deals")
async def list_deals(
    bus: BusDep,
    owner_id: str | None = None,
    deal_status: Annotated[DealStatus | None, Query(alias="status")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[DealPublic]:
    deals = await bus.read(
        use_cases.list_deals, owner_id=owner_id, status=deal_status, after=decode_cursor(cursor), limit=limit
    )
    return page_of(deals, limit=limit, public=DealPublic.of)


@router.get("/deals/{deal_id}")
async def get_deal(deal_id: UUID, bus: BusDep) -> DealPublic:
    return DealPublic.of(await bus.read(use_cases.get_deal, deal_id=deal_id))


@router.post("/deals/{deal_id}/win", responses=CLOSE_RESPONSES)
async def win_deal(deal_id: UUID, bus: BusDep) -> DealPublic:
    return DealPublic.of(await bus.execute(use_cases.win_deal, deal_id=deal_id))


@router.post("/deals/{deal_id}/lose", responses=CLOSE_RESPONSES)
async def lose_deal(deal_id: UUID, body: DealLose, bus: BusDep) -> DealPublic:
    return DealPublic.of(await bus.execute(use_cases.lose_deal, deal_id=deal_id, reason=body.reason))
