"""Tables of the cases database (plus the shared outbox and inbox, from make_metadata)."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY

from crm_cases.adapters.metadata import metadata

# Human-friendly case numbers (CASE-1001, CASE-1002...): gaps after a rollback are fine, duplicates never.
case_numbers = Sequence("case_numbers", start=1001, metadata=metadata)

raw_messages = Table(
    "raw_messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("mailbox", String(320), nullable=False),
    Column("message_id", String(252), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(24), nullable=False, index=True),
    Column("reason", Text),
    # A redelivered mail is stored once; senders that reuse a Message-ID for another mail are kept apart.
    UniqueConstraint("mailbox", "message_id", "digest", name="uq_raw_messages_delivery"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("subject", Text, nullable=False),
    Column("status", String(24), nullable=False, index=True),
    Column("priority", String(16), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("requester_email", String(320), index=True),
    Column("requester_name", String(255)),
    Column("language", String(2), nullable=False),
    Column("mailbox", String(320)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("type", String(16)),
    Column("account_id", Uuid, index=True),
    Column("contact_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("unknown_contact", Boolean, nullable=False, server_default="false"),
    Column("assignee_id", String(64), index=True),
    Column("team", String(64), index=True),
    Column("tags", ARRAY(String(64)), nullable=False, server_default="{}"),
    Column("participants", ARRAY(String(320)), nullable=False, server_default="{}"),
    Column("first_response_due_at", DateTime(timezone=True)),
    Column("resolution_due_at", DateTime(timezone=True)),
    Column("first_responded_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("merged_into", Uuid, ForeignKey("cases.id")),
)

case_messages = Table(
    "case_messages",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("direction", String(16), nullable=False),
    Column("author", String(320)),
    # Not unique: replies are threaded on any id a case's messages carry, and senders reuse ids.
    Column("message_id", String(252), index=True),
    Column("in_reply_to", String(252)),
    Column("references", ARRAY(String(252)), nullable=False, server_default="{}"),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("raw_message_id", Uuid, ForeignKey("raw_messages.id")),
    Column("visibility", String(8), nullable=False, server_default="public"),
    Column("author_name", String(255)),
    Column("body_html", Text),
    Column("quoted", Text, nullable=False, server_default=""),
    Column("to", ARRAY(String(320)), nullable=False, server_default="{}"),
    Column("cc", ARRAY(String(320)), nullable=False, server_default="{}"),
)

case_attachments = Table(
    "case_attachments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("case_message_id", Uuid, ForeignKey("case_messages.id"), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# One row per link, stored from the case that made it; read in both directions.
case_links = Table(
    "case_links",
    metadata,
    Column("case_id", Uuid, ForeignKey("cases.id"), primary_key=True),
    Column("linked_case_id", Uuid, ForeignKey("cases.id"), primary_key=True, index=True),
    Column("kind", String(16), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sla_targets = Table(
    "sla_targets",
    metadata,
    Column("priority", String(16), primary_key=True),
    Column("first_response_minutes", Integer, nullable=False),
    Column("resolution_minutes", Integer, nullable=False),
)

team_members = Table(
    "team_members",
    metadata,
    Column("team", String(64), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
)

# The round-robin cursor of each team, locked (FOR UPDATE) by whoever assigns the next case.
team_rotations = Table(
    "team_rotations",
    metadata,
    Column("team", String(64), primary_key=True),
    Column("last_user_id", String(64)),
)

# The other areas' tables live beside their code; importing them here puts them in the one MetaData.
from crm_cases.adapters import directory_tables, imap_tables, intake_tables  # noqa: E402

__all__ = [
    "case_attachments",
    "case_links",
    "case_messages",
    "case_numbers",
    "cases",
    "directory_tables",
    "imap_tables",
    "intake_tables",
    "metadata",
    "raw_messages",
    "sla_targets",
    "team_members",
    "team_rotations",
]
