"""HTTP API of the leads service (`/v1/leads`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from crm_leads.domain.model import LeadStatus
from crm_leads.entrypoints.schemas import LeadCreate, LeadPublic
from crm_leads.service_layer import use_cases
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(prefix="/v1/leads", tags=["leads"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_lead(body: LeadCreate, bus: BusDep) -> LeadPublic:
    lead = await bus.execute(use_cases.create_lead, data=use_cases.NewLead(**body.model_dump()))
    return LeadPublic.of(lead)


@router.get("")
async def list_leads(
    bus: BusDep,
    owner_id: str | None = None,
    lead_status: Annotated[LeadStatus | None, Query(alias="status")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[LeadPublic]:
    leads = await bus.read(
        use_cases.list_leads,
        owner_id=owner_id,
        status=lead_status,
        after=decode_cursor(cursor),
        limit=limit,
    )
    return page_of(leads, limit=limit, public=LeadPublic.of)


@router.get("/{lead_id}")
async def get_lead(lead_id: UUID, bus: BusDep) -> LeadPublic:
    return LeadPublic.of(await bus.read(use_cases.get_lead, lead_id=lead_id))
