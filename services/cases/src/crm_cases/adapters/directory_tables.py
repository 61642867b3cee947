"""Read models fed by other services' events: contacts and accounts (sender recognition)."""

from crm_cases.adapters.metadata import metadata

__all__ = ["metadata"]
