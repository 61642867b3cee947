"""Close requests: CSM and Support ask Sales to win or lose a deal, with the signed offer."""

from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from crm_deals.adapters.close_requests import ListedRequest
from crm_deals.domain.close_requests import (
    ACCEPTED_TYPES,
    MAX_OFFER_BYTES,
)
from crm_deals.entrypoints.close_request_schemas import (
    CloseRequestApproval,
    CloseRequestPublic,
    CloseRequestQuery,
    CloseRequestRejection,
    content_disposition,
    read_upload,
)
from crm_deals.service_layer import close_requests as use_cases
from crm_shared.http.conditional import PRECONDITION_RESPONSES, IfMatch, expected_version, set_etag
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep

router = APIRouter(tags=["close requests"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
CHUNK = 64 * 1024
UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["outcome", "file"],
                    "properties": {
                        "outcome": {"type": "string", "enum": ["won", "lost"]},
                        "signed_amount_minor": {"type": "integer", "minimum": 0},
                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        "reason": {"type": "string", "maxLength": 1000},
                        "comment": {"type": "string", "maxLength": 2000},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}
REQUEST_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only csm and support (and admin) request a close"},
    409: {"description": "The deal is closed, or already has a pending close request"},
    413: {"description": f"The signed offer is over {MAX_OFFER_BYTES // (1024 * 1024)} MB"},
    422: {"description": f"Missing or invalid field; a file that is not one of: {sorted(ACCEPTED_TYPES)}"},
}
DECISION_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only sales (and admin) decide; only the requester cancels"},
    409: {
        "description": "Already decided, the deal is closed, or (code `signed_amount_mismatch`, with "
        "both amounts) a win whose signed amount is not the deal amount: correct the deal with "
        "PATCH /v1/deals/{id} first"
    },
    **PRECONDITION_RESPONSES,
}


def _answer(response: Response, listed: ListedRequest) -> CloseRequestPublic:
    set_etag(response, listed.request.version)
    return CloseRequestPublic.of(listed)


@router.post(
    "/deals/{deal_id}/close-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Ask Sales to win or lose the deal, with the signed offer (multipart form)",
    openapi_extra=UPLOAD,
    responses=REQUEST_RESPONSES,
)
async def request_close(
    deal_id: UUID, request: Request, bus: BusDep, response: Response
) -> CloseRequestPublic:
    """Form fields `outcome` (won, lost), `signed_amount_minor` (required for a win), `currency`,
    `reason` (required for a loss), `comment`, and the file `file`: PDF, PNG, JPEG, Office Open XML
    or OpenDocument, at most 10 MB, checked on its content. Amounts are net of VAT and media purchases."""
    upload = await read_upload(request)
    form = upload.form
    listed = await bus.execute(
        use_cases.request_close,
        deal_id=deal_id,
        outcome=form.outcome,
        signed_amount_minor=form.signed_amount_minor,
        currency=form.currency,
        reason=form.reason,
        comment=form.comment,
        filename=upload.filename,
        content_type=upload.content_type,
        content=upload.content,
    )
    response.headers["Location"] = f"/v1/close-requests/{listed.id}"
    return _answer(response, listed)


@router.get("/deals/{deal_id}/close-requests", summary="The deal's close requests, newest first")
async def list_deal_requests(
    deal_id: UUID, bus: BusDep, limit: Limit = 50, cursor: str | None = None
) -> Page[CloseRequestPublic]:
    found = await bus.read(
        use_cases.list_deal_requests, deal_id=deal_id, after=decode_cursor(cursor), limit=limit
    )
    return page_of(found, limit=limit, public=CloseRequestPublic.of)


@router.get("/close-requests", summary="Close requests; Sales' queue is `status=pending&order=oldest`")
async def list_requests(
    bus: BusDep, query: Annotated[CloseRequestQuery, Query()]
) -> Page[CloseRequestPublic]:
    found = await bus.read(
        use_cases.list_requests,
        status=query.status,
        outcome=query.outcome,
        requested_by=query.requested_by,
        after=decode_cursor(query.cursor),
        limit=query.limit,
        oldest_first=query.order == "oldest",
    )
    return page_of(found, limit=query.limit, public=CloseRequestPublic.of)


@router.get("/close-requests/{request_id}", summary="A close request (its ETag is its version)")
async def get_request(request_id: UUID, bus: BusDep, response: Response) -> CloseRequestPublic:
    return _answer(response, await bus.read(use_cases.get_request, request_id=request_id))


@router.get(
    "/close-requests/{request_id}/signed-offer",
    summary="Download the signed offer",
    response_class=StreamingResponse,
    responses={200: {"content": {t: {} for t in sorted(ACCEPTED_TYPES)}}},
)
async def download_signed_offer(request_id: UUID, bus: BusDep) -> StreamingResponse:
    offer = await bus.read(use_cases.get_signed_offer, request_id=request_id)

    def chunks() -> Iterator[bytes]:
        view = memoryview(offer.content)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])

    headers = {
        "Content-Disposition": content_disposition(offer.filename),
        "Content-Length": str(offer.size),
        "ETag": f'"{offer.sha256}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(chunks(), media_type=offer.content_type, headers=headers)


@router.post(
    "/close-requests/{request_id}/approve",
    summary="Approve: the deal is won or lost (sales)",
    responses=DECISION_RESPONSES,
)
async def approve_request(
    request_id: UUID,
    bus: BusDep,
    response: Response,
    body: CloseRequestApproval | None = None,
    if_match: IfMatch = None,
) -> CloseRequestPublic:
    """Wins or loses the deal (recorded as caused by the request and its requester)."""
    listed = await bus.execute(
        use_cases.approve_request,
        request_id=request_id,
        note=body.note if body else None,
        expected_version=expected_version(if_match),
    )
    return _answer(response, listed)


@router.post(
    "/close-requests/{request_id}/reject",
    summary="Reject, saying why (sales)",
    responses=DECISION_RESPONSES,
)
async def reject_request(
    request_id: UUID,
    body: CloseRequestRejection,
    bus: BusDep,
    response: Response,
    if_match: IfMatch = None,
) -> CloseRequestPublic:
    listed = await bus.execute(
        use_cases.reject_request,
        request_id=request_id,
        note=body.note,
        expected_version=expected_version(if_match),
    )
    return _answer(response, listed)


@router.post(
    "/close-requests/{request_id}/cancel",
    summary="Withdraw a pending request (its requester)",
    responses=DECISION_RESPONSES,
)
async def cancel_request(
    request_id: UUID, bus: BusDep, response: Response, if_match: IfMatch = None
) -> CloseRequestPublic:
    listed = await bus.execute(
        use_cases.cancel_request, request_id=request_id, expected_version=expected_version(if_match)
    )
    return _answer(response, listed)
