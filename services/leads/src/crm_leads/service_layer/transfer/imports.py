"""Import use case: every valid row is created or updated, every invalid row is left out whole.

The whole import is one transaction (committed by the boundary; a dry run is rolled back). Each row
runs in a savepoint, so a row that a use case refuses half-way (e.g. after adding a reference value)
leaves nothing behind. Use cases raise their refusals before they hand an aggregate to a repository,
so a refused row never leaves a domain event to publish either. Database errors are not a row's
fault (e.g. a concurrent import of the same external id): they abort the whole import.
"""

from collections.abc import Sequence
from uuid import UUID

from crm_leads.domain.accounts.values import AccountLink
from crm_leads.domain.transfer.rows import (
    ImportBatch,
    ImportKey,
    ImportMode,
    ImportResult,
    ImportRow,
    RowError,
    RowOutcome,
    RowRejected,
    domain_error,
)
from crm_leads.service_layer.transfer.writers import WRITERS, KindWriter
from crm_leads.service_layer.unit_of_work import LeadsUnitOfWork
from crm_shared.auth import Principal, Role, authorize
from crm_shared.errors import CrmError

IMPORTERS = (Role.SALES,)
"""Sales and admin import; every role exports what it may read."""


async def import_records(
    *,
    uow: LeadsUnitOfWork,
    actor: Principal,
    batches: Sequence[ImportBatch],
    mode: ImportMode,
    key: ImportKey,
) -> ImportResult:
    """Batches run in order, so contacts can link to the accounts of an earlier batch."""
    authorize(actor, *IMPORTERS)
    run = _Import(uow, actor, mode, key)
    for batch in batches:
        for row in batch.rows:
            await run.apply(batch, row)
    return run.result


class _Import:
    def __init__(self, uow: LeadsUnitOfWork, actor: Principal, mode: ImportMode, key: ImportKey) -> None:
        self.uow, self.actor, self.mode, self.key = uow, actor, mode, key
        self.result = ImportResult()
        self.references: dict[str, UUID | None] = {}
        """Records of this import by reference; None for a rejected one."""

    async def apply(self, batch: ImportBatch, row: ImportRow) -> None:
        try:
            async with self.uow.savepoint():
                action, ident = await self._write(WRITERS[batch.kind], batch, row)
        except RowRejected as exc:
            self._reject(batch, row, exc.errors)
        except CrmError as exc:
            self._reject(batch, row, domain_error(exc, row.row, batch.column_of))
        else:
            self._remember(row, ident)
            self.result.outcomes.append(
                RowOutcome(row.row, batch.kind, action, ident, batch.file, row.reference)
            )

    async def _write(self, writer: KindWriter, batch: ImportBatch, row: ImportRow) -> tuple[str, UUID]:
        if row.reference is not None and row.reference in self.references:
            raise RowRejected(RowError(row.row, "reference", f"{row.reference!r} is used twice"))
        target = await self._match(writer, batch, row)
        new_key = await self._new_external_id(batch, row, target)
        if target is None:
            if row.create_errors or row.create is None:
                raise RowRejected(*row.create_errors)
            ident = await writer.create(self.uow, self.actor, row.create, await self._links(row))
        else:
            if row.update_errors or row.changes is None:
                raise RowRejected(*row.update_errors)
            await writer.update(self.uow, self.actor, target, row.changes, await self._links(row))
            ident = target
        if new_key:
            await self.uow.transfers.add(batch.kind, new_key, ident)
        return ("created" if target is None else "updated"), ident

    async def _match(self, writer: KindWriter, batch: ImportBatch, row: ImportRow) -> UUID | None:
        """The record this row updates: only in update_by_key mode, and None when the key is empty."""
        if self.mode is not ImportMode.UPDATE_BY_KEY:
            return None
        if self.key is ImportKey.EXTERNAL_ID:
            return (
                await self.uow.transfers.record_of(batch.kind, row.external_id) if row.external_id else None
            )
        if not row.email:
            return None
        found = await writer.with_email(self.uow, row.email)
        if len(found) > 1:
            message = f"several {batch.kind} match {row.email!r}: merge them first"
            raise RowRejected(RowError(row.row, batch.column_of("email"), message))
        return found[0] if found else None

    async def _new_external_id(self, batch: ImportBatch, row: ImportRow, target: UUID | None) -> str | None:
        """The row's external id if it is to be recorded; refused if another record holds it."""
        if not row.external_id:
            return None
        holder = await self.uow.transfers.record_of(batch.kind, row.external_id)
        if holder is not None and holder != target:
            message = f"already the external id of {batch.kind} {holder}"
            if self.mode is ImportMode.CREATE:
                message += " (import with mode=update_by_key&key=external_id to update it)"
            raise RowRejected(RowError(row.row, "external_id", message))
        if (
            holder is None
            and target is not None
            and await self.uow.transfers.external_ids(batch.kind, [target])
        ):
            message = f"{batch.kind} {target} already has another external id"
            raise RowRejected(RowError(row.row, "external_id", message))
        return row.external_id if holder is None else None

    async def _links(self, row: ImportRow) -> list[AccountLink]:
        links = []
        for ref in row.accounts:
            ident = ref.account_id
            if ref.reference is not None:
                ident = self.references.get(ref.reference)
                if ident is None:
                    raise RowRejected(RowError(row.row, ref.column, self._missing(ref.reference)))
            elif ref.external_id is not None:
                ident = await self.uow.transfers.record_of("accounts", ref.external_id)
                if ident is None:
                    message = f"no account has the external id {ref.external_id!r}"
                    raise RowRejected(RowError(row.row, ref.column, message))
            if ident is not None:
                links.append(AccountLink(ident, ref.role))
        return links

    def _missing(self, reference: str) -> str:
        if reference in self.references:
            return f"@{reference} names an account of this import that was rejected"
        return f"no record @{reference} in this import"

    def _remember(self, row: ImportRow, ident: UUID | None) -> None:
        if row.reference is not None:
            self.references.setdefault(row.reference, ident)

    def _reject(self, batch: ImportBatch, row: ImportRow, errors: Sequence[RowError]) -> None:
        found = list(errors) or [RowError(row.row, "*", "the row cannot be imported")]
        self.result.errors.extend(RowError(e.row, e.column, e.message, batch.file) for e in found)
        self._remember(row, None)
        self.result.outcomes.append(
            RowOutcome(row.row, batch.kind, "rejected", None, batch.file, row.reference)
        )
