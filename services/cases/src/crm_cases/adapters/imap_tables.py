"""IMAP polling state: per mailbox folder, the UIDVALIDITY and the UIDs already taken in.

A UID is recorded in the same transaction as the intake of its mail, so "taken in" is exact whatever
happens to the server's flags; `flagged_at` stays empty until the mail is marked \\Seen or moved, which
a crash may leave undone (the next poll finishes it).
"""

from sqlalchemy import BigInteger, Column, DateTime, String, Table, Uuid

from crm_cases.adapters.metadata import metadata

imap_folders = Table(
    "imap_folders",
    metadata,
    Column("mailbox", String(320), primary_key=True),
    Column("folder", String(255), primary_key=True),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

imap_uids = Table(
    "imap_uids",
    metadata,
    Column("mailbox", String(320), primary_key=True),
    Column("folder", String(255), primary_key=True),
    # In the key: a poller still working under an old UIDVALIDITY cannot mark a UID of the new one.
    Column("uidvalidity", BigInteger, primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    # Empty when the mail was already stored (delivered another way, or before a UIDVALIDITY change).
    Column("raw_message_id", Uuid),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("flagged_at", DateTime(timezone=True)),
)

__all__ = ["imap_folders", "imap_uids", "metadata"]
