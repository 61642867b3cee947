"""Tables of accounts and contacts."""

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Uuid

from crm_leads.adapters.metadata import metadata

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("email_domain", String(255), index=True),
    Column("owner_id", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_name", String(255)),
    Column("last_name", String(255), nullable=False),
    Column("email", String(320), index=True),
    Column("phone", String(32)),
    Column("language", String(2), nullable=False),
    Column("account_id", Uuid, ForeignKey("accounts.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)
