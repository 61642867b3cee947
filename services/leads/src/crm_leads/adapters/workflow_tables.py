"""Tables of lead workflows: assignment rules, web-to-lead forms, idempotency keys."""

from crm_leads.adapters.metadata import metadata

__all__ = ["metadata"]
