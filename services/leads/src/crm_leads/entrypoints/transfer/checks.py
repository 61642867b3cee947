"""Import records checked by exactly the rules of the HTTP API: a row that creates a record by the
schema of its `POST`, a row that updates one (update by key) by the schema of its `PATCH`. Errors
name the file's columns."""

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from crm_leads.adapters.transfer.reading import FileBatch, RecordValues
from crm_leads.domain.transfer.rows import ImportBatch, ImportKind, ImportRow, RowError
from crm_leads.entrypoints.accounts.schemas import (
    AccountCreate,
    AccountUpdate,
    ContactCreate,
    ContactUpdate,
)
from crm_leads.entrypoints.schemas import LeadCreate, LeadUpdate

M = TypeVar("M", bound=BaseModel)
Checked = tuple[Any, dict[str, Any] | None, tuple[RowError, ...], tuple[RowError, ...]]
"""The create use case's input, the update's changes, and the errors that leave each out."""


def checked_batch(batch: FileBatch) -> ImportBatch:
    return ImportBatch(batch.kind, [checked(r) for r in batch.records], batch.column_of, batch.file)


def checked(record: RecordValues) -> ImportRow:
    check = {ImportKind.LEADS: _lead, ImportKind.CONTACTS: _contact}.get(record.kind, _account)
    create, changes, create_errors, update_errors = check(record)
    return ImportRow(
        row=record.row,
        create=create,
        changes=changes,
        create_errors=create_errors + record.refused,
        update_errors=update_errors + record.refused,
        external_id=record.external_id,
        email=record.email,
        accounts=record.accounts,
        reference=record.reference,
    )


def _lead(record: RecordValues) -> Checked:
    create, create_errors = _validated(LeadCreate, record.values, record)
    # Owners change through assignment, not by an update.
    changes = {k: v for k, v in record.values.items() if k != "owner_id"}
    update, update_errors = _validated(LeadUpdate, changes, record)
    return (
        create.new_lead() if create else None,
        update.changes() if update else None,
        create_errors,
        update_errors,
    )


def _contact(record: RecordValues) -> Checked:
    create, create_errors = _validated(ContactCreate, record.values, record)
    update, update_errors = _validated(ContactUpdate, record.values, record)
    return (
        create.domain_values(only_set=False) if create else None,
        update.domain_values(only_set=True) if update else None,
        create_errors,
        update_errors,
    )


def _account(record: RecordValues) -> Checked:
    create, create_errors = _validated(AccountCreate, record.values, record)
    update, update_errors = _validated(AccountUpdate, record.values, record)
    return (
        create.domain_values(only_set=False) if create else None,
        update.domain_values(only_set=True) if update else None,
        create_errors,
        update_errors,
    )


def _validated(
    model: type[M], values: dict[str, Any], record: RecordValues
) -> tuple[M | None, tuple[RowError, ...]]:
    locate: Callable[[str], str] = record.locate
    try:
        return model.model_validate(values), ()
    except ValidationError as exc:
        errors = (
            RowError(record.row, locate(".".join(str(p) for p in e["loc"])), e["msg"]) for e in exc.errors()
        )
        return None, tuple(dict.fromkeys(errors))
