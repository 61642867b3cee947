"""HTTP schemas of imports (the report) and exports (the list filters they accept)."""

from collections.abc import Iterable, Sequence
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from crm_leads.domain.accounts.lifecycle import CustomerState, ProspectState
from crm_leads.domain.accounts.lists import Filters
from crm_leads.domain.accounts.values import AccountType
from crm_leads.domain.transfer.rows import ImportKey, ImportMode, ImportResult, RowError
from crm_shared.text_keys import address_key

MAX_REPORTED_ERRORS = 1000


class ImportErrorPublic(BaseModel):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1 (JSON: the record's rank)")
    column: str = Field(description="The column (Salesforce: the field) at fault; `*` for the whole row")
    message: str
    file: str | None = Field(None, description="The uploaded file, when an import has several")


class ImportedRow(BaseModel):
    row: int
    kind: str
    action: str = Field(description="created, updated or rejected")
    id: UUID | None = Field(description="The record created or updated (none in a dry run)")
    file: str | None = None
    reference: str | None = Field(None, description="Salesforce referenceId")


class ImportReport(BaseModel):
    mode: ImportMode
    key: ImportKey
    dry_run: bool = Field(description="True: nothing was written; the counts say what an import would do")
    created: int
    updated: int
    rejected: int
    errors: list[ImportErrorPublic] = Field(description="Every problem of every rejected row")
    errors_truncated: bool = Field(
        False, description=f"Only the first {MAX_REPORTED_ERRORS} errors are listed"
    )
    ignored_columns: list[str] = Field(description="Columns (fields) that are not imported")
    rows: list[ImportedRow]

    @classmethod
    def of(
        cls,
        result: ImportResult,
        *,
        mode: ImportMode,
        key: ImportKey,
        dry_run: bool,
        ignored: Iterable[str],
        refused: Sequence[RowError] = (),
    ) -> "ImportReport":
        errors = [*refused, *result.errors]
        return cls(
            mode=mode,
            key=key,
            dry_run=dry_run,
            created=result.count("created"),
            updated=result.count("updated"),
            rejected=result.count("rejected") + len({(e.file, e.row) for e in refused}),
            errors=[ImportErrorPublic(**vars(e)) for e in errors[:MAX_REPORTED_ERRORS]],
            errors_truncated=len(errors) > MAX_REPORTED_ERRORS,
            ignored_columns=sorted(ignored),
            rows=[
                ImportedRow(
                    row=o.row,
                    kind=o.kind.value,
                    action=o.action,
                    id=None if dry_run else o.record_id,
                    file=o.file,
                    reference=o.reference,
                )
                for o in result.outcomes
            ],
        )


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prospect_state: ProspectState | None = None
    customer_state: CustomerState | None = None
    email_domain: str | None = Field(None, max_length=255)
    q: str | None = Field(None, max_length=100, description="Part of the name (contacts: or the email)")

    def filters(
        self,
        *equal: str,
        tag: str | None = None,
        account_id: UUID | None = None,
        email: str | None = None,
    ) -> Filters:
        values = {name: getattr(self, name) for name in ("prospect_state", "customer_state", *equal)}
        domain = address_key(self.email_domain) if self.email_domain else None
        return Filters(
            equal=values | {"email_domain": domain},
            text=self.q,
            tag=tag,
            account_id=account_id,
            email=email,
        )


class AccountExportQuery(ExportQuery):
    type: AccountType | None = None
    owner_id: str | None = Field(None, max_length=128)
    csm_id: str | None = Field(None, max_length=128)
    team: str | None = Field(None, max_length=64)
    key_account: bool | None = None
    tag: str | None = Field(None, max_length=64, description="Accounts carrying this tag")

    def account_filters(self) -> Filters:
        return self.filters("type", "owner_id", "csm_id", "team", "key_account", tag=self.tag)


class ContactExportQuery(ExportQuery):
    account_id: UUID | None = Field(None, description="Contacts linked to this account")
    email: EmailStr | None = None
    language: str | None = Field(None, pattern="^(fr|en)$")

    def contact_filters(self) -> Filters:
        return self.filters("language", account_id=self.account_id, email=self.email)
