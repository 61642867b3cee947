"""HTTP API of cases, mounted at `/v1/cases`: queues, one case with its messages, and what agents do with
it. Every answer about a case carries its ETag (its version); commands take `If-Match` and refuse a
stale one with 412."""

from typing import Annotated, Any, cast
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from crm_cases.adapters.html_text import sanitize_html
from crm_cases.config import Settings
from crm_cases.domain.case_query import CaseFilter
from crm_cases.domain.model import Case, CaseStatus, Priority
from crm_cases.domain.sla import SlaState
from crm_cases.entrypoints.schemas import (
    Assignment,
    CaseCreate,
    CaseDetailPublic,
    CasePublic,
    CaseUpdate,
    LinkCreate,
    MergeRequest,
    NoteCreate,
    ReplyCreate,
    StatusChange,
)
from crm_cases.service_layer import case_commands, use_cases
from crm_shared.http.conditional import PRECONDITION_RESPONSES, IfMatch, expected_version, set_etag
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep, get_runtime

router = APIRouter(tags=["cases"])
Responses = dict[int | str, dict[str, Any]]
READ_RESPONSES: Responses = {403: {"description": "Only support, CSM and admin"}}
CASE_RESPONSES: Responses = READ_RESPONSES | {404: {"description": "No such case"}}
CHANGE_RESPONSES: Responses = CASE_RESPONSES | {
    409: {"description": "Refused in the case's state (back to new, merged...)"},
    422: {"description": "Invalid input; `errors` names the fields"},
    **PRECONDITION_RESPONSES,
}


def _answer(case: Case, response: Response) -> CasePublic:
    set_etag(response, case.version)
    return CasePublic.of(case)


@router.get(
    "", summary="Cases, newest first, filtered (my cases, team queues, SLA...)", responses=READ_RESPONSES
)
async def list_cases(
    bus: BusDep,
    *,
    case_status: Annotated[list[CaseStatus] | None, Query(alias="status")] = None,
    priority: Priority | None = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    mine: bool = False,
    team: Annotated[str | None, Query(max_length=64)] = None,
    account_id: UUID | None = None,
    contact_id: UUID | None = None,
    sla: SlaState | None = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    tags: Annotated[list[str] | None, Query(max_length=64)] = None,
    requester_email: Annotated[str | None, Query(max_length=320)] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[CasePublic]:
    filters = CaseFilter(
        statuses=tuple(case_status or ()),
        priority=priority,
        assignee_id=assignee,
        team=team,
        account_id=account_id,
        contact_id=contact_id,
        sla=sla,
        text=q,
        tags=tuple(tags or ()),
        requester_email=requester_email,
    )
    found = await bus.read(
        use_cases.list_cases, filters=filters, mine=mine, after=decode_cursor(cursor), limit=limit
    )
    return page_of(found, limit=limit, public=CasePublic.of)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Open a case by hand (channel api or web)",
    responses=CHANGE_RESPONSES,
)
async def create_case(body: CaseCreate, bus: BusDep, request: Request, response: Response) -> CasePublic:
    case = await bus.execute(case_commands.create_case, values=body.values(), team=body.team)
    response.headers["Location"] = f"{request.url.path}/{case.id}"
    return _answer(case, response)


@router.get(
    "/{case_id:uuid}", summary="A case with its messages (internal notes marked)", responses=CASE_RESPONSES
)
async def get_case(case_id: UUID, bus: BusDep, response: Response) -> CaseDetailPublic:
    found = await bus.read(use_cases.get_case, case_id=case_id)
    set_etag(response, found.case.version)
    return CaseDetailPublic.of_detail(found)


