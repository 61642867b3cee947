"""CSV exports: `id`, the import columns (so an export can be edited and imported back with
`mode=update_by_key`), then read-only columns, which an import ignores.

UTF-8 with a byte order mark (for spreadsheet tools), comma separated, CRLF lines. Lists are
`; `-separated. Cells that a spreadsheet would run as a formula start with a `'` (see `csv_files`)."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from crm_leads.adapters.transfer.columns import (
    ACCOUNT_COLUMNS,
    ADDRESS_PARTS,
    CONTACT_COLUMNS,
    LEAD_ADDRESS,
    LEAD_COLUMNS,
    SEPARATOR,
)
from crm_leads.adapters.transfer.csv_files import BOM, csv_lines
from crm_leads.domain.accounts.account import Account
from crm_leads.domain.accounts.contact import Contact
from crm_leads.domain.model import Lead

LIFECYCLE = ("prospect_state", "customer_state")
LEAD_EXTRA = ("status", "lost_reason", "lost_at", "account_id", "contact_id", "created_at", "updated_at",
              "converted_at")  # fmt: skip
CONTACT_EXTRA = (*LIFECYCLE, "created_at", "updated_at")
ACCOUNT_EXTRA = ("reference_number", *LIFECYCLE, "created_at", "updated_at")


@dataclass(frozen=True)
class ExportFormat:
    columns: tuple[str, ...]
    values: Callable[[Any], Mapping[str, Any]]
    """The record's values that are not plain attributes of the same name."""


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return f"{SEPARATOR} ".join(cell(v) for v in value)
    return str(value)


def row_of(fmt: ExportFormat, record: Any, external_id: str | None) -> list[str]:
    special = dict(fmt.values(record)) | {"external_id": external_id}
    return [cell(special[c] if c in special else getattr(record, c, None)) for c in fmt.columns]


def header(fmt: ExportFormat) -> str:
    """The first line of the file, after the byte order mark."""
    return BOM + csv_lines([fmt.columns])


def lines(fmt: ExportFormat, records: Iterable[Any], external_ids: Mapping[UUID, str]) -> str:
    return csv_lines(row_of(fmt, r, external_ids.get(r.id)) for r in records)


def _lead_values(lead: Lead) -> dict[str, Any]:
    address = lead.address
    return {
        "emails": [e.address for e in lead.emails],
        "phones": [p.number for p in lead.phones],
        "tags": [f"{t.name}:{t.colour}" for t in lead.tags],
        **{part: getattr(address, part) if address else None for part in LEAD_ADDRESS},
    }


def _contact_values(contact: Contact) -> dict[str, Any]:
    primary = contact.accounts[0] if contact.accounts else None
    return {
        "account_id": primary.account_id if primary else None,
        "account_role": primary.role if primary else None,
        "account_external_id": None,
        "account_ids": [link.account_id for link in contact.accounts],
    }


def _account_values(account: Account) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for address in account.addresses:
        values |= {f"{address.kind}_{part}": getattr(address, part) for part in ADDRESS_PARTS}
    return values


def _with_id(columns: Sequence[str], *extra: str) -> tuple[str, ...]:
    return ("id", *columns, *extra)


LEADS = ExportFormat(_with_id(LEAD_COLUMNS, *LEAD_EXTRA), _lead_values)
CONTACTS = ExportFormat(
    _with_id([c for c in CONTACT_COLUMNS if c != "account_external_id"], "account_ids", *CONTACT_EXTRA),
    _contact_values,
)
ACCOUNTS = ExportFormat(_with_id(ACCOUNT_COLUMNS, *ACCOUNT_EXTRA), _account_values)
