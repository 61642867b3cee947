"""Import uploads: a CSV (or JSON) request body, or files in a multipart form; bounded in size."""

from collections.abc import AsyncGenerator

from fastapi import Request
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from crm_leads.adapters.transfer.csv_files import MAX_BYTES
from crm_shared.errors import CrmError, InvalidInput

MAX_FILES = 10
MULTIPART_OVERHEAD = 64 * 1024


class ContentTooLarge(CrmError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail, 413, "Content too large", "too_large")


async def uploaded_files(request: Request) -> list[tuple[str, bytes]]:
    """(file name, content) of each upload; a plain body is one file named `body`."""
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    limit = MAX_BYTES * MAX_FILES + MULTIPART_OVERHEAD if multipart else MAX_BYTES
    body = await _read_limited(request, limit)
    files = await _parts(request.headers, body) if multipart else [("body", body)]
    for name, data in files:
        if len(data) > MAX_BYTES:
            raise ContentTooLarge(f"{name} is over {MAX_BYTES // (1024 * 1024)} MiB: split it")
    if not any(data.strip() for _, data in files):
        raise InvalidInput("file", "nothing was uploaded")
    return files


async def _read_limited(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it exceeds the limit (a lying Content-Length is not trusted)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ContentTooLarge(f"the upload is over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ContentTooLarge(f"the upload is over {limit} bytes")
    return bytes(body)


async def _parts(headers: Headers, body: bytes) -> list[tuple[str, bytes]]:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(headers, stream(), max_files=MAX_FILES, max_fields=MAX_FILES)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidInput("file", f"unreadable multipart form: {exc.message}") from exc
    files = []
    for field, value in form.multi_items():
        if isinstance(value, UploadFile):
            files.append((value.filename or field, await value.read()))
            await value.close()
    return files
