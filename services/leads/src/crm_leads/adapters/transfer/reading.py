"""How a record of an import file becomes the fields of the HTTP API's schemas (which then check it,
see `entrypoints.transfer.checks`).

Cells are text; an empty cell is a field left out. Lists (emails, phones, tags) are separated by `;`,
the first email or phone is the primary one; tags are `name` or `name:#rrggbb`. Flags read
true/false, yes/no, 1/0 (and oui/non, vrai/faux).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from crm_leads.adapters.transfer.columns import (
    ACCOUNT_TEXT,
    ADDRESS_PARTS,
    ALIASES,
    COLUMNS,
    CONTACT_FLAGS,
    CONTACT_TEXT,
    LEAD_ADDRESS,
    LEAD_FLAGS,
    LEAD_TEXT,
    SEPARATOR,
    account_column,
    column_of,
    contact_column,
    lead_column,
)
from crm_leads.adapters.transfer.csv_files import read_csv, unquote
from crm_leads.domain.accounts.values import domain_of_website, to_e164
from crm_leads.domain.addresses import AddressKind
from crm_leads.domain.transfer.rows import AccountRef, ImportKind, RowError
from crm_shared.errors import InvalidInput
from crm_shared.http.characters import cell_errors
from crm_shared.text_keys import address_key

WORDS = {"oui": "true", "vrai": "true", "non": "false", "faux": "false"}


@dataclass(frozen=True)
class RecordValues:
    """One record of a file as the fields of the API's schemas, not checked against them yet."""

    kind: ImportKind
    row: int
    values: dict[str, Any]
    locate: Callable[[str], str]
    """The file's column (or field) holding a schema field such as `phones.0.number`."""
    refused: tuple[RowError, ...] = ()
    """What reading refused already: an unreadable account link, a forbidden character..."""
    external_id: str | None = None
    email: str | None = None
    """Value of the `email` key: the primary address (accounts: the email domain)."""
    accounts: tuple[AccountRef, ...] = ()
    reference: str | None = None
    """Name of this record within the import (Salesforce `referenceId`)."""


@dataclass(frozen=True)
class FileBatch:
    kind: ImportKind
    records: list[RecordValues]
    column_of: Callable[[str], str]
    """The file's column for a domain field name, for the errors of the use cases."""
    file: str | None = None


@dataclass
class FileRecords:
    """What the files of an import hold: batches in the order they import, and what is left out."""

    batches: list[FileBatch] = field(default_factory=list)
    refused: list[RowError] = field(default_factory=list)
    """Records refused whole before any check (Salesforce records that are not accounts nor contacts)."""
    ignored: set[str] = field(default_factory=set)
    """Columns (or fields) that are not imported."""


def read_table(kind: ImportKind, data: bytes, *, phone_region: str | None) -> FileRecords:
    """A CSV file of one kind of record; a row with more cells than the header has columns is refused."""
    table = read_csv(data)
    too_long = set(table.too_long)
    records = []
    for number, cells in table.rows:
        record = read_row(kind, number, cells, phone_region=phone_region)
        if number in too_long:
            record = refuse(record, RowError(number, "*", "more cells than the header has columns"))
        records.append(record)
    ignored = {c for c in table.columns if c and ALIASES.get(c, c) not in COLUMNS[kind]}
    return FileRecords([FileBatch(kind, records, column_of(kind))], ignored=ignored)


def read_row(kind: ImportKind, row: int, raw: Mapping[str, str], *, phone_region: str | None) -> RecordValues:
    if kind is ImportKind.LEADS:
        read = lead_values(row, raw, phone_region=phone_region)
    elif kind is ImportKind.CONTACTS:
        read = contact_values(row, raw, phone_region=phone_region)
    else:
        read = account_values(row, raw)
    return refuse_control_characters(read, cells_of(raw))


def cells_of(raw: Mapping[str, str]) -> dict[str, str]:
    """Non-empty cells under their canonical column names, as exported cells read back."""
    return {ALIASES.get(column, column): unquote(value) for column, value in raw.items() if value}


