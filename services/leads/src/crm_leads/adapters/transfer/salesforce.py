"""Salesforce `sf data tree` files (`{"records": [...]}`, each record with `attributes.type` and
`attributes.referenceId`) as an import source. Accounts and contacts are read as rows of the CSV
columns and go through the same checks; a contact's `AccountId` is `@referenceId` of an account in
the same import, or the Salesforce id of an account imported before (its external id). Errors name
the Salesforce fields."""

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crm_leads.adapters.transfer.columns import column_of
from crm_leads.adapters.transfer.csv_files import MAX_ROWS
from crm_leads.adapters.transfer.reading import (
    FileBatch,
    FileRecords,
    RecordValues,
    account_values,
    contact_values,
    refuse_control_characters,
)
from crm_leads.domain.transfer.rows import AccountRef, ImportKind, RowError
from crm_shared.errors import InvalidInput

ACCOUNT_FIELDS = {
    "Id": "external_id", "Name": "name", "Type": "type", "Website": "website",
    "BillingStreet": "billing_line1", "BillingPostalCode": "billing_postal_code",
    "BillingCity": "billing_city", "BillingState": "billing_region", "BillingCountry": "billing_country",
    "ShippingStreet": "delivery_line1", "ShippingPostalCode": "delivery_postal_code",
    "ShippingCity": "delivery_city", "ShippingState": "delivery_region",
    "ShippingCountry": "delivery_country",
}  # fmt: skip
CONTACT_FIELDS = {
    "Id": "external_id", "FirstName": "first_name", "LastName": "last_name", "Title": "job_title",
    "Email": "emails", "Phone": "phones", "MobilePhone": "phones", "HasOptedOutOfEmail": "do_not_email",
    "DoNotCall": "do_not_call", "AccountId": "account",
}  # fmt: skip
SOBJECTS = {"Account": ImportKind.ACCOUNTS, "Contact": ImportKind.CONTACTS}
ACCOUNT_TYPES = (("customer", "customer"), ("partner", "partner"), ("reseller", "partner"),
                 ("prospect", "prospect"), ("supplier", "supplier"), ("vendor", "supplier"))  # fmt: skip


class SalesforceTree(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[dict[str, Any]] = Field(max_length=MAX_ROWS)


def read_trees(files: Sequence[tuple[str, bytes]], *, phone_region: str | None) -> FileRecords:
    """Account batches first, so that contacts find the accounts they reference."""
    result = FileRecords()
    trees = [(name, tree) for name, data in files if (tree := _tree(name, data)) is not None]
    for kind in (ImportKind.ACCOUNTS, ImportKind.CONTACTS):
        for name, tree in trees:
            records = _records(name, tree, kind, phone_region, result)
            if records:
                result.batches.append(FileBatch(kind, records, _locate(kind), name))
    return result


def _tree(name: str, data: bytes) -> SalesforceTree | None:
    """None for the data plan (a list of steps): accounts always go before contacts anyway."""
    try:
        loaded = json.loads(data)
        return None if isinstance(loaded, list) else SalesforceTree.model_validate(loaded)
    except RecursionError as exc:
        raise InvalidInput(name, "not a Salesforce data tree file: nested too deep") from exc
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(name, f"not a Salesforce data tree file ({{'records': [...]}}): {exc}") from exc


def _records(
    name: str, tree: SalesforceTree, kind: ImportKind, region: str | None, result: FileRecords
) -> list[RecordValues]:
    records = []
    for number, record in enumerate(tree.records, start=1):
        attributes = record.get("attributes") or {}
        sobject = SOBJECTS.get(str(attributes.get("type"))) if isinstance(attributes, dict) else None
        if sobject is None and kind is ImportKind.ACCOUNTS:  # reported once, on the first pass
            message = f"{attributes.get('type')!r} records are not imported here (accounts and contacts are)"
            result.refused.append(RowError(number, "attributes.type", message, name))
        if sobject is not kind:
            continue
        fields = ACCOUNT_FIELDS if kind is ImportKind.ACCOUNTS else CONTACT_FIELDS
        result.ignored |= {f for f in record if f not in fields and f != "attributes"}
        read = _record(number, record, kind, region)
        records.append(replace(read, reference=attributes.get("referenceId")))
    return records


def _record(number: int, record: Mapping[str, Any], kind: ImportKind, region: str | None) -> RecordValues:
    fields = ACCOUNT_FIELDS if kind is ImportKind.ACCOUNTS else CONTACT_FIELDS
    cells: dict[str, str] = {}
    for name, column in fields.items():
        if record.get(name) not in (None, ""):
            text = _text(record[name])
            cells[column] = f"{cells[column]};{text}" if column in cells else text
    if kind is ImportKind.ACCOUNTS:
        cells["type"] = _account_type(cells.get("type"))
        return _renamed(refuse_control_characters(account_values(number, cells), cells), ACCOUNT_FIELDS)
    account = cells.pop("account", None)
    read = contact_values(number, cells, phone_region=region)
    if account:
        read = replace(read, accounts=_account_ref(account))
        cells["account_id"] = account
    return _renamed(refuse_control_characters(read, cells), CONTACT_FIELDS)


def _account_ref(value: str) -> tuple[AccountRef, ...]:
    if value.startswith("@"):
        return (AccountRef("AccountId", reference=value[1:]),)
    return (AccountRef("AccountId", external_id=value),)


def _account_type(value: str | None) -> str:
    """Salesforce's picklist (`Customer - Direct`, `Technology Partner`...) to ours; prospect else."""
    text = (value or "").lower()
    return next((ours for word, ours in ACCOUNT_TYPES if word in text), "prospect")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _source_names(fields: Mapping[str, str]) -> dict[str, str]:
    """Our column -> the Salesforce field, for error reports (the first field of a shared column)."""
    names: dict[str, str] = {}
    for source, column in fields.items():
        names.setdefault(column, source)
    return names | {"account_id": "AccountId", "account_external_id": "AccountId"}


def _renamed(read: RecordValues, fields: Mapping[str, str]) -> RecordValues:
    """Errors on the Salesforce fields rather than on our columns."""
    names = _source_names(fields)

    def locate(field_name: str) -> str:
        column = read.locate(field_name)
        return names.get(column, column)

    refused = tuple(replace(e, column=names.get(e.column, e.column)) for e in read.refused)
    return replace(read, locate=locate, refused=refused)


def _locate(kind: ImportKind) -> Callable[[str], str]:
    names = _source_names(ACCOUNT_FIELDS if kind is ImportKind.ACCOUNTS else CONTACT_FIELDS)
    columns = column_of(kind)
    return lambda field_name: names.get(columns(field_name), columns(field_name))
