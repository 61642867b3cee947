"""Tables of leads, their statuses and reference lists; `metadata` here holds every table of the service:
importing this module imports each feature's tables, which join the same MetaData."""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from crm_leads.adapters.accounts import tables as account_tables
from crm_leads.adapters.history import tables as history_tables
from crm_leads.adapters.metadata import metadata
from crm_leads.adapters.transfer import tables as transfer_tables
from crm_leads.adapters.workflows import tables as workflow_tables

lead_statuses = Table(
    "lead_statuses",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("label_en", String(64), nullable=False),
    Column("label_fr", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("is_open", Boolean, nullable=False),
)

reference_values = Table(
    "reference_values",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("value", String(128), nullable=False),
    Column("normalized", String(128), nullable=False),
    Column("label_en", String(128)),
    Column("label_fr", String(128)),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "normalized"),
)

leads = Table(
    "leads",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_name", String(255)),
    Column("last_name", String(255), nullable=False),
    Column("company_name", String(255)),
    Column("job_title", String(255)),
    Column("function", String(128)),
    Column("department", String(128)),
    Column("industry_sector", String(128)),
    Column("email", String(320), index=True),
    Column("emails", JSONB, nullable=False),
    Column("phone", String(32)),
    Column("phones", JSONB, nullable=False),
    Column("address", JSONB),
    Column("website", String(2048)),
    Column("source", String(64), index=True),
    Column("category", String(64)),
    Column("tags", JSONB, nullable=False),
    Column("score", SmallInteger, nullable=False),
    Column("company_size", String(16)),
    Column("key_account", Boolean, nullable=False),
    Column("nurturing", Boolean, nullable=False),
    Column("do_not_call", Boolean, nullable=False),
    Column("do_not_email", Boolean, nullable=False),
    Column("language", String(2), nullable=False),
    Column("owner_id", String(128)),
    Column("team", String(128), index=True),
    Column("description", Text),
    Column("utm_source", String(255)),
    Column("utm_medium", String(255)),
    Column("utm_campaign", String(255)),
    Column("utm_term", String(255)),
    Column("utm_content", String(255)),
    Column("status", String(32), ForeignKey("lead_statuses.key"), nullable=False),
    Column("rank", Float, nullable=False),
    Column("lost_reason", String(500)),
    Column("lost_at", DateTime(timezone=True)),
    Column("search_text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("converted_at", DateTime(timezone=True)),
    Column("account_id", Uuid, ForeignKey("accounts.id")),
    Column("contact_id", Uuid, ForeignKey("contacts.id")),
    Column("merged_into", Uuid, ForeignKey("leads.id")),
    Column("merged_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    # Keyset pagination: one index per sort key, ending with the id tie-breaker.
    # Live leads only: merged ones are never listed, counted or shown on the board.
    Index(
        "ix_leads_owner_created", "owner_id", "created_at", "id", postgresql_where=text("merged_into IS NULL")
    ),
    Index("ix_leads_live_status_rank", "status", "rank", "id", postgresql_where=text("merged_into IS NULL")),
    Index(
        "ix_leads_owner_status_rank",
        "owner_id",
        "status",
        "rank",
        "id",
        postgresql_where=text("merged_into IS NULL"),
    ),
    Index("ix_leads_created_at_id", "created_at", "id"),
    Index("ix_leads_updated_at_id", "updated_at", "id"),
    Index("ix_leads_score_id", "score", "id"),
    Index("ix_leads_last_name_id", "last_name", "id"),
    Index("ix_leads_tags", "tags", postgresql_using="gin", postgresql_ops={"tags": "jsonb_path_ops"}),
    Index("ix_leads_emails", "emails", postgresql_using="gin", postgresql_ops={"emails": "jsonb_path_ops"}),
    # Duplicate checks: phone containment; names, companies and email domains use search_text.
    Index("ix_leads_phones", "phones", postgresql_using="gin", postgresql_ops={"phones": "jsonb_path_ops"}),
    Index(
        "ix_leads_search_text",
        "search_text",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    ),
)

__all__ = [
    "account_tables",
    "history_tables",
    "lead_statuses",
    "leads",
    "metadata",
    "reference_values",
    "transfer_tables",
    "workflow_tables",
]