def lead_values(row: int, raw: Mapping[str, str], *, phone_region: str | None) -> RecordValues:
    cells = cells_of(raw)
    values: dict[str, Any] = {c: cells[c] for c in LEAD_TEXT if c in cells}
    values |= {c: _flag(cells[c]) for c in LEAD_FLAGS if c in cells}
    if "emails" in cells:
        values["emails"] = [{"address": a} for a in _split(cells["emails"])]
    if "phones" in cells:
        values["phones"] = [{"number": _phone(p, phone_region)} for p in _split(cells["phones"])]
    if "tags" in cells:
        values["tags"] = [_tag(t) for t in _split(cells["tags"])]
    if address := {c: cells[c] for c in LEAD_ADDRESS if c in cells}:
        values["address"] = address
    return RecordValues(
        ImportKind.LEADS,
        row,
        values,
        lead_column,
        external_id=cells.get("external_id"),
        email=_first(cells.get("emails")),
    )


def contact_values(row: int, raw: Mapping[str, str], *, phone_region: str | None) -> RecordValues:
    cells = cells_of(raw)
    values: dict[str, Any] = {c: cells[c] for c in CONTACT_TEXT if c in cells}
    values |= {c: _flag(cells[c]) for c in CONTACT_FLAGS if c in cells}
    if "emails" in cells:
        values["emails"] = _split(cells["emails"])
    if "phones" in cells:
        values["phones"] = [_phone(p, phone_region) for p in _split(cells["phones"])]
    links, link_errors = _links(row, cells)
    return RecordValues(
        ImportKind.CONTACTS,
        row,
        values,
        contact_column,
        refused=link_errors,
        external_id=cells.get("external_id"),
        email=_first(cells.get("emails")),
        accounts=links,
    )


def account_values(row: int, raw: Mapping[str, str]) -> RecordValues:
    cells = cells_of(raw)
    values: dict[str, Any] = {c: cells[c] for c in ACCOUNT_TEXT if c in cells}
    if "key_account" in cells:
        values["key_account"] = _flag(cells["key_account"])
    if "tags" in cells:
        values["tags"] = _split(cells["tags"])
    kinds = tuple(k.value for k in AddressKind if any(f"{k}_{p}" in cells for p in ADDRESS_PARTS))
    if kinds:
        values["addresses"] = [
            {"kind": k} | {p: cells[f"{k}_{p}"] for p in ADDRESS_PARTS if f"{k}_{p}" in cells} for k in kinds
        ]
    domain = cells.get("email_domain") or domain_of_website(cells.get("website"))
    return RecordValues(
        ImportKind.ACCOUNTS,
        row,
        values,
        lambda field_name: account_column(field_name, kinds),
        external_id=cells.get("external_id"),
        email=address_key(domain) if domain else None,
    )


def refuse(record: RecordValues, *errors: RowError) -> RecordValues:
    return replace(record, refused=(*record.refused, *errors))


def refuse_control_characters(record: RecordValues, cells: Mapping[str, str]) -> RecordValues:
    """A cell holding a character that no record may store (NUL...) rejects its row, naming the column;
    the row's keys are dropped too, so that nothing is looked up with them."""
    refused = [RowError(record.row, column, message) for column, message in cell_errors(cells).items()]
    if not refused:
        return record
    return replace(refuse(record, *refused), external_id=None, email=None)


def _links(row: int, cells: Mapping[str, str]) -> tuple[tuple[AccountRef, ...], tuple[RowError, ...]]:
    role = cells.get("account_role")
    if "account_id" in cells:
        try:
            return (AccountRef("account_id", role, account_id=UUID(cells["account_id"])),), ()
        except ValueError:
            return (), (RowError(row, "account_id", "not an account id (a UUID)"),)
    if "account_external_id" in cells:
        return (AccountRef("account_external_id", role, external_id=cells["account_external_id"]),), ()
    if role:
        return (), (RowError(row, "account_role", "a role needs account_id or account_external_id"),)
    return (), ()


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


def _first(cell: str | None) -> str | None:
    found = _split(cell) if cell else []
    return found[0].lower() if found else None


def _flag(cell: str) -> str:
    return WORDS.get(cell.lower(), cell)


def _tag(cell: str) -> dict[str, str]:
    name, _, colour = cell.rpartition(":")
    if name and colour.startswith("#"):
        return {"name": name.strip(), "colour": colour.strip()}
    return {"name": cell}


def _phone(number: str, region: str | None) -> str:
    """National numbers read in the import's region when one is given; else as the API reads them."""
    if region is None or number.startswith("+"):
        return number
    try:
        return to_e164(number, field="phones", region=region)
    except InvalidInput:
        return number  # the use case reports it
