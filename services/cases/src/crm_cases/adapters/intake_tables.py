"""Tables of the mail intake: mailboxes and their teams, bouncing addresses, quarantine."""

from crm_cases.adapters.metadata import metadata

__all__ = ["metadata"]
