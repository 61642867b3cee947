"""Integration events the deals service consumes, and the use case each one runs."""

from collections.abc import Mapping

from crm_deals.service_layer import use_cases
from crm_shared.events import IntegrationEvent
from crm_shared.events.leads import LeadConverted
from crm_shared.messaging.consumer import Handler

HANDLERS: Mapping[type[IntegrationEvent], Handler] = {
    LeadConverted: use_cases.open_deal_for_converted_lead,
}
