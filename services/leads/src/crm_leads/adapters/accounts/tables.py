"""Tables of accounts and contacts, their links, and the lifecycle read model of deals."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    Table,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from crm_leads.adapters.metadata import metadata

# Human-friendly account numbers; a sequence never hands out the same number twice, even concurrently.
account_reference_seq = Sequence("account_reference_seq", metadata=metadata, start=1000)


def _lifecycle_columns() -> list[Column[object]]:
    return [
        Column("prospect_state", String(16), nullable=False, server_default="none", index=True),
        Column("customer_state", String(16), nullable=False, server_default="none", index=True),
        Column("prospect_override", String(16)),
        Column("prospect_override_at", DateTime(timezone=True)),
        Column("customer_override", String(16)),
        Column("customer_override_at", DateTime(timezone=True)),
    ]


accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("type", String(16), nullable=False, server_default="prospect", index=True),
    Column(
        "reference_number",
        BigInteger,
        nullable=False,
        unique=True,
        server_default=account_reference_seq.next_value(),
    ),
    Column("website", String(2048)),
    Column("email_domain", String(255), index=True),
    Column("owner_id", String(128), index=True),
    Column("csm_id", String(128)),
    Column("team", String(64)),
    Column("language", String(2), nullable=False, server_default="en"),
    Column("key_account", Boolean, nullable=False, server_default="false"),
    Column("tags", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("addresses", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    *_lifecycle_columns(),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True)),
    Column("merged_into", Uuid, ForeignKey("accounts.id")),
    Column("merged_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    # Derived by the repository (adapters.search_keys): the casefolded name, and the company key.
    Column("search_text", Text, nullable=False),
    Column("name_key", Text, nullable=False, index=True),
)
Index("ix_accounts_tags", accounts.c.tags, postgresql_using="gin")
# Text search and duplicate checks: fuzzy company names.
Index(
    "ix_accounts_search_text_trgm",
    accounts.c.search_text,
    postgresql_using="gin",
    postgresql_ops={"search_text": "gin_trgm_ops"},
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_name", String(255)),
    Column("last_name", String(255), nullable=False),
    Column("email", String(320), index=True),
    Column("other_emails", ARRAY(String(320)), nullable=False, server_default="{}"),
    Column("email_domain", String(255), index=True),
    Column("phone", String(32), index=True),
    Column("other_phones", ARRAY(String(32)), nullable=False, server_default="{}"),
    Column("job_title", String(255)),
    Column("language", String(2), nullable=False),
    Column("do_not_email", Boolean, nullable=False, server_default="false"),
    Column("do_not_call", Boolean, nullable=False, server_default="false"),
    # The primary account (the first link), kept for quick joins; every link is in contact_accounts.
    Column("account_id", Uuid, ForeignKey("accounts.id")),
    *_lifecycle_columns(),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True)),
    Column("merged_into", Uuid, ForeignKey("contacts.id")),
    Column("merged_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    # Derived by the repository (adapters.search_keys): names and addresses, casefolded.
    Column("search_text", Text, nullable=False),
)
# Duplicate checks: every address and number; text search and fuzzy names.
Index("ix_contacts_other_emails", contacts.c.other_emails, postgresql_using="gin")
Index("ix_contacts_other_phones", contacts.c.other_phones, postgresql_using="gin")
Index(
    "ix_contacts_search_text_trgm",
    contacts.c.search_text,
    postgresql_using="gin",
    postgresql_ops={"search_text": "gin_trgm_ops"},
)

contact_accounts = Table(
    "contact_accounts",
    metadata,
    Column("contact_id", Uuid, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.id"), primary_key=True, index=True),
    Column("role", String(128)),
    Column("position", Integer, nullable=False),
)

# What lifecycle knows of each deal: fed by deal events, applied only when newer than what is stored.
lifecycle_deals = Table(
    "lifecycle_deals",
    metadata,
    Column("deal_id", Uuid, primary_key=True),
    Column("status", String(8), nullable=False),
    Column("contact_id", Uuid, index=True),
    Column("account_id", Uuid, index=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
