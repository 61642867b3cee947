"""Integration events the cases service consumes (none yet: mail arrives over SMTP, see `smtp`)."""

from collections.abc import Mapping

from crm_shared.events import IntegrationEvent
from crm_shared.messaging.consumer import Handler

HANDLERS: Mapping[type[IntegrationEvent], Handler] = {}
