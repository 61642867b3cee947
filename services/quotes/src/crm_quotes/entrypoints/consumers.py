"""Integration events the quotes service consumes, and the use case each one runs."""

from collections.abc import Mapping

from crm_quotes.service_layer import use_cases
from crm_shared.events import IntegrationEvent
from crm_shared.events.deals import DealWon
from crm_shared.messaging.consumer import Handler

HANDLERS: Mapping[type[IntegrationEvent], Handler] = {
    DealWon: use_cases.set_up_billing_for_won_deal,
}
