"""What an import hands the service layer: rows already read and checked against the HTTP schemas,
and what it gets back (per-row outcome and errors)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from crm_shared.errors import CrmError


class ImportKind(StrEnum):
    LEADS = "leads"
    CONTACTS = "contacts"
    ACCOUNTS = "accounts"


class ImportMode(StrEnum):
    CREATE = "create"
    UPDATE_BY_KEY = "update_by_key"


class ImportKey(StrEnum):
    EMAIL = "email"
    """Leads and contacts: any of their addresses; accounts: their email domain."""
    EXTERNAL_ID = "external_id"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    file: str | None = None


@dataclass(frozen=True)
class AccountRef:
    """A contact's link to an account named in the file: by id, by external id, or by a reference to
    an account of the same import (Salesforce `@AccountRef1`)."""

    column: str
    role: str | None = None
    account_id: UUID | None = None
    external_id: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class ImportRow:
    """One record of the file. `create` is the create use case's input (None when the row cannot
    create a record, see `create_errors`); `changes` the update use case's (see `update_errors`)."""

    row: int
    create: Any
    changes: dict[str, Any] | None
    create_errors: tuple[RowError, ...] = ()
    update_errors: tuple[RowError, ...] = ()
    external_id: str | None = None
    email: str | None = None
    """Value of the `email` key: the primary address (accounts: the email domain)."""
    accounts: tuple[AccountRef, ...] = ()
    reference: str | None = None
    """Name of this record within the import, for later rows' references."""


@dataclass(frozen=True)
class ImportBatch:
    kind: ImportKind
    rows: list[ImportRow]
    column_of: Callable[[str], str]
    """The file's column for a domain field name such as `phones.0.number`."""
    file: str | None = None


@dataclass(frozen=True)
class RowOutcome:
    row: int
    kind: ImportKind
    action: str
    """created, updated or rejected"""
    record_id: UUID | None
    file: str | None = None
    reference: str | None = None


@dataclass
class ImportResult:
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)


class RowRejected(Exception):
    """The row is left out whole; the import goes on with the next one."""

    def __init__(self, *errors: RowError) -> None:
        super().__init__(errors)
        self.errors = errors


def domain_error(exc: CrmError, row: int, column_of: Callable[[str], str]) -> list[RowError]:
    """A use case's refusal, on the columns of the fields it names."""
    named = exc.extra.get("errors")
    if isinstance(named, list) and named:
        return [RowError(row, column_of(str(e["field"])), str(e["message"])) for e in named]
    return [RowError(row, "*", exc.detail)]
