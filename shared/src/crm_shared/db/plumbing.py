"""Tables of the reliability mechanics, present in every service's database.

outbox: integration events written in the same transaction as the state change, published by the relay.
  `position` (an identity) orders publication; the relay selects rows whose `published_at` is null,
  never "rows after the last position seen", because positions are handed out before commit.
inbox: (consumer, event id) of every event a consumer applied, written with its effects.
dead_letter_log: the dead letters an operator replayed or discarded (`crm-<name> dlq`), keyed by where
  the letter is on its dead-letter topic, so that none is replayed twice unless asked.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

OUTBOX = "outbox"
INBOX = "inbox"
DEAD_LETTER_LOG = "dead_letter_log"
OUTBOX_CHANNEL = "crm_outbox"


def define_plumbing_tables(metadata: MetaData) -> tuple[Table, Table]:
    outbox = Table(
        OUTBOX,
        metadata,
        Column("position", BigInteger, Identity(always=True), primary_key=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("aggregate_type", String(64), nullable=False),
        Column("aggregate_id", String(128), nullable=False),
        Column("event_type", String(128), nullable=False),
        Column("topic", String(249), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index(
            "ix_outbox_unpublished",
            "position",
            postgresql_where=text("published_at IS NULL"),
        ),
    )
    inbox = Table(
        INBOX,
        metadata,
        Column("consumer", String(128), nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("event_type", String(128), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("note", Text),
        PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    return outbox, inbox


def define_dead_letter_log(metadata: MetaData) -> Table:
    return Table(
        DEAD_LETTER_LOG,
        metadata,
        Column("letter", String(300), primary_key=True),
        Column("consumer", String(128), nullable=False),
        Column("event_id", Uuid),
        Column("event_type", String(128)),
        Column("action", String(16), nullable=False),
        Column("outcome", String(32)),
        Column("actor", String(128), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
