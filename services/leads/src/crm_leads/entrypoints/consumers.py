"""Integration events the leads service consumes (none yet: lifecycle statuses come with deal events)."""

from collections.abc import Mapping

from crm_shared.events import IntegrationEvent
from crm_shared.messaging.consumer import Handler

HANDLERS: Mapping[type[IntegrationEvent], Handler] = {}
