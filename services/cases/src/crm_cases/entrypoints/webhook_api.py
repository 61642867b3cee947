"""Inbound mail over HTTP (`POST /v1/inbound/mail`), as email providers' inbound parse services send it:
the raw MIME message as the body, signed with HMAC-SHA256 over `<timestamp>.<body>`.

Headers: `X-Signature: sha256=<hex>`, `X-Timestamp: <unix seconds>` (within 5 minutes: replays are
refused). The mailbox comes from the `mailbox` query parameter or the `X-Mailbox` header. Answers 202
with the outcome once committed; 401 on a bad signature, 503 while no secret is configured, 413 when
the message is larger than the SMTP limit (recorded as rejected).
"""

import hashlib
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import JSONResponse

from crm_cases.config import Settings
from crm_cases.domain.intake_signature import SignatureError, signer, verify
from crm_cases.service_layer import intake, intake_admin, intake_rejections
from crm_shared.events import EventContext
from crm_shared.runtime import ServiceRuntime, get_runtime

router = APIRouter(prefix="/v1/inbound", tags=["mail intake"])


@router.post(
    "/mail",
    status_code=status.HTTP_202_ACCEPTED,
    responses={401: {}, 413: {}, 422: {}, 503: {"description": "No webhook secret configured"}},
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
        return _problem(503, "the inbound mail webhook is not configured")
    mailbox = mailbox_param or x_mailbox
    if not mailbox or "@" not in mailbox:
        return _problem(422, "mailbox (query parameter or X-Mailbox header) is required")
    mac = signer(settings.webhook_secret.get_secret_value(), x_timestamp)
    body, size, digest = await _read(request, settings.smtp_max_message_bytes, mac)
    try:
        verify(mac, x_signature, x_timestamp)
    except SignatureError as exc:
        return _problem(401, str(exc))
    context = EventContext(correlation_id=request.state.request_id)
    async with runtime.uow(context) as uow:
        if size > settings.smtp_max_message_bytes:
            await intake_rejections.record_oversized(
                uow, head=body, digest=digest, size=size, mailbox=mailbox
            )
            await uow.commit()
            return _problem(413, f"message of {size} bytes exceeds {settings.smtp_max_message_bytes}")
        result = await intake.ingest_email(
            uow=uow, raw=body, mailbox=mailbox, source="webhook", policy=intake_admin.policy_of(settings)
        )
        await uow.commit()
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


def _problem(code: int, detail: str) -> JSONResponse:
    title = detail.split(":", maxsplit=1)[0]
    body = {"type": "about:blank", "title": title, "status": code, "detail": detail}
    return JSONResponse(body, status_code=code, media_type="application/problem+json")
