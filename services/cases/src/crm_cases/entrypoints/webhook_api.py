"""Inbound mail over HTTP (`POST /v1/inbound/mail`), as email providers' inbound parse services send it:
the raw MIME message as the body, signed with HMAC-SHA256 over `<timestamp>.<body>`.

Headers: `X-Signature: sha256=<hex>`, `X-Timestamp: <unix seconds>` (within 5 minutes: replays are
refused), keyed with `CRM_CASES_WEBHOOK_SECRET`. The mailbox comes from the `mailbox` query parameter
or the `X-Mailbox` header. Answers 202 with the outcome once committed, a mail the intake cannot take
in included (kept raw, quarantined with the reason: `state` says so); 401 on a bad signature, 422 for
a missing or invalid mailbox, 413 when the message is larger than the SMTP limit (recorded as
rejected), 503 while no secret is configured or when not even the raw mail could be stored (retry).
Errors are problem+json.
"""

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import JSONResponse

from crm_cases.config import Settings
from crm_cases.domain.intake_policy import IntakePolicy
from crm_cases.domain.intake_signature import SignatureError, signer, verify
from crm_cases.domain.mail_text import valid_address
from crm_cases.service_layer import intake_admin, intake_rejections
from crm_cases.service_layer.intake_guard import IntakeUnavailable, take_in
from crm_cases.service_layer.unit_of_work import CasesUnitOfWork
from crm_shared.events import EventContext
from crm_shared.http.problems import problem
from crm_shared.runtime import ServiceRuntime, get_runtime
from crm_shared.service_layer import Bus, system_bus

router = APIRouter(tags=["mail intake"])


@router.post(
    "/mail",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        401: {},
        413: {},
        422: {},
        503: {"description": "No webhook secret configured, or the mail cannot be stored now"},
    },
    openapi_extra={"requestBody": {"content": {"message/rfc822": {"schema": {"type": "string"}}}}},
)
async def inbound_mail(
    request: Request,
    mailbox_param: Annotated[str | None, Query(alias="mailbox", max_length=320)] = None,
    x_mailbox: Annotated[str | None, Header(max_length=320)] = None,
    x_signature: Annotated[str | None, Header(max_length=200)] = None,
    x_timestamp: Annotated[str | None, Header(max_length=20)] = None,
) -> JSONResponse:
    runtime: ServiceRuntime[Any] = get_runtime(request)
    settings: Settings = runtime.settings  # type: ignore[assignment]
    if settings.webhook_secret is None:
        return _problem(request, 503, "not_configured", "the inbound mail webhook is not configured")
    mailbox = mailbox_param or x_mailbox
    if not mailbox or not valid_address(mailbox.strip()):
        field = "query.mailbox" if mailbox_param or not x_mailbox else "header.x-mailbox"
        return _invalid_mailbox(request, field)
    mac = signer(settings.webhook_secret.get_secret_value(), x_timestamp)
    body, size, digest = await _read(request, settings.smtp_max_message_bytes, mac)
    try:
        verify(mac, x_signature, x_timestamp)
    except SignatureError as exc:
        return _problem(request, 401, "bad_signature", str(exc))
    # The request's own trace and id (from the request middleware) follow the mail's events.
    context = EventContext(correlation_id=request.state.request_id, traceparent=request.state.traceparent)
    bus = system_bus(runtime.uow, work="webhook", context=context)
    limit = settings.smtp_max_message_bytes
    if size > limit:
        await bus.execute(
            intake_rejections.record_oversized, head=body, digest=digest, size=size, mailbox=mailbox
        )
        return _problem(request, 413, "too_large", f"message of {size} bytes exceeds {limit}")
    return await _taken_in(request, bus, intake_admin.policy_of(settings), body, mailbox)


async def _taken_in(
    request: Request, bus: Bus[CasesUnitOfWork], policy: IntakePolicy, body: bytes, mailbox: str
) -> JSONResponse:
    """202 with what the intake did (quarantined included); 503 when not even the raw mail was kept."""
    try:
        result = await take_in(bus, raw=body, mailbox=mailbox, source="webhook", policy=policy)
    except IntakeUnavailable:
        detail = "the mail cannot be stored now: send it again later"
        return _problem(request, 503, "unavailable", detail, retry_after_s=60)
    outcome = {
        "outcome": result.outcome or "duplicate",
        "state": result.state,
        "raw_message_id": str(result.raw_message_id) if result.raw_message_id else None,
        "case_id": str(result.case.id) if result.case else None,
        "reason": result.reason,
    }
    return JSONResponse(outcome, status_code=202)


async def _read(request: Request, limit: int, mac: "hmac.HMAC") -> tuple[bytes, int, str]:
    """The body (at most `limit` + 1 bytes kept: an oversized one is not held in memory), its full
    size and digest; the MAC is fed the whole of it."""
    kept, size, digest = bytearray(), 0, hashlib.sha256()
    async for chunk in request.stream():
        size += len(chunk)
        mac.update(chunk)
        digest.update(chunk)
        if len(kept) <= limit:
            kept.extend(chunk[: limit + 1 - len(kept)])
    return bytes(kept), size, digest.hexdigest()


def _problem(
    request: Request, http_status: int, code: str, detail: str, *, retry_after_s: int | None = None
) -> JSONResponse:
    title = detail.split(":", maxsplit=1)[0]
    answer = problem(request, status=http_status, title=title, detail=detail, code=f"inbound_mail_{code}")
    if retry_after_s is not None:
        answer.headers["Retry-After"] = str(retry_after_s)
    return answer


def _invalid_mailbox(request: Request, field: str) -> JSONResponse:
    message = "a valid mail address is required (the `mailbox` query parameter or X-Mailbox header)"
    errors = [{"field": field, "message": message, "type": "value_error"}]
    return problem(
        request,
        status=422,
        title="Invalid input",
        detail=f"invalid fields: {field}",
        code="invalid_input",
        errors=errors,
    )
