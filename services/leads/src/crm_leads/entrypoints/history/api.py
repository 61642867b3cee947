"""HTTP API of the activity timeline of any record (mounted at `/v1/history`; a lead's own timeline,
which answers 404 for an unknown lead, is `GET /v1/leads/{id}/history`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm_leads.entrypoints.history.schemas import HistoryEntryPublic
from crm_leads.service_layer.history import timeline
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(tags=["history"])


@router.get("/{subject_id}", summary="Activity timeline of any record (lead, account, contact), newest first")
async def subject_history(
    subject_id: UUID,
    bus: BusDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[HistoryEntryPublic]:
    entries = await bus.read(
        timeline.subject_history, subject_id=subject_id, after=decode_cursor(cursor), limit=limit
    )
    return page_of(entries, limit=limit, public=HistoryEntryPublic.of)
