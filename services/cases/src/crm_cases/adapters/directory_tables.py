"""Read models fed by the leads service's events: contacts and accounts, to recognise senders and find
an account's CSM. Merged records stay, pointing at their survivor."""

from sqlalchemy import Column, ForeignKey, String, Table, Uuid
from sqlalchemy.dialects.postgresql import ARRAY

from crm_cases.adapters.metadata import metadata

directory_accounts = Table(
    "directory_accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("csm_id", String(64)),
    Column("team", String(64)),
    Column("merged_into", Uuid),
)

directory_contacts = Table(
    "directory_contacts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_name", String(255)),
    Column("last_name", String(255), nullable=False),
    Column("language", String(8)),
    Column("account_id", Uuid),
    Column("account_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("merged_into", Uuid),
)

# An address may belong to several contacts (a shared mailbox); lower-case.
directory_contact_emails = Table(
    "directory_contact_emails",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("contact_id", Uuid, ForeignKey("directory_contacts.id"), primary_key=True, index=True),
)

__all__ = ["directory_accounts", "directory_contact_emails", "directory_contacts", "metadata"]
