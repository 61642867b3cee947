"""Event contracts. Importing this package registers every payload class by its CloudEvents type."""

from crm_shared.events import accounts, cases, deals, leads, notifier, quotes
from crm_shared.events.base import (
    IntegrationEvent,
    event_class,
    registered_events,
    source_of,
    topic_of,
)
from crm_shared.events.envelope import Envelope, EnvelopeError, EventContext

__all__ = [
    "Envelope",
    "EnvelopeError",
    "EventContext",
    "IntegrationEvent",
    "accounts",
    "cases",
    "deals",
    "event_class",
    "leads",
    "notifier",
    "quotes",
    "registered_events",
    "source_of",
    "topic_of",
]