@router.get(
    "/{case_id:uuid}/attachments/{attachment_id:uuid}",
    summary="Download an attachment of a case's message",
    responses=CASE_RESPONSES,
    response_class=Response,
)
async def get_attachment(case_id: UUID, attachment_id: UUID, bus: BusDep) -> Response:
    found = await bus.read(use_cases.get_attachment, case_id=case_id, attachment_id=attachment_id)
    name = found.filename.replace('"', "").replace("\r", "").replace("\n", "") or "attachment"
    return Response(
        content=found.content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.patch(
    "/{case_id:uuid}",
    summary="Change fields of a case",
    description="Only the fields sent change. A new priority recomputes the SLA due times. Publishes "
    "`CaseUpdated` with each field's before and after.",
    responses=CHANGE_RESPONSES,
)
async def update_case(
    case_id: UUID, body: CaseUpdate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> CasePublic:
    case = await bus.execute(
        case_commands.update_case,
        case_id=case_id,
        changes=body.values(),
        expected_version=expected_version(if_match),
    )
    return _answer(case, response)


@router.post(
    "/{case_id:uuid}/status",
    summary="Move a case to another status (never back to new)",
    responses=CHANGE_RESPONSES,
)
async def change_status(
    case_id: UUID, body: StatusChange, bus: BusDep, response: Response, if_match: IfMatch = None
) -> CasePublic:
    case = await bus.execute(
        case_commands.change_status,
        case_id=case_id,
        status=body.status,
        reason=body.reason,
        expected_version=expected_version(if_match),
    )
    return _answer(case, response)


@router.post("/{case_id:uuid}/assign", summary="Assign a case (null unassigns)", responses=CHANGE_RESPONSES)
async def assign_case(
    case_id: UUID, body: Assignment, bus: BusDep, response: Response, if_match: IfMatch = None
) -> CasePublic:
    case = await bus.execute(
        case_commands.assign_case,
        case_id=case_id,
        assignee_id=body.assignee_id,
        expected_version=expected_version(if_match),
    )
    return _answer(case, response)


@router.post(
    "/{case_id:uuid}/replies",
    status_code=status.HTTP_201_CREATED,
    summary="Reply to the customer",
    description="Publishes `CaseMessageAdded` (outbound, public) with the Message-ID, In-Reply-To, "
    "References, recipients, subject and body the notifier sends as is.",
    responses=CHANGE_RESPONSES,
)
async def reply_to_case(
    case_id: UUID,
    body: ReplyCreate,
    bus: BusDep,
    request: Request,
    response: Response,
    *,
    if_match: IfMatch = None,
) -> CasePublic:
    settings = cast(Settings, get_runtime(request).settings)
    reply = case_commands.Reply(
        body_text=body.body_text,
        body_html=sanitize_html(body.body_html) if body.body_html else None,
        cc=tuple(str(a).lower() for a in body.cc),
    )
    case = await bus.execute(
        case_commands.reply_to_case,
        case_id=case_id,
        reply=reply,
        hostname=settings.smtp_hostname,
        expected_version=expected_version(if_match),
    )
    return _answer(case, response)


@router.post(
    "/{case_id:uuid}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Add an internal note (never sent nor shown to the customer)",
    responses=CHANGE_RESPONSES,
)
async def add_note(
    case_id: UUID, body: NoteCreate, bus: BusDep, response: Response, if_match: IfMatch = None
) -> CasePublic:
    case = await bus.execute(
        case_commands.add_note,
        case_id=case_id,
        body_text=body.body_text,
        expected_version=expected_version(if_match),
    )
    return _answer(case, response)


@router.post(
    "/{case_id:uuid}/merge",
    summary="Merge this case into another; answers the survivor",
    description="The messages move to the survivor; this case is closed and marked merged.",
    responses=CHANGE_RESPONSES,
)
async def merge_case(
    case_id: UUID, body: MergeRequest, bus: BusDep, response: Response, if_match: IfMatch = None
) -> CasePublic:
    survivor = await bus.execute(
        case_commands.merge_case,
        case_id=case_id,
        into_case_id=body.into_case_id,
        expected_version=expected_version(if_match),
    )
    return _answer(survivor, response)


@router.post(
    "/{case_id:uuid}/links",
    status_code=status.HTTP_201_CREATED,
    summary="Link two cases",
    responses=CHANGE_RESPONSES,
)
async def link_cases(case_id: UUID, body: LinkCreate, bus: BusDep, response: Response) -> CasePublic:
    case = await bus.execute(case_commands.link_cases, case_id=case_id, other_id=body.case_id, kind=body.kind)
    return _answer(case, response)
