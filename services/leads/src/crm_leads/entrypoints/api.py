"""HTTP API of leads (mounted at `/v1/leads`); their statuses and reference lists are in `admin_api`."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status

from crm_leads.domain.lists import LeadFilters, LeadSort
from crm_leads.domain.model import Lead
from crm_leads.entrypoints.duplicates.schemas import LeadCreatedPublic
from crm_leads.entrypoints.history.schemas import HistoryEntryPublic
from crm_leads.entrypoints.schemas import (
    KanbanColumnPublic,
    LeadCreate,
    LeadLose,
    LeadMove,
    LeadPublic,
    LeadUpdate,
)
from crm_leads.service_layer import use_cases
from crm_leads.service_layer.duplicates import checks as duplicate_checks
from crm_leads.service_layer.history import timeline as history
from crm_shared.http.conditional import IfMatch, expected_version, set_etag
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(tags=["leads"])
CHANGE_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "Only sales and admin change leads"},
    409: {"description": "The lead is converted (read-only) or the move is not allowed"},
    412: {"description": "If-Match names a version that is no longer current"},
}


def lead_filters(
    *,
    bus: BusDep,
    mine: Annotated[bool, Query(description="Only leads I own")] = False,
    open_only: Annotated[bool, Query(alias="open", description="Only leads in open statuses")] = False,
    statuses: Annotated[list[str] | None, Query(alias="status", max_length=50)] = None,
    owner_id: Annotated[str | None, Query(max_length=128)] = None,
    team: Annotated[str | None, Query(max_length=128)] = None,
    source: Annotated[str | None, Query(max_length=64)] = None,
    tags: Annotated[
        list[str] | None, Query(alias="tag", description="Every tag named is on the lead")
    ] = None,
    score_min: Annotated[int | None, Query(ge=0, le=5)] = None,
    score_max: Annotated[int | None, Query(ge=0, le=5)] = None,
    created_from: Annotated[datetime | None, Query(description="Inclusive")] = None,
    created_to: Annotated[datetime | None, Query(description="Exclusive")] = None,
    key_account: bool | None = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Text in names, company or emails")
    ] = None,
) -> LeadFilters:
    return LeadFilters(
        statuses=tuple(statuses or ()),
        open_only=open_only,
        owner_id=bus.actor.user_id if mine else owner_id,
        team=team,
        source=source,
        tags=tuple(tags or ()),
        score_min=score_min,
        score_max=score_max,
        created_from=created_from,
        created_to=created_to,
        key_account=key_account,
        text=q,
    )


Filters = Annotated[LeadFilters, Depends(lead_filters)]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create a lead")
async def create_lead(body: LeadCreate, bus: BusDep, response: Response) -> LeadCreatedPublic:
    """`duplicates` lists existing leads this one may duplicate: a warning, the lead is created."""
    checked = await bus.execute(duplicate_checks.create_lead, data=body.new_lead())
    _with_etag(checked.record, response)
    return LeadCreatedPublic.checked(checked)


@router.get("", summary="List leads: filters, sort and keyset pagination")
async def list_leads(
    bus: BusDep,
    filters: Filters,
    sort: LeadSort = LeadSort.CREATED_DESC,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[LeadPublic]:
    found, next_cursor = await bus.read(
        use_cases.search_leads, filters=filters, sort=sort, cursor=cursor, limit=limit
    )
    return Page[LeadPublic](items=[LeadPublic.of(lead) for lead in found], next_cursor=next_cursor)


@router.get("/kanban", summary="Every status with its count and the top of its column")
async def kanban(
    bus: BusDep, filters: Filters, limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20
) -> list[KanbanColumnPublic]:
    columns = await bus.read(use_cases.kanban, filters=filters, limit=limit)
    return [KanbanColumnPublic.of(column) for column in columns]


@router.get("/{lead_id}", summary="A lead (its ETag is its version)")
async def get_lead(lead_id: UUID, bus: BusDep, response: Response) -> LeadPublic:
    return _with_etag(await bus.read(use_cases.get_lead, lead_id=lead_id), response)


@router.patch("/{lead_id}", summary="Change fields of a lead", responses=CHANGE_RESPONSES)
async def update_lead(
    lead_id: UUID, body: LeadUpdate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> LeadPublic:
    lead = await bus.execute(
        use_cases.update_lead,
        lead_id=lead_id,
        changes=body.changes(),
        expected_version=expected_version(if_match),
    )
    return _with_etag(lead, response)


@router.post("/{lead_id}/move", summary="Move to an open status (kanban)", responses=CHANGE_RESPONSES)
async def move_lead(
    lead_id: UUID, body: LeadMove, bus: BusDep, response: Response, if_match: IfMatch = None
) -> LeadPublic:
    lead = await bus.execute(
        use_cases.move_lead,
        lead_id=lead_id,
        status=body.status,
        position=body.position,
        expected_version=expected_version(if_match),
    )
    return _with_etag(lead, response)


@router.post("/{lead_id}/lose", summary="Mark a lead lost, with a reason", responses=CHANGE_RESPONSES)
async def lose_lead(
    lead_id: UUID, body: LeadLose, bus: BusDep, response: Response, if_match: IfMatch = None
) -> LeadPublic:
    lead = await bus.execute(
        use_cases.lose_lead,
        lead_id=lead_id,
        reason=body.reason,
        status=body.status,
        expected_version=expected_version(if_match),
    )
    return _with_etag(lead, response)


@router.post(
    "/{lead_id}/reopen", summary="Reopen a lost lead in the first open status", responses=CHANGE_RESPONSES
)
async def reopen_lead(lead_id: UUID, bus: BusDep, response: Response, if_match: IfMatch = None) -> LeadPublic:
    lead = await bus.execute(
        use_cases.reopen_lead, lead_id=lead_id, expected_version=expected_version(if_match)
    )
    return _with_etag(lead, response)


@router.get("/{lead_id}/history", summary="Activity timeline of a lead, newest first")
async def lead_history(
    lead_id: UUID,
    bus: BusDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[HistoryEntryPublic]:
    entries = await bus.read(history.lead_history, lead_id=lead_id, after=decode_cursor(cursor), limit=limit)
    return page_of(entries, limit=limit, public=HistoryEntryPublic.of)


def _with_etag(lead: Lead, response: Response) -> LeadPublic:
    set_etag(response, lead.version)
    return LeadPublic.of(lead)
