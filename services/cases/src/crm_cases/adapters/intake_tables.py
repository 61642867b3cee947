"""Tables of the mail intake: mailboxes and their teams, bouncing addresses, and what the intake did with
each stored raw message (sender for the rate limit, quarantine state and reason, parser flags)."""

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY

from crm_cases.adapters.metadata import metadata

mailboxes = Table(
    "mailboxes",
    metadata,
    Column("address", String(320), primary_key=True),
    Column("team", String(128), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

bounced_addresses = Table(
    "bounced_addresses",
    metadata,
    Column("address", String(320), primary_key=True),
    Column("case_id", Uuid),
    Column("reason", Text),
    Column("bounces", Integer, nullable=False),
    Column("last_bounced_at", DateTime(timezone=True), nullable=False),
)

mail_intake = Table(
    "mail_intake",
    metadata,
    Column("raw_message_id", Uuid, ForeignKey("raw_messages.id"), primary_key=True),
    Column("sender", String(320)),
    Column("source", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reason", Text),
    Column("flags", ARRAY(Text), nullable=False, server_default="{}"),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # The per-sender rate limit counts a sender's mail of the last hour.
    Index("ix_mail_intake_sender_received_at", "sender", "received_at"),
    Index("ix_mail_intake_state", "state"),
)

__all__ = ["bounced_addresses", "mail_intake", "mailboxes", "metadata"]
