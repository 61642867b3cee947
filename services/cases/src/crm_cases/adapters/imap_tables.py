"""IMAP polling state: per mailbox folder, the UIDVALIDITY and the UIDs already taken in."""

from crm_cases.adapters.metadata import metadata

__all__ = ["metadata"]
