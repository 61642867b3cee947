"""Public web-to-lead intake (`/v1/forms/{form_key}/submissions`), keyed per form, no JWT; forms admin.

Limits: a body over MAX_BODY_BYTES is refused with 413 before it is parsed; each client address may
submit RATE_LIMIT.limit times per window, counted in a table so every instance shares the count (429
with Retry-After). The client address is the connection's peer: behind a proxy, run the server with
its trusted-proxy settings so that the peer is the real client.
"""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

from crm_leads.domain.workflows.intake import RateLimit
from crm_leads.entrypoints.workflows.schemas import (
    FormCreate,
    FormPublic,
    FormUpdate,
    SubmissionAccepted,
    SubmissionPublic,
)
from crm_leads.service_layer.workflows import intake
from crm_shared.events import EventContext
from crm_shared.http.conditional import IfMatch, expected_version, set_etag
from crm_shared.http.problems import problem
from crm_shared.pagination import MAX_PAGE_SIZE, Page, decode_cursor, page_of
from crm_shared.runtime import BusDep, get_runtime
from crm_shared.service_layer import Bus

MAX_BODY_BYTES = 16 * 1024
RATE_LIMIT = RateLimit(limit=10, window_s=60)
Submission = TypeAdapter(dict[str, str | int | float | bool | None])
SUBMISSION_SCHEMA = {
    "type": "object",
    "description": "The form's fields (see its field_mapping), consent flags and honeypot field",
    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
}

forms_router = APIRouter(tags=["web-to-lead"])
leads_router = APIRouter(tags=["web-to-lead"])


@forms_router.post(
    "/{form_key}/submissions",
    status_code=202,
    summary="Submit a web-to-lead form (public, no token)",
    description="Creates a lead in the first open status, assigned by the rules, or completes the open "
    "lead with the same email (empty fields only). Answers 202 in both cases, and for spam.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": SUBMISSION_SCHEMA}}}
    },
    responses={413: {"description": "Body too large"}, 429: {"description": "Too many submissions"}},
)
async def submit(form_key: str, request: Request, origin: Annotated[str | None, Header()] = None) -> Response:
    bus = _public_bus(request, form_key)
    client = request.client.host if request.client else "unknown"
    # Counted first, so that a client flooding with oversized bodies is throttled too.
    wait = await bus.execute(intake.count_request, client=client, limit=RATE_LIMIT, now=datetime.now(UTC))
    if wait is not None:
        response = problem(
            request, status=429, title="Too many requests", detail=f"retry in {wait} s", code="rate_limited"
        )
        response.headers["Retry-After"] = str(wait)
        return response
    body = await _read_limited(request)
    if body is None:
        return problem(
            request,
            status=413,
            title="Content too large",
            detail=f"at most {MAX_BODY_BYTES} bytes",
            code="too_large",
        )
    await bus.execute(
        intake.submit_form, form_key=form_key, submission=_parse(body), origin=origin, client=client
    )
    return JSONResponse(SubmissionAccepted().model_dump(), status_code=202)


async def _read_limited(request: Request) -> bytes | None:
    """The body, or None as soon as it exceeds the limit (a lying Content-Length is not trusted)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return body


def _parse(body: bytes) -> dict[str, Any]:
    try:
        return Submission.validate_json(body or b"{}")
    except ValidationError as exc:
        raise RequestValidationError([e | {"loc": ("body", *e["loc"])} for e in exc.errors()]) from exc


def _public_bus(request: Request, form_key: str) -> Bus[Any]:
    context = EventContext(correlation_id=request.state.request_id, traceparent=request.state.traceparent)
    return Bus(uow_factory=get_runtime(request).uow, actor=intake.form_principal(form_key), context=context)


@forms_router.post("", status_code=201, summary="Create a web-to-lead form (admin)")
async def create_form(body: FormCreate, bus: BusDep) -> FormPublic:
    return FormPublic.of(await bus.execute(intake.create_form, values=body.model_dump()))


@forms_router.get("", summary="List web-to-lead forms")
async def list_forms(
    bus: BusDep, cursor: str | None = None, limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50
) -> Page[FormPublic]:
    found = await bus.read(intake.list_forms, after=decode_cursor(cursor), limit=limit)
    return page_of(found, limit=limit, public=FormPublic.of)


@forms_router.get("/{form_key}", summary="A web-to-lead form")
async def get_form(form_key: str, bus: BusDep, response: Response) -> FormPublic:
    form = await bus.read(intake.get_form, form_key=form_key)
    set_etag(response, form.version)
    return FormPublic.of(form)


@forms_router.patch(
    "/{form_key}",
    summary="Open or close a form, change its team, source or origins (admin)",
    description="`If-Match` with the version: 412 if stale.",
)
async def change_form(
    form_key: str,
    body: FormUpdate,
    bus: BusDep,
    response: Response,
    if_match: IfMatch = None,
) -> FormPublic:
    form = await bus.execute(
        intake.change_form,
        form_key=form_key,
        version=expected_version(if_match),
        changes=body.model_dump(exclude_unset=True),
    )
    set_etag(response, form.version)
    return FormPublic.of(form)


@leads_router.get("/{lead_id}/form-submissions", summary="Form submissions that reached a lead")
async def lead_submissions(
    lead_id: UUID,
    bus: BusDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[SubmissionPublic]:
    found = await bus.read(intake.list_submissions, lead_id=lead_id, after=decode_cursor(cursor), limit=limit)
    return page_of([SubmissionPublic.model_validate(row) for row in found], limit=limit, public=lambda s: s)
