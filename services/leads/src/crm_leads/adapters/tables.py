"""Tables of leads; `metadata` here holds every table of the service (see the import at the end)."""

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, Uuid

from crm_leads.adapters.metadata import metadata

leads = Table(
    "leads",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_name", String(255)),
    Column("last_name", String(255), nullable=False),
    Column("company_name", String(255)),
    Column("email", String(320), index=True),
    Column("phone", String(32)),
    Column("source", String(64)),
    Column("language", String(2), nullable=False),
    Column("owner_id", String(128), index=True),
    Column("status", String(32), nullable=False, index=True),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("converted_at", DateTime(timezone=True)),
    Column("account_id", Uuid, ForeignKey("accounts.id")),
    Column("contact_id", Uuid, ForeignKey("contacts.id")),
    Column("version", Integer, nullable=False),
)

# Registers the account and contact tables on the same metadata (migrations and tests import this module).
from crm_leads.adapters import account_tables, workflow_tables  # noqa: E402

__all__ = ["account_tables", "leads", "metadata", "workflow_tables"]
