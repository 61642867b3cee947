"""The activity timeline: one row per domain event per record it is about."""

from sqlalchemy import Column, DateTime, Index, String, Table, Uuid
from sqlalchemy.dialects.postgresql import JSONB

from crm_leads.adapters.metadata import metadata

history_entries = Table(
    "history_entries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("subject_id", Uuid, nullable=False),
    Column("subject_field", String(32), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("actor", String(128)),
    Column("data", JSONB, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("correlation_id", String(128)),
    Index("ix_history_entries_subject_id_id", "subject_id", "id"),
)
