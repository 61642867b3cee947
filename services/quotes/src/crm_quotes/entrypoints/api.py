"""HTTP API of the quotes service (`/v1/contracts`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm_quotes.entrypoints.schemas import ContractPublic, ContractQuery
from crm_quotes.service_layer import use_cases
from crm_shared.pagination import Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(tags=["contracts"])
READ_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "Only sales, csm, support and admin read contracts"},
}


@router.get("", responses=READ_RESPONSES)
async def list_contracts(bus: BusDep, query: Annotated[ContractQuery, Query()]) -> Page[ContractPublic]:
    contracts = await bus.read(
        use_cases.list_contracts,
        deal_id=query.deal_id,
        account_id=query.account_id,
        owner_id=query.owner_id,
        after=decode_cursor(query.cursor),
        limit=query.limit,
    )
    return page_of(contracts, limit=query.limit, public=ContractPublic.of)


@router.get("/{contract_id}", responses=READ_RESPONSES | {404: {"description": "No such contract"}})
async def get_contract(contract_id: UUID, bus: BusDep) -> ContractPublic:
    return ContractPublic.of(await bus.read(use_cases.get_contract, contract_id=contract_id))
