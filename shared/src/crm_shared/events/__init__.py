"""Event contracts. Importing this package registers every payload class by its CloudEvents type."""

from crm_shared.events import accounts, cases, deals, leads, notifier, quotes
from crm_shared.events.base import (
    IntegrationEvent,
    event_class,
    registered_events,
    source_of,
    topic_of,
)
from crm_shared.events.changes import Change, Changes, UnpublishedChange
from crm_shared.events.envelope import Envelope, EnvelopeError, EventContext
from crm_shared.events.translation import Translations, UntranslatedEvent, field_for_field

__all__ = [
    "Change",
    "Changes",
    "Envelope",
    "EnvelopeError",
    "EventContext",
    "IntegrationEvent",
    "Translations",
    "UnpublishedChange",
    "UntranslatedEvent",
    "accounts",
    "cases",
    "deals",
    "event_class",
    "field_for_field",
    "leads",
    "notifier",
    "quotes",
    "registered_events",
    "source_of",
    "topic_of",
]
