"""HTTP API of lead settings: the statuses (`/v1/lead-statuses`) and the reference lists
(`/v1/reference-values`) that everyone reads and admin edits."""

from uuid import UUID

from fastapi import APIRouter, status

from crm_leads.domain.references import ReferenceKind
from crm_leads.domain.statuses import StatusDefinition
from crm_leads.entrypoints.admin_schemas import (
    ReferenceCreate,
    ReferencePublic,
    ReferenceUpdate,
    StatusCreate,
    StatusOrder,
    StatusPublic,
    StatusUpdate,
)
from crm_leads.service_layer import admin
from crm_shared.runtime import BusDep

statuses_router = APIRouter(tags=["lead settings"])
references_router = APIRouter(tags=["lead settings"])
ADMIN_ONLY: dict[int | str, dict[str, str]] = {403: {"description": "Only admin edits this list"}}


@statuses_router.get("", summary="Lead statuses, in order")
async def list_statuses(bus: BusDep) -> list[StatusPublic]:
    board = await bus.read(admin.list_statuses)
    return [StatusPublic.of(s) for s in board.statuses]


@statuses_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a lead status",
    responses=ADMIN_ONLY | {409: {"description": "The key exists"}},
)
async def add_status(body: StatusCreate, bus: BusDep) -> StatusPublic:
    new = StatusDefinition(**body.model_dump())
    return StatusPublic.of(await bus.execute(admin.add_status, status=new))


@statuses_router.put("/order", summary="Reorder the statuses", responses=ADMIN_ONLY)
async def reorder_statuses(body: StatusOrder, bus: BusDep) -> list[StatusPublic]:
    return [StatusPublic.of(s) for s in await bus.execute(admin.reorder_statuses, keys=body.keys)]


@statuses_router.patch("/{key}", summary="Rename a status", responses=ADMIN_ONLY)
async def change_status(key: str, body: StatusUpdate, bus: BusDep) -> StatusPublic:
    change = admin.StatusChange(label_en=body.label_en, label_fr=body.label_fr)
    return StatusPublic.of(await bus.execute(admin.change_status, key=key, change=change))


@statuses_router.delete(
    "/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an unused status",
    responses=ADMIN_ONLY | {409: {"description": "Reserved, in use, or the last open status"}},
)
async def remove_status(key: str, bus: BusDep) -> None:
    await bus.execute(admin.remove_status, key=key)


@references_router.get("", summary="Reference lists of lead fields")
async def list_references(
    bus: BusDep, kind: ReferenceKind | None = None, include_inactive: bool = False
) -> list[ReferencePublic]:
    found = await bus.read(admin.list_references, kind=kind, include_inactive=include_inactive)
    return [ReferencePublic.of(r) for r in found]


@references_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a value to a reference list",
    responses=ADMIN_ONLY | {409: {"description": "The value is already in the list"}},
)
async def add_reference(body: ReferenceCreate, bus: BusDep) -> ReferencePublic:
    reference = await bus.execute(admin.add_reference, **body.model_dump())
    return ReferencePublic.of(reference)


@references_router.patch(
    "/{reference_id}",
    summary="Relabel or retire a reference value",
    responses=ADMIN_ONLY,
)
async def change_reference(reference_id: UUID, body: ReferenceUpdate, bus: BusDep) -> ReferencePublic:
    reference = await bus.execute(admin.change_reference, reference_id=reference_id, **body.model_dump())
    return ReferencePublic.of(reference)
