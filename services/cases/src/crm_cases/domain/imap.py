"""What names an IMAP folder's mail for good: a UID means one mail only under one UIDVALIDITY."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FolderKey:
    mailbox: str
    """The mailbox's address, as the intake names it."""
    folder: str
    uidvalidity: int
