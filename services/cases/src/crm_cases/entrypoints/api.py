"""HTTP API of the cases service (`/v1/cases`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm_cases.domain.model import CaseStatus
from crm_cases.entrypoints.schemas import CaseDetailPublic, CasePublic
from crm_cases.service_layer import use_cases
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(prefix="/v1/cases", tags=["cases"])
READ_RESPONSES: dict[int | str, dict[str, str]] = {403: {"description": "Only support, CSM and admin"}}


@router.get("", responses=READ_RESPONSES)
async def list_cases(
    bus: BusDep,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
    requester_email: Annotated[str | None, Query(max_length=320)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[CasePublic]:
    cases = await bus.read(
        use_cases.list_cases,
        status=case_status,
        requester_email=requester_email,
        after=decode_cursor(cursor),
        limit=limit,
    )
    return page_of(cases, limit=limit, public=CasePublic.of)


@router.get("/{case_id}", responses=READ_RESPONSES | {404: {"description": "No such case"}})
async def get_case(case_id: UUID, bus: BusDep) -> CaseDetailPublic:
    return CaseDetailPublic.of_detail(await bus.read(use_cases.get_case, case_id=case_id))
