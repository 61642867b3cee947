"""Tables of the notifier database (plus the shared outbox and inbox, from make_metadata)."""

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from crm_shared.db import make_metadata

metadata = make_metadata()

recipients = Table(
    "recipients",
    metadata,
    Column("user_id", String(128), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("name", String(255)),
    Column("language", String(2)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("template", String(64), nullable=False, index=True),
    Column("recipient", String(320), nullable=False, index=True),
    Column("email", String(320)),
    Column("to_name", String(255)),
    Column("from_address", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("language", String(2), nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("status", String(8), nullable=False, index=True),
    Column("reason", Text),
    Column("cause_event_id", Uuid),
    Column("correlation_id", String(128)),
    Column("message_id", String(255)),
    Column("also_to", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("cc", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("body_html", Text),
    Column("case_message_id", Uuid),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    # A redelivered or replayed event never notifies the same person twice with the same template.
    UniqueConstraint("cause_event_id", "template", "recipient", name="uq_notifications_cause"),
    # An agent's reply goes out once, whichever event (or replay of it) asks for it.
    UniqueConstraint("case_message_id", name="uq_notifications_case_message_id"),
    # The sender's queue: only pending rows, in the order they become due.
    Index("ix_notifications_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
)

bouncing_addresses = Table(
    "bouncing_addresses",
    metadata,
    Column("address", String(320), primary_key=True),
    Column("suppressed_until", DateTime(timezone=True), nullable=False),
    Column("bounced_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("case_id", Uuid),
    Column("bounces", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("contract_id", Uuid, nullable=False, index=True),
    Column("title", String(255), nullable=False),
    Column("end_date", Date, nullable=False),
    Column("owner_id", String(128), nullable=False),
    Column("csm_id", String(128)),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("status", String(8), nullable=False),
    Column("cause_event_id", Uuid),
    Column("correlation_id", String(128)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("fired_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    UniqueConstraint("kind", "contract_id", name="uq_reminders_kind_contract"),
    Index("ix_reminders_due", "due_at", postgresql_where=text("status = 'pending'")),
)
