"""HTTP API of the quotes service (`/v1/contracts`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm_quotes.entrypoints.schemas import ContractPublic
from crm_quotes.service_layer import use_cases
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, encode_cursor
from crm_shared.runtime import BusDep

router = APIRouter(prefix="/v1", tags=["contracts"])
READ_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "Only sales, csm, support and admin read contracts"},
}


@router.get("/contracts", responses=READ_RESPONSES)
async def list_contracts(
    bus: BusDep,
    deal_id: UUID | None = None,
    account_id: UUID | None = None,
    owner_id: Annotated[str | None, Query(max_length=128)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[ContractPublic]:
    contracts = await bus.read(
        use_cases.list_contracts,
        deal_id=deal_id,
        account_id=account_id,
        owner_id=owner_id,
        after=decode_cursor(cursor),
        limit=limit,
    )
    next_cursor = encode_cursor(contracts[-1].id) if len(contracts) == limit else None
    return Page(items=[ContractPublic.of(c) for c in contracts], next_cursor=next_cursor)


@router.get("/contracts/{contract_id}", responses=READ_RESPONSES | {404: {"description": "No such contract"}})
async def get_contract(contract_id: UUID, bus: BusDep) -> ContractPublic:
    return ContractPublic.of(await bus.read(use_cases.get_contract, contract_id=contract_id))
