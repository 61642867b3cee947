"""Keys that imported records carry in the systems they came from (one per record and kind)."""

from sqlalchemy import Column, DateTime, Index, String, Table, Uuid

from crm_leads.adapters.metadata import metadata

external_ids = Table(
    "external_ids",
    metadata,
    Column("kind", String(16), primary_key=True),  # leads, contacts or accounts
    Column("external_id", String(255), primary_key=True),
    Column("record_id", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_external_ids_kind_record_id", "kind", "record_id", unique=True),
)
