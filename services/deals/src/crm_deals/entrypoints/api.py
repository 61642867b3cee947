"""HTTP API of deals (`/v1/deals`); pipelines are in `pipelines_api`."""

from uuid import UUID

from fastapi import APIRouter

from crm_deals.entrypoints.schemas import DealLose, DealPublic
from crm_deals.service_layer import use_cases
from crm_shared.runtime import BusDep

router = APIRouter(prefix="/v1", tags=["deals"])
CLOSE_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "Only sales and admin close deals"},
    409: {"description": "The deal is already closed"},
}


@router.get("/deals/{deal_id}")
async def get_deal(deal_id: UUID, bus: BusDep) -> DealPublic:
    return DealPublic.of(await bus.read(use_cases.get_deal, deal_id=deal_id))


@router.post("/deals/{deal_id}/win", responses=CLOSE_RESPONSES)
async def win_deal(deal_id: UUID, bus: BusDep) -> DealPublic:
    return DealPublic.of(await bus.execute(use_cases.win_deal, deal_id=deal_id))


@router.post("/deals/{deal_id}/lose", responses=CLOSE_RESPONSES)
async def lose_deal(deal_id: UUID, body: DealLose, bus: BusDep) -> DealPublic:
    return DealPublic.of(await bus.execute(use_cases.lose_deal, deal_id=deal_id, reason=body.reason))
