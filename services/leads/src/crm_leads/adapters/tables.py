"""Tables of the leads database (plus the shared outbox and inbox, from make_metadata)."""

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, Uuid

from crm_shared.db import make_metadata

metadata = make_metadata()

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
