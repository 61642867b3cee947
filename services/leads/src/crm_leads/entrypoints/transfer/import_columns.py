"""Columns of the import files, and how a row becomes the input of the HTTP API's schemas: an import
row is checked by exactly the rules of `POST` (create) and `PATCH` (update by key).

Cells are text; an empty cell is a field left out. Lists (emails, phones, tags) are separated by `;`,
the first email or phone is the primary one; tags are `name` or `name:#rrggbb`. Flags read
true/false, yes/no, 1/0 (and oui/non, vrai/faux).
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError

from crm_leads.adapters.transfer.csv_files import unquote
from crm_leads.domain.accounts.values import AddressKind, domain_of_website, to_e164
from crm_leads.domain.transfer.rows import AccountRef, ImportKind, ImportRow, RowError
from crm_leads.entrypoints.accounts.schemas import (
    AccountCreate,
    AccountUpdate,
    ContactCreate,
    ContactUpdate,
)
from crm_leads.entrypoints.schemas import LeadCreate, LeadUpdate
from crm_leads.service_layer.use_cases import NewLead
from crm_shared.errors import InvalidInput
from crm_shared.http.characters import cell_errors
from crm_shared.text_keys import address_key

M = TypeVar("M", bound=BaseModel)
SEPARATOR = ";"
ALIASES = {"email": "emails", "phone": "phones"}
WORDS = {"oui": "true", "vrai": "true", "non": "false", "faux": "false"}
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
LEAD_ADDRESS = ("street", "postal_code", "city", "region", "country")
LEAD_FLAGS = ("key_account", "nurturing", "do_not_call", "do_not_email")
LEAD_TEXT = (
    "first_name", "last_name", "company_name", "job_title", "function", "department", "industry_sector",
    "website", "source", "category", "score", "company_size", "language", "owner_id", "team",
    "description", *UTM,
)  # fmt: skip
LEAD_COLUMNS = ("external_id", *LEAD_TEXT[:7], "emails", "phones", *LEAD_ADDRESS, *LEAD_TEXT[7:],
                "tags", *LEAD_FLAGS)  # fmt: skip
CONTACT_TEXT = ("first_name", "last_name", "job_title", "language")
CONTACT_FLAGS = ("do_not_email", "do_not_call")
CONTACT_LINK = ("account_id", "account_external_id", "account_role")
CONTACT_COLUMNS = ("external_id", "first_name", "last_name", "emails", "phones", "job_title", "language",
                   *CONTACT_FLAGS, *CONTACT_LINK)  # fmt: skip
ADDRESS_PARTS = ("line1", "line2", "postal_code", "city", "region", "country")
ACCOUNT_ADDRESS = tuple(f"{kind}_{part}" for kind in AddressKind for part in ADDRESS_PARTS)
ACCOUNT_TEXT = ("name", "type", "website", "email_domain", "owner_id", "csm_id", "team", "language")
ACCOUNT_COLUMNS = ("external_id", *ACCOUNT_TEXT, "key_account", "tags", *ACCOUNT_ADDRESS)
COLUMNS = {
    ImportKind.LEADS: LEAD_COLUMNS,
    ImportKind.CONTACTS: CONTACT_COLUMNS,
    ImportKind.ACCOUNTS: ACCOUNT_COLUMNS,
}


def cells_of(raw: Mapping[str, str]) -> dict[str, str]:
    """Non-empty cells under their canonical column names, as exported cells read back."""
    return {ALIASES.get(column, column): unquote(value) for column, value in raw.items() if value}


def column_of(kind: ImportKind) -> Callable[[str], str]:
    return {ImportKind.LEADS: lead_column, ImportKind.CONTACTS: contact_column}.get(
        kind, lambda field: account_column(field, ())
    )


def lead_column(field: str) -> str:
    head, _, rest = field.partition(".")
    if head == "address" and rest:
        return rest.split(".")[0]
    return ALIASES.get(head, head) or "*"


def contact_column(field: str) -> str:
    head = field.partition(".")[0]
    return {"accounts": "account_id", **ALIASES}.get(head, head) or "*"


def account_column(field: str, kinds: tuple[str, ...]) -> str:
    head, _, rest = field.partition(".")
    parts = rest.split(".")
    if head == "addresses" and len(parts) == 2 and parts[0].isdigit() and int(parts[0]) < len(kinds):
        return f"{kinds[int(parts[0])]}_{parts[1]}"
    return {"email": "email_domain"}.get(head, head) or "*"


def lead_row(row: int, raw: Mapping[str, str], *, phone_region: str | None) -> ImportRow:
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
    create, create_errors = _validated(LeadCreate, values, row, lead_column)
    update, update_errors = _validated(LeadUpdate, _without(values, "owner_id"), row, lead_column)
    return ImportRow(
        row=row,
        create=_new_lead(create) if create else None,
        changes=update.changes() if update else None,
        create_errors=create_errors,
        update_errors=update_errors,
        external_id=cells.get("external_id"),
        email=_first(cells.get("emails")),
    )


def contact_row(row: int, raw: Mapping[str, str], *, phone_region: str | None) -> ImportRow:
    cells = cells_of(raw)
    values: dict[str, Any] = {c: cells[c] for c in CONTACT_TEXT if c in cells}
    values |= {c: _flag(cells[c]) for c in CONTACT_FLAGS if c in cells}
    if "emails" in cells:
        values["emails"] = _split(cells["emails"])
    if "phones" in cells:
        values["phones"] = [_phone(p, phone_region) for p in _split(cells["phones"])]
    links, link_errors = _links(row, cells)
    create, create_errors = _validated(ContactCreate, values, row, contact_column)
    update, update_errors = _validated(ContactUpdate, values, row, contact_column)
    return ImportRow(
        row=row,
        create=create.domain_values(only_set=False) if create else None,
        changes=update.domain_values(only_set=True) if update else None,
        create_errors=create_errors + link_errors,
        update_errors=update_errors + link_errors,
        external_id=cells.get("external_id"),
        email=_first(cells.get("emails")),
        accounts=links,
    )


def account_row(row: int, raw: Mapping[str, str]) -> ImportRow:
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
    locate: Callable[[str], str] = lambda field: account_column(field, kinds)  # noqa: E731
    create, create_errors = _validated(AccountCreate, values, row, locate)
    update, update_errors = _validated(AccountUpdate, values, row, locate)
    domain = cells.get("email_domain") or domain_of_website(cells.get("website"))
    return ImportRow(
        row=row,
        create=create.domain_values(only_set=False) if create else None,
        changes=update.domain_values(only_set=True) if update else None,
        create_errors=create_errors,
        update_errors=update_errors,
        external_id=cells.get("external_id"),
        email=address_key(domain) if domain else None,
    )


def _validated(
    model: type[M], values: dict[str, Any], row: int, locate: Callable[[str], str]
) -> tuple[M | None, tuple[RowError, ...]]:
    try:
        return model.model_validate(values), ()
    except ValidationError as exc:
        errors = (RowError(row, locate(".".join(str(p) for p in e["loc"])), e["msg"]) for e in exc.errors())
        return None, tuple(dict.fromkeys(errors))


def _new_lead(body: LeadCreate) -> NewLead:
    """As `POST /v1/leads` makes it."""
    return NewLead(
        last_name=body.last_name,
        owner_id=body.owner_id,
        language=body.language or "en",
        details={k: v for k, v in body.changes().items() if k not in {"last_name", "language"}},
    )


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


def _without(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Owners change through assignment, not by an update."""
    return {k: v for k, v in values.items() if k not in names}


def refuse_control_characters(row: ImportRow, cells: Mapping[str, str]) -> ImportRow:
    """A cell holding a character that no record may store (NUL...) rejects its row, naming the column;
    the row's keys are dropped too, so that nothing is looked up with them."""
    refused = tuple(RowError(row.row, column, message) for column, message in cell_errors(cells).items())
    if not refused:
        return row
    return replace(
        row,
        create_errors=(*row.create_errors, *refused),
        update_errors=(*row.update_errors, *refused),
        external_id=None,
        email=None,
    )


def read_row(kind: ImportKind, row: int, raw: Mapping[str, str], *, phone_region: str | None) -> ImportRow:
    if kind is ImportKind.LEADS:
        read = lead_row(row, raw, phone_region=phone_region)
    elif kind is ImportKind.CONTACTS:
        read = contact_row(row, raw, phone_region=phone_region)
    else:
        read = account_row(row, raw)
    return refuse_control_characters(read, cells_of(raw))
