"""The columns of import and export files, and which column holds each field of the HTTP API's
schemas (so that an error names the column at fault). An export's columns are an import's, so an
exported file can be edited and imported back."""

from collections.abc import Callable

from crm_leads.domain.addresses import AddressKind
from crm_leads.domain.transfer.rows import ImportKind

SEPARATOR = ";"
"""Between the items of a list cell (emails, phones, tags)."""
ALIASES = {"email": "emails", "phone": "phones"}
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
    """`kinds` are the address kinds of the row, in the order its `addresses` list them."""
    head, _, rest = field.partition(".")
    parts = rest.split(".")
    if head == "addresses" and len(parts) == 2 and parts[0].isdigit() and int(parts[0]) < len(kinds):
        return f"{kinds[int(parts[0])]}_{parts[1]}"
    return {"email": "email_domain"}.get(head, head) or "*"
