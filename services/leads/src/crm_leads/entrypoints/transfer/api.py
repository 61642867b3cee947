"""HTTP API of CSV/JSON import and CSV export of leads, contacts and accounts."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from crm_leads.adapters.transfer import writing
from crm_leads.adapters.transfer.csv_files import MAX_BYTES, MAX_ROWS
from crm_leads.adapters.transfer.reading import FileRecords, read_table
from crm_leads.adapters.transfer.salesforce import read_trees
from crm_leads.adapters.transfer.writing import ExportFormat
from crm_leads.domain.transfer.rows import ImportKey, ImportKind, ImportMode, ImportResult
from crm_leads.entrypoints.api import Filters as LeadFilterQuery
from crm_leads.entrypoints.transfer.checks import checked_batch
from crm_leads.entrypoints.transfer.schemas import AccountExportQuery, ContactExportQuery, ImportReport
from crm_leads.entrypoints.transfer.uploads import uploaded_files
from crm_leads.service_layer.transfer import exports
from crm_leads.service_layer.transfer.exports import ExportPage
from crm_leads.service_layer.transfer.imports import import_records
from crm_shared.errors import InvalidInput
from crm_shared.runtime import BusDep

imports_router = APIRouter(tags=["import and export"])
exports_router = APIRouter(tags=["import and export"])

Mode = Annotated[
    ImportMode,
    Query(
        description="create: every row is a new record; update_by_key: a row "
        "whose key matches a record updates it (its empty cells change nothing)"
    ),
]
Key = Annotated[ImportKey, Query(description="external_id, or email (accounts: their email domain)")]
DryRun = Annotated[bool, Query(description="Check every row and report, writing nothing")]
PhoneRegion = Annotated[
    str | None,
    Query(pattern="^[A-Z]{2}$", description="Country of the file's national phone numbers (e.g. US)"),
]
IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "Only sales and admin import"},
    413: {"description": f"Over {MAX_BYTES // (1024 * 1024)} MiB per file"},
    422: {"description": f"Not a readable file (encoding, header, over {MAX_ROWS} rows)"},
}
CSV_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
        },
    }
}
CSV_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"description": "The CSV file", "content": {"text/csv": {"schema": {"type": "string"}}}}
}
JSON_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "description": "One data tree: {records}"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
        },
    }
}


@imports_router.post(
    "/salesforce",
    summary="Import Salesforce accounts and contacts (sf data tree JSON)",
    openapi_extra=JSON_UPLOAD,
    responses=IMPORT_RESPONSES,
)
async def import_salesforce(
    *,
    request: Request,
    bus: BusDep,
    mode: Mode = ImportMode.CREATE,
    key: Key = ImportKey.EXTERNAL_ID,
    dry_run: DryRun = False,
    phone_region: PhoneRegion = None,
) -> ImportReport:
    """Accounts.json, Contacts.json... (up to 10 files; data-plan.json may come along) in a
    multipart form, or one tree as the JSON body. Accounts are imported first; a contact's
    `AccountId` `@AccountRef1` links it to that account of the import. A record's `Id` is its
    external id. Record numbers in the report count from 1 within each file."""
    found = read_trees(await uploaded_files(request), phone_region=phone_region)
    return await _import(bus, found, mode=mode, key=key, dry_run=dry_run)


@imports_router.post(
    "/{kind}",
    summary="Import leads, contacts or accounts from a CSV file",
    openapi_extra=CSV_UPLOAD,
    responses=IMPORT_RESPONSES,
)
async def import_csv(
    *,
    kind: ImportKind,
    request: Request,
    bus: BusDep,
    mode: Mode = ImportMode.CREATE,
    key: Key = ImportKey.EXTERNAL_ID,
    dry_run: DryRun = False,
    phone_region: PhoneRegion = None,
) -> ImportReport:
    """UTF-8 (with or without BOM), comma, semicolon or tab separated, a header row of column names
    (those of the export). Every row is checked with the rules of the HTTP API; a row with any error
    is not imported at all, and the report names its row and columns. Valid rows are imported in
    one transaction, with the usual events."""
    files = await uploaded_files(request)
    if len(files) != 1:
        raise InvalidInput("file", "upload one CSV file per import")
    found = read_table(kind, files[0][1], phone_region=phone_region)
    return await _import(bus, found, mode=mode, key=key, dry_run=dry_run)


async def _import(
    bus: BusDep, found: FileRecords, *, mode: ImportMode, key: ImportKey, dry_run: bool
) -> ImportReport:
    """A dry run is the same import in a transaction that is rolled back."""
    batches = [checked_batch(batch) for batch in found.batches]
    run = bus.read if dry_run else bus.execute
    result: ImportResult = await run(import_records, batches=batches, mode=mode, key=key)
    return ImportReport.of(
        result, mode=mode, key=key, dry_run=dry_run, ignored=found.ignored, refused=found.refused
    )


@exports_router.get(
    "/leads.csv",
    summary="Export leads as CSV",
    responses=CSV_DOWNLOAD,
    response_class=StreamingResponse,
)
async def export_leads(bus: BusDep, filters: LeadFilterQuery) -> StreamingResponse:
    """The filters of the lead list. See `export_contacts` for the format."""

    async def page(cursor: str | None) -> ExportPage[Any]:
        return await bus.read(exports.export_leads, filters=filters, cursor=cursor)

    return await _csv("leads", writing.LEADS, page)


@exports_router.get(
    "/contacts.csv",
    summary="Export contacts as CSV",
    responses=CSV_DOWNLOAD,
    response_class=StreamingResponse,
)
async def export_contacts(bus: BusDep, query: Annotated[ContactExportQuery, Query()]) -> StreamingResponse:
    """UTF-8 with a byte order mark (for spreadsheet tools), comma separated, CRLF lines, newest
    first, streamed page by page. Lists are `; `-separated. Cells that a spreadsheet would run as a
    formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) start with a `'`, and control
    characters are removed; an import reads such cells back without the `'`."""

    async def page(cursor: str | None) -> ExportPage[Any]:
        return await bus.read(exports.export_contacts, filters=query.contact_filters(), cursor=cursor)

    return await _csv("contacts", writing.CONTACTS, page)


@exports_router.get(
    "/accounts.csv",
    summary="Export accounts as CSV",
    responses=CSV_DOWNLOAD,
    response_class=StreamingResponse,
)
async def export_accounts(bus: BusDep, query: Annotated[AccountExportQuery, Query()]) -> StreamingResponse:
    """The filters of the account list. See `export_contacts` for the format."""

    async def page(cursor: str | None) -> ExportPage[Any]:
        return await bus.read(exports.export_accounts, filters=query.account_filters(), cursor=cursor)

    return await _csv("accounts", writing.ACCOUNTS, page)


async def _csv(
    name: str, fmt: ExportFormat, page: Callable[[str | None], Awaitable[ExportPage[Any]]]
) -> StreamingResponse:
    """The first page is read before answering, so that a refusal is a problem response, not a
    broken download; each further page is its own short read."""
    first = await page(None)

    async def lines() -> AsyncIterator[str]:
        yield writing.header(fmt)
        current = first
        while True:
            yield writing.lines(fmt, current.records, current.external_ids)
            if current.next_cursor is None:
                return
            current = await page(current.next_cursor)

    disposition = f'attachment; filename="{name}.csv"'
    return StreamingResponse(
        lines(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )
