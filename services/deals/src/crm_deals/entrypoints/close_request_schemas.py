"""HTTP schemas of close requests, and the reading of the multipart form that carries the signed offer."""

from collections.abc import AsyncGenerator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote
from uuid import UUID

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from crm_deals.adapters.close_requests import ListedRequest
from crm_deals.domain.close_requests import (
    MAX_OFFER_BYTES,
    CloseOutcome,
    CloseRequestStatus,
    FileTooLarge,
)
from crm_deals.domain.model import DealStatus
from crm_shared.errors import InvalidInput
from crm_shared.pagination import MAX_PAGE_SIZE

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the text fields
Note = Annotated[str, Field(max_length=2000)]


class CloseRequestForm(BaseModel):
    """The text fields of the multipart form; the signed offer is its `file` part."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: CloseOutcome
    signed_amount_minor: int | None = Field(
        None, ge=0, description="As signed, net of VAT and media purchases; required for a win"
    )
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO 4217; default the deal's")
    reason: str | None = Field(None, max_length=1000, description="Why it was lost; required for a loss")
    comment: str | None = Field(None, max_length=2000)


class CloseRequestApproval(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: Note | None = None


class CloseRequestRejection(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: Note = Field(min_length=1, description="Why: the requester reads it")


class CloseRequestQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CloseRequestStatus | None = None
    outcome: CloseOutcome | None = None
    requested_by: str | None = None
    order: Literal["newest", "oldest"] = "newest"
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = None


class SignedOfferPublic(BaseModel):
    filename: str
    content_type: str
    size: int
    sha256: str
    url: str


class DealBriefPublic(BaseModel):
    title: str
    amount_minor: int = Field(description="The deal's current amount, net of VAT and media purchases")
    currency: str
    status: DealStatus
    owner_id: str


class CloseRequestPublic(BaseModel):
    id: UUID
    deal_id: UUID
    outcome: CloseOutcome
    status: CloseRequestStatus
    signed_amount_minor: int | None
    currency: str
    reason: str | None
    comment: str | None
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int
    amount_matches: bool = Field(description="False while a win's signed amount differs from the deal's")
    deal: DealBriefPublic
    signed_offer: SignedOfferPublic | None

    @classmethod
    def of(cls, listed: ListedRequest) -> "CloseRequestPublic":
        request, offer = listed.request, listed.offer
        url = f"/v1/close-requests/{request.id}/signed-offer"
        return cls.model_validate(
            asdict(request)
            | {
                "amount_matches": listed.amount_matches,
                "deal": asdict(listed.deal),
                "signed_offer": None if offer is None else asdict(offer) | {"url": url},
            }
        )


@dataclass(frozen=True)
class Upload:
    form: CloseRequestForm
    filename: str | None
    content_type: str | None
    content: bytes


async def read_upload(request: Request) -> Upload:
    """The form and its file, refused (413) as soon as the body is bigger than a file may be."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput("file", "send a multipart/form-data form with the signed offer as `file`")
    body = await _read_limited(request, MAX_OFFER_BYTES + MULTIPART_OVERHEAD)

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, stream(), max_files=1, max_fields=10)
    try:
        parsed = await parser.parse()
    except MultiPartException as exc:
        raise InvalidInput("file", f"unreadable multipart form: {exc.message}") from exc
    try:
        return await _split(parsed)
    finally:
        await parsed.close()


async def _split(parsed: FormData) -> Upload:
    fields: dict[str, Any] = {}
    upload: UploadFile | None = None
    for name, value in parsed.multi_items():
        if isinstance(value, UploadFile) and name == "file":
            upload = value
        elif isinstance(value, UploadFile):
            raise InvalidInput(name, "the only file is `file`, the signed offer")
        elif value != "":  # an empty form field is an absent one
            fields[name] = value
    if upload is None:
        raise InvalidInput("file", "the signed offer is required")
    return Upload(_form(fields), upload.filename, upload.content_type, await upload.read())


def _form(fields: dict[str, Any]) -> CloseRequestForm:
    try:
        return CloseRequestForm.model_validate(fields)
    except ValidationError as exc:
        errors = [error | {"loc": ("body", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc


async def _read_limited(request: Request, limit: int) -> bytes:
    """A lying Content-Length is not trusted: the stream is counted too."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FileTooLarge(int(declared))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise FileTooLarge(len(body))
    return bytes(body)


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback for old clients, the UTF-8 name in `filename*` (RFC 8187)."""
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\%;' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
