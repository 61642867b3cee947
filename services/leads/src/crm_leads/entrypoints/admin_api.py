"""HTTP API of lead settings (statuses, reference lists; admin edits) and of record timelines."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from crm_leads.domain.references import ReferenceKind
from crm_leads.domain.statuses import StatusDefinition
from crm_leads.entrypoints.admin_schemas import (
    HistoryEntryPublic,
    ReferenceCreate,
    ReferencePublic,
    ReferenceUpdate,
    StatusCreate,
    StatusOrder,
    StatusPublic,
    StatusUpdate,
)
from crm_leads.service_layer import admin
from crm_leads.service_layer.history import timeline as history
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter()
ADMIN_ONLY: dict[int | str, dict[str, str]] = {403: {"description": "Only admin edits this list"}}


@router.get("/lead-statuses", tags=["lead settings"], summary="Lead statuses, in order")
async def list_statuses(bus: BusDep) -> list[StatusPublic]:
    board = await bus.read(admin.list_statuses)
    return [StatusPublic.of(s) for s in board.statuses]


@router.post(
    "/lead-statuses",
    status_code=status.HTTP_201_CREATED,
    tags=["lead settings"],
    summary="Add a lead status",
    responses=ADMIN_ONLY | {409: {"description": "The key exists"}},
)
async def add_status(body: StatusCreate, bus: BusDep) -> StatusPublic:
    new = StatusDefinition(**body.model_dump())
    return StatusPublic.of(await bus.execute(admin.add_status, status=new))


@router.put(
    "/lead-statuses/order", tags=["lead settings"], summary="Reorder the statuses", responses=ADMIN_ONLY
)
async def reorder_statuses(body: StatusOrder, bus: BusDep) -> list[StatusPublic]:
    return [StatusPublic.of(s) for s in await bus.execute(admin.reorder_statuses, keys=body.keys)]


@router.patch("/lead-statuses/{key}", tags=["lead settings"], summary="Rename a status", responses=ADMIN_ONLY)
async def change_status(key: str, body: StatusUpdate, bus: BusDep) -> StatusPublic:
    change = admin.StatusChange(label_en=body.label_en, label_fr=body.label_fr)
    return StatusPublic.of(await bus.execute(admin.change_status, key=key, change=change))


@router.delete(
    "/lead-statuses/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["lead settings"],
    summary="Remove an unused status",
    responses=ADMIN_ONLY | {409: {"description": "Reserved, in use, or the last open status"}},
)
async def remove_status(key: str, bus: BusDep) -> None:
    await bus.execute(admin.remove_status, key=key)


@router.get("/reference-values", tags=["lead settings"], summary="Reference lists of lead fields")
async def list_references(
    bus: BusDep, kind: ReferenceKind | None = None, include_inactive: bool = False
) -> list[ReferencePublic]:
    found = await bus.read(admin.list_references, kind=kind, include_inactive=include_inactive)
    return [ReferencePublic.of(r) for r in found]


@router.post(
    "/reference-values",
    status_code=status.HTTP_201_CREATED,
    tags=["lead settings"],
    summary="Add a value to a reference list",
    responses=ADMIN_ONLY | {409: {"description": "The value is already in the list"}},
)
async def add_reference(body: ReferenceCreate, bus: BusDep) -> ReferencePublic:
    reference = await bus.execute(admin.add_reference, **body.model_dump())
    return ReferencePublic.of(reference)


@router.patch(
    "/reference-values/{reference_id}",
    tags=["lead settings"],
    summary="Relabel or retire a reference value",
    responses=ADMIN_ONLY,
)
async def change_reference(reference_id: UUID, body: ReferenceUpdate, bus: BusDep) -> ReferencePublic:
    reference = await bus.execute(admin.change_reference, reference_id=reference_id, **body.model_dump())
    return ReferencePublic.of(reference)


@router.get(
    "/history/{subject_id}",
    tags=["history"],
    summary="Activity timeline of any record (lead, account, contact), newest first",
)
async def subject_history(
    subject_id: UUID,
    bus: BusDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[HistoryEntryPublic]:
    entries = await bus.read(
        history.subject_history, subject_id=subject_id, after=decode_cursor(cursor), limit=limit
    )
    return page_of(entries, limit=limit, public=HistoryEntryPublic.of)
